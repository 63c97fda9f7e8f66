"""Persona mailbox settings: a district's mailboxes, adding and changing one, checking it logs in.

Leaders manage their district's (administrators any district's), as they manage its auditors.
A password is typed only to be stored encrypted; the pages never show one back. "Check the
connection" logs in to both servers and shows each server's own error.
"""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.wrappers import Response

from app.extensions import db
from app.fieldwork.display import local_time
from app.forms import apply_errors
from app.mailboxes.credentials import vault
from app.mailboxes.forms import MailboxForm
from app.permissions import permission_required, require
from audits.access import Action
from audits.errors import DomainError
from audits.mail.mailboxes import (
    ConnectionCheck,
    MailboxSettings,
    check_connection,
    mailboxes_of,
    save_mailbox,
)
from audits.models import AuditorProfile, District, PersonaMailbox, Role, User

blueprint = Blueprint("mailboxes", __name__)
blueprint.context_processor(lambda: {"local_time": local_time})


def _personas(district_id: int) -> dict[int, list[User]]:
    """The auditors whose persona sends from each of the district's mailboxes, by mailbox id."""
    found: dict[int, list[User]] = {}
    rows = db.session.execute(
        select(AuditorProfile.mailbox_id, User)
        .join(User, User.id == AuditorProfile.user_id)
        .where(User.district_id == district_id, AuditorProfile.mailbox_id.is_not(None))
        .order_by(User.name, User.email)
    )
    for mailbox_id, user in rows:
        found.setdefault(mailbox_id, []).append(user)
    return found


@blueprint.route("/mailboxes/")
@permission_required(Action.MANAGE_AUDITORS)
def index() -> str:
    """The persona mailboxes of the signed-in leader's district (an administrator: of every district)."""
    stmt = select(District).order_by(District.name)
    if current_user.role is not Role.ADMIN:
        stmt = stmt.where(District.id == current_user.district_id)
    districts = [
        (district, mailboxes_of(db.session, district.id), _personas(district.id))
        for district in db.session.scalars(stmt)
    ]
    return render_template("mailboxes/index.html", districts=districts)


def _page(form: MailboxForm, district: District, mailbox: PersonaMailbox | None, status: int = 200,
          check: ConnectionCheck | None = None) -> tuple[str, int]:  # fmt: skip
    return render_template(
        "mailboxes/form.html",
        form=form,
        district=district,
        mailbox=mailbox,
        check=check,
        personas=_personas(district.id).get(mailbox.id, []) if mailbox else [],
    ), status


def _save(
    form: MailboxForm, district: District, mailbox: PersonaMailbox | None
) -> Response | tuple[str, int]:
    form.validate()
    saved = None
    try:  # the domain's checks too, so that every problem shows at once
        saved = save_mailbox(db.session, district, form.settings(), vault(), mailbox)
    except DomainError as error:
        apply_errors(form, error)
    if saved is None or form.errors:
        db.session.rollback()
        return _page(form, district, mailbox, status=400)
    address = saved.address
    db.session.commit()
    flash(f"Saved the mailbox {address}. Check its connection below.", "success")
    return redirect(url_for("mailboxes.edit", mailbox_id=saved.id))


@blueprint.route("/districts/<int:district_id>/mailboxes/new", methods=["GET", "POST"])
@login_required
def new(district_id: int) -> Response | tuple[str, int]:
    """Add a persona mailbox to a district."""
    district = db.get_or_404(District, district_id)
    require(Action.MANAGE_AUDITORS, district)
    if request.method == "GET":
        return _page(MailboxForm(formdata=None), district, None)
    return _save(MailboxForm(), district, None)


@blueprint.route("/mailboxes/<int:mailbox_id>", methods=["GET", "POST"])
@login_required
def edit(mailbox_id: int) -> Response | tuple[str, int]:
    """Change a persona mailbox; blank passwords keep the stored ones."""
    mailbox = db.get_or_404(PersonaMailbox, mailbox_id)
    require(Action.MANAGE_AUDITORS, mailbox.district)
    if request.method == "GET":
        form = MailboxForm(formdata=None)
        form.show(MailboxSettings.of(mailbox))
        return _page(form, mailbox.district, mailbox)
    return _save(MailboxForm(), mailbox.district, mailbox)


@blueprint.route("/mailboxes/<int:mailbox_id>/check", methods=["POST"])
@login_required
def check(mailbox_id: int) -> tuple[str, int]:
    """Log in to the mailbox's SMTP and IMAP servers and show what each said (nothing is sent or read)."""
    mailbox = db.get_or_404(PersonaMailbox, mailbox_id)
    require(Action.MANAGE_AUDITORS, mailbox.district)
    result = check_connection(mailbox, vault(), float(current_app.config["MAIL_TIMEOUT_SECONDS"]))
    form = MailboxForm(formdata=None)
    form.show(MailboxSettings.of(mailbox))
    return _page(form, mailbox.district, mailbox, check=result)
