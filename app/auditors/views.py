"""Auditor settings: the list of a district's auditors and the form a leader changes one with."""

from __future__ import annotations

from dataclasses import asdict

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.wrappers import Response

from app.auditors.forms import WEEKDAY_CHOICES, AuditorForm
from app.extensions import db
from app.forms import apply_errors
from app.permissions import permission_required, require
from audits.access import Action
from audits.auditors import AuditorSettings, auditors_with_profiles, profile_of, update_auditor
from audits.errors import DomainError
from audits.mail.mailboxes import mailboxes_of
from audits.models import Role, School, User

blueprint = Blueprint("auditors", __name__, url_prefix="/auditors")

WEEKDAY_NAMES = {choice.value: str(choice.label)[:3] for choice in WEEKDAY_CHOICES}


@blueprint.context_processor
def _helpers() -> dict[str, object]:
    return {"weekday_names": WEEKDAY_NAMES}


@blueprint.route("/")
@permission_required(Action.MANAGE_AUDITORS)
def index() -> str:
    """List the district's auditors with what the planner respects about each (an admin: all)."""
    admin = current_user.role is Role.ADMIN
    if admin or current_user.district_id is not None:
        rows = auditors_with_profiles(db.session, None if admin else current_user.district_id)
    else:
        rows = []  # a leader not yet linked to a district manages nobody
    return render_template("auditors/index.html", rows=rows, show_district=admin)


@blueprint.route("/<int:user_id>", methods=["GET", "POST"])
@login_required
def edit(user_id: int) -> Response | tuple[str, int]:
    """Change one auditor's languages, daily maximum, working days and conflicts."""
    auditor = db.get_or_404(User, user_id)
    if auditor.role is not Role.AUDITOR or auditor.district is None:
        abort(404)
    require(Action.MANAGE_AUDITORS, auditor.district)
    schools = db.session.scalars(
        select(School).where(School.district_id == auditor.district_id).order_by(School.name)
    )
    mailboxes = mailboxes_of(db.session, auditor.district.id)
    if request.method == "GET":
        form = AuditorForm(data=asdict(AuditorSettings.of(profile_of(db.session, auditor))))
        form.set_schools(schools)
        form.set_mailboxes(mailboxes)
        return render_template("auditors/edit.html", form=form, auditor=auditor), 200
    form = AuditorForm()
    form.set_schools(schools)
    form.set_mailboxes(mailboxes)
    form.validate()
    try:
        update_auditor(db.session, auditor, form.settings())
    except DomainError as error:
        apply_errors(form, error)
    if form.errors:
        db.session.rollback()
        return render_template("auditors/edit.html", form=form, auditor=auditor), 400
    db.session.commit()
    flash(f"Saved the settings of {auditor.display_name}.", "success")
    return redirect(url_for("auditors.index"))
