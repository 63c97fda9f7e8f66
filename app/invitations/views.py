"""Invitations: accepting one, and inviting people, resending and revoking their invitations.

Administrators invite anyone; district leaders invite reviewers, auditors and principals of
their district (``audits.invitations``). The invitation goes out through the outbox with the
change that creates the account; the link's token is in that email only.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from app.extensions import db
from app.forms import apply_errors
from app.invitations.forms import InvitationActionForm, InviteForm
from app.invitations.links import follow_link
from app.invitations.mail import invitation_lifetime, queue_invitation
from app.outbox import kick_outbox
from app.permissions import permission_required
from audits.access import Action
from audits.accounts import NewUser
from audits.errors import ConflictError, DomainError, NotAllowedError
from audits.invitations import invite as invite_person
from audits.invitations import may_manage_invitation, roles_invitable_by, waiting_invitations, withdraw
from audits.invitations import resend as resend_invitation
from audits.models import District, LinkPurpose, Role, School, User

blueprint = Blueprint("invitations", __name__)


@blueprint.route("/invitations/<token>", methods=["GET", "POST"])
def accept(token: str) -> Response:
    """The invited person chooses a password; the account switches on and they are signed in."""
    return follow_link(LinkPurpose.INVITATION, token)


def _districts() -> list[District]:
    if current_user.role is Role.ADMIN:
        return list(db.session.scalars(select(District).order_by(District.name)))
    return [current_user.district] if current_user.district is not None else []


def _invite_form() -> InviteForm:
    form = InviteForm()
    form.role.choices = [(role.value, role.label) for role in roles_invitable_by(current_user)]
    districts = _districts()
    form.district.choices = (
        [(0, "No district (administrators only)")] if current_user.role is Role.ADMIN else []
    )
    form.district.choices += [(district.id, district.name) for district in districts]
    schools = db.session.scalars(
        select(School).where(School.district_id.in_([d.id for d in districts])).order_by(School.name)
    )
    several = len(districts) > 1
    form.school.choices = [
        (school.id, f"{school.name} ({school.district.name})" if several else school.name)
        for school in schools
    ]
    if not form.is_submitted() and len(districts) == 1:
        form.district.data = districts[0].id
    return form


@blueprint.route("/users/invite", methods=["GET", "POST"])
@permission_required(Action.INVITE_USERS)
def invite() -> Response | tuple[str, int]:
    """Invite a person by email: the account is created switched off until they choose a password."""
    form = _invite_form()
    if form.validate_on_submit():
        new = NewUser(
            email=form.email.data or "",
            role=Role(form.role.data),
            password=None,
            name=form.name.data or "",
            district_id=form.district.data or None,
            school_ids=list(form.school.data or []),
        )
        try:
            user, link, plaintext = invite_person(
                db.session, current_user, new, lifetime=invitation_lifetime()
            )
        except DomainError as error:
            db.session.rollback()
            apply_errors(form, error)
        else:
            queue_invitation(user, plaintext, link.expires_at, current_user)
            db.session.commit()
            kick_outbox()
            flash(f"Invitation sent to {user.email}.", "success")
            return redirect(url_for("invitations.invite"))
    status = 400 if form.errors or form.form_errors else 200
    page = render_template(
        "invitations/invite.html",
        form=form,
        waiting=waiting_invitations(db.session, current_user),
        action_form=InvitationActionForm(formdata=None),
    )
    return page, status


def _invited(user_id: int) -> User:
    """The person ``user_id``, if the signed-in person may manage their invitation; else 404."""
    user = db.session.get(User, user_id)
    if user is None or not may_manage_invitation(current_user, user):
        abort(404)
    if not InvitationActionForm().validate():
        abort(400)
    return user


def _conflict(error: DomainError) -> Response:
    db.session.rollback()
    flash(error.reason, "error")
    return redirect(url_for("invitations.invite"))


@blueprint.route("/users/<int:user_id>/invitation/resend", methods=["POST"])
@permission_required(Action.INVITE_USERS)
def resend(user_id: int) -> Response:
    """Send a fresh invitation link; the earlier one stops working."""
    user = _invited(user_id)
    try:
        link, plaintext = resend_invitation(db.session, current_user, user, lifetime=invitation_lifetime())
    except (ConflictError, NotAllowedError) as error:
        return _conflict(error)
    queue_invitation(user, plaintext, link.expires_at, current_user)
    db.session.commit()
    kick_outbox()
    flash(f"A new invitation is on its way to {user.email}; the earlier link no longer works.", "success")
    return redirect(url_for("invitations.invite"))


@blueprint.route("/users/<int:user_id>/invitation/revoke", methods=["POST"])
@permission_required(Action.INVITE_USERS)
def revoke(user_id: int) -> Response:
    """Withdraw the invitation: its link stops working; the account stays switched off."""
    user = _invited(user_id)
    try:
        withdraw(db.session, current_user, user)
    except (ConflictError, NotAllowedError) as error:
        return _conflict(error)
    db.session.commit()
    flash(f"The invitation of {user.email} is withdrawn: its link no longer works.", "success")
    return redirect(url_for("invitations.invite"))
