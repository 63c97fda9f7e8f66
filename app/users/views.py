"""The users page: administrators see everyone, leaders their district's reviewers, auditors and
principals. A person's page changes their role and schools, switches the account off and on and
lets someone the sign-in throttle holds back try again; every change is in the audit log."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.wrappers import Response

from app.auth.session import session_policy, sign_in_throttle
from app.auth.two_step import admins_required
from app.confirmation import ask_first, confirmed
from app.extensions import db
from app.forms import apply_errors, id_arg
from app.permissions import permission_required, require
from app.users.forms import RoleForm
from audits import audit_log, people, two_step
from audits.access import Action
from audits.errors import DomainError
from audits.models import District, Role, School, User
from audits.sign_ins import live_sign_ins

blueprint = Blueprint("users", __name__, url_prefix="/users")

PER_PAGE = 50
CONFIRM_DEACTIVATE = "Their sign-ins end now and their API tokens stop working; what they recorded stays."


def _page_url(endpoint: str, number: int, **values: Any) -> str:
    """The address of page ``number`` of the list at ``endpoint``, keeping the query's filters."""
    args = request.args.to_dict()
    args["page"] = str(number)
    return url_for(endpoint, **values, **args)


def _role_arg() -> Role | None:
    value = request.args.get("role", "")
    return Role(value) if value in Role._value2member_map_ else None


def _schools_of(district_id: int | None) -> list[School]:
    stmt = select(School).order_by(School.name)
    if district_id is not None:
        stmt = stmt.where(School.district_id == district_id)
    return list(db.session.scalars(stmt))


@blueprint.route("/")
@permission_required(Action.MANAGE_PEOPLE)
def index() -> str:
    """The people the signed-in administrator or leader manages, searched and filtered, 50 a page."""
    admin = current_user.role is Role.ADMIN
    wanted = people.PeopleFilter(
        search=request.args.get("q", "")[:200],
        role=_role_arg(),
        school_id=id_arg("school"),
        status=status if (status := request.args.get("status", "")) in people.STATUSES else None,
    )
    found = people.find_people(
        db.session, current_user, wanted, request.args.get("page", 1, type=int), PER_PAGE
    )
    schools = _schools_of(None if admin else (current_user.district_id or 0))
    return render_template(
        "users/index.html",
        found=found,
        wanted=wanted,
        status=request.args.get("status", ""),
        roles=people.roles_given_by(current_user),
        schools=schools,
        show_district=admin,
        status_of=people.status_of,
        page_url=lambda number: _page_url("users.index", number),
    )


def _person(user_id: int) -> User:
    person = db.get_or_404(User, user_id)
    require(Action.MANAGE_PEOPLE, person)
    return person


def _role_form(person: User, form: RoleForm | None = None) -> RoleForm:
    if form is None:
        form = RoleForm(data={"role": person.role.value, "schools": [school.id for school in person.schools]})
    form.offer(people.roles_given_by(current_user), _schools_of(person.district_id or 0))
    return form


def _render_person(person: User, form: RoleForm) -> str:
    return render_template(
        "users/show.html",
        person=person,
        form=form,
        own=person.id == current_user.id,
        live_sign_ins=len(live_sign_ins(db.session, person, session_policy())),
        two_step=two_step.status(db.session, person, admins_required()),
        two_step_key=two_step.key_of(db.session, person),
        history=audit_log.entries(db.session, subject_id=person.id, per_page=10),
        action_words=ACTION_WORDS,
    )


@blueprint.route("/<int:user_id>")
@login_required
def show(user_id: int) -> str:
    """One person: their details, live sign-ins, role and schools, and the buttons that change them."""
    person = _person(user_id)
    return _render_person(person, _role_form(person))


@blueprint.route("/<int:user_id>/role", methods=["POST"])
@login_required
def change_role(user_id: int) -> Response | tuple[str, int]:
    """Give the person another role, or change a principal's schools; refusals show next to the field."""
    person = _person(user_id)
    form = _role_form(person, RoleForm())
    form.validate()
    try:
        role = form.chosen_role()
        chosen = list(db.session.scalars(select(School).where(School.id.in_(form.chosen_school_ids()))))
        if role is not person.role:
            people.change_role(db.session, current_user, person, role, chosen)
        elif role is Role.PRINCIPAL:
            people.set_schools(db.session, current_user, person, chosen)
    except DomainError as error:
        apply_errors(form, error)
    if form.errors or form.form_errors:
        db.session.rollback()
        return _render_person(person, form), 400
    db.session.commit()
    flash(f"Saved the role and schools of {person.display_name}.", "success")
    return redirect(url_for("users.show", user_id=person.id))


@blueprint.route("/<int:user_id>/deactivate", methods=["GET", "POST"])
@login_required
def deactivate(user_id: int) -> Response | tuple[str, int]:
    """Ask to confirm (GET), then switch the account off (POST)."""
    person = _person(user_id)
    problem = None
    if request.method == "POST" and not confirmed():
        return ask_first(url_for("users.deactivate", user_id=person.id))
    if request.method == "POST":
        try:
            people.deactivate(db.session, current_user, person)
        except DomainError as error:
            db.session.rollback()
            problem = error.reason
        else:
            db.session.commit()
            flash(f"Deactivated {person.display_name}. {CONFIRM_DEACTIVATE}", "success")
            return redirect(url_for("users.show", user_id=person.id))
    page = render_template(
        "users/deactivate.html",
        person=person,
        problem=problem,
        sentence=CONFIRM_DEACTIVATE,
        unfinished=people.unfinished_assignments(db.session, person),
    )
    return page, 400 if problem else 200


def _button(user_id: int, change: str) -> Response:
    person = _person(user_id)
    try:
        if change == "reactivate":
            people.reactivate(db.session, current_user, person)
            done = f"Reactivated {person.display_name}: they may sign in again."
        elif change == "reset_two_step":
            two_step.reset(db.session, current_user, person)
            done = (
                f"Reset the two-step sign-in of {person.display_name}: their old app and recovery codes no "
                "longer work. "
                + (
                    "They set up a new key when they next sign in."
                    if two_step.required(person, admins_required())
                    else "They sign in with their password and may turn it on again."
                )
            )
        else:
            people.let_sign_in_again(db.session, current_user, person, sign_in_throttle())
            done = f"{person.display_name} may try to sign in again now."
    except DomainError as error:
        db.session.rollback()
        flash(error.reason, "error")
    else:
        db.session.commit()
        flash(done, "success")
    return redirect(url_for("users.show", user_id=person.id))


@blueprint.route("/<int:user_id>/reactivate", methods=["POST"])
@login_required
def reactivate(user_id: int) -> Response:
    """Switch a deactivated account back on."""
    return _button(user_id, "reactivate")


@blueprint.route("/<int:user_id>/sign-in-again", methods=["POST"])
@login_required
def sign_in_again(user_id: int) -> Response:
    """Forget the failed sign-ins counted against the person, so the throttle holds them back no more."""
    return _button(user_id, "sign_in_again")


@blueprint.route("/<int:user_id>/two-step/reset", methods=["POST"])
@login_required
def reset_two_step(user_id: int) -> Response:
    """Remove the person's two-step key and recovery codes (a lost phone); in the audit log."""
    return _button(user_id, "reset_two_step")


ACTION_WORDS = audit_log.ACTIONS


@blueprint.route("/audit-log")
@login_required
def log() -> str:
    """The audit log, newest first, 50 a page, filtered by action: everything for an administrator,
    a leader's own district for a leader."""
    admin = current_user.role is Role.ADMIN
    if admin:
        require(Action.VIEW_AUDIT_LOG)
        district_id = None
    else:
        district = db.session.get(District, current_user.district_id) if current_user.district_id else None
        if district is None:
            abort(403)
        require(Action.VIEW_AUDIT_LOG, district)
        district_id = district.id
    action = request.args.get("action", "")
    action = action if action in ACTION_WORDS else ""
    found = audit_log.entries(
        db.session,
        action=action or None,
        district_id=district_id,
        page=request.args.get("page", 1, type=int),
        per_page=PER_PAGE,
    )
    return render_template(
        "users/log.html",
        found=found,
        action=action,
        action_words=ACTION_WORDS,
        page_url=lambda number: _page_url("users.log", number),
    )
