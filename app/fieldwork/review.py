"""Review: the queue of submitted contacts, the contact page, and approving, returning, reopening, correcting.

Reviewers and leaders work on their own district's contacts, administrators on
every district's. The contact's own auditor may read its page (without the
edit log); nobody else may.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.wrappers import Response

from app import clock
from app.errors import status_for
from app.extensions import db
from app.fieldwork.display import helpers
from app.fieldwork.entry_form import form_entry
from app.fieldwork.forms import ReopenForm, ReturnForm
from app.fieldwork.pages import calendar_of, contact_or_404, contact_page, form_page, timezone_of
from app.forms import apply_errors, id_arg, seen_revision
from app.permissions import permission_required, require
from audits.access import Action
from audits.errors import DomainError
from audits.fieldwork.contacts import approve, reopen, return_contact, review_queue, reviewer_edit
from audits.fieldwork.drafts import stored_values
from audits.fieldwork.workflow import EDITABLE_IN_REVIEW
from audits.models import Channel, Role, Round, School, User

blueprint = Blueprint("review", __name__)
blueprint.context_processor(helpers)


@dataclass(frozen=True)
class QueueFilter:
    """Narrowing the queue; ``None`` leaves a criterion out."""

    round_id: int | None = None
    school_id: int | None = None
    auditor_id: int | None = None
    channel: Channel | None = None


def _queue_filter() -> QueueFilter:
    channel = request.args.get("channel", "")
    return QueueFilter(
        round_id=id_arg("round"),
        school_id=id_arg("school"),
        auditor_id=id_arg("auditor"),
        channel=Channel(channel) if channel in Channel._value2member_map_ else None,
    )


def _filter_choices(district_id: int | None) -> dict[str, list[Any]]:
    """The rounds, schools and auditors the queue's filters offer (every district's for ``None``)."""
    rounds = select(Round).order_by(Round.first_day.desc(), Round.id.desc())
    schools = select(School).order_by(School.name, School.id)
    auditors = select(User).where(User.role == Role.AUDITOR).order_by(User.name, User.email)
    if district_id is not None:
        rounds = rounds.where(Round.district_id == district_id)
        schools = schools.where(School.district_id == district_id)
        auditors = auditors.where(User.district_id == district_id)
    return {
        "rounds": list(db.session.scalars(rounds)),
        "schools": list(db.session.scalars(schools)),
        "auditors": list(db.session.scalars(auditors)),
    }


@blueprint.route("/review/")
@permission_required(Action.REVIEW_CONTACTS)
def queue() -> str:
    """Submitted contacts waiting for review, oldest first, with filters."""
    where = _queue_filter()
    admin = current_user.role is Role.ADMIN
    district_id = None if admin else current_user.district_id
    if not admin and district_id is None:  # not yet linked to a district: no district's contacts
        contacts, choices = [], {"rounds": [], "schools": [], "auditors": []}
    else:
        contacts = review_queue(
            db.session, district_id, where.round_id, where.school_id, where.auditor_id, where.channel
        )
        choices = _filter_choices(district_id)
    return render_template("fieldwork/queue.html", contacts=contacts, where=where, **choices)


@blueprint.route("/contacts/<int:contact_id>")
@login_required
def show(contact_id: int) -> tuple[str, int]:
    """Everything the contact holds; its reviewers also get the review buttons and the edit log."""
    contact = contact_or_404(contact_id)
    require(Action.VIEW_CONTACT, contact)
    return contact_page(contact)


def _contact_url(contact_id: int) -> str:
    return url_for("review.show", contact_id=contact_id)


@blueprint.route("/contacts/<int:contact_id>/approve", methods=["POST"])
@login_required
def approve_contact(contact_id: int) -> Response | tuple[str, int]:
    """Approve the contact: it counts from now on and is locked."""
    contact = contact_or_404(contact_id)
    require(Action.REVIEW_CONTACTS, contact)
    try:
        approve(db.session, contact, current_user, now=clock.now(), seen=seen_revision())
    except DomainError as error:
        db.session.rollback()
        flash(f"Not approved: {error.reason}.", "error")
        return contact_page(contact, status=status_for(error))
    db.session.commit()
    flash(f"Approved the contact with {contact.assignment.school.name}. It now counts.", "success")
    return redirect(url_for("review.queue"))


@blueprint.route("/contacts/<int:contact_id>/return", methods=["POST"])
@login_required
def return_to_auditor(contact_id: int) -> Response | tuple[str, int]:
    """Send the contact back to its auditor with a comment saying what to fix."""
    contact = contact_or_404(contact_id)
    require(Action.REVIEW_CONTACTS, contact)
    form = ReturnForm()
    try:
        return_contact(
            db.session, contact, current_user, form.comment.data or "", now=clock.now(), seen=seen_revision()
        )
    except DomainError as error:
        db.session.rollback()
        apply_errors(form, error)
        return contact_page(contact, status=status_for(error), return_form=form)
    db.session.commit()
    flash(f"Returned the contact with {contact.assignment.school.name} to its auditor.", "success")
    return redirect(url_for("review.queue"))


@blueprint.route("/contacts/<int:contact_id>/reopen", methods=["POST"])
@login_required
def reopen_contact(contact_id: int) -> Response | tuple[str, int]:
    """Unlock an approved contact, with a written reason."""
    contact = contact_or_404(contact_id)
    require(Action.REVIEW_CONTACTS, contact)
    form = ReopenForm()
    try:
        reopen(
            db.session, contact, current_user, form.reason.data or "", now=clock.now(), seen=seen_revision()
        )
    except DomainError as error:
        db.session.rollback()
        apply_errors(form, error)
        return contact_page(contact, status=status_for(error), reopen_form=form)
    db.session.commit()
    flash("Reopened the contact. It no longer counts until it is approved again.", "success")
    return redirect(_contact_url(contact.id))


@blueprint.route("/contacts/<int:contact_id>/review-edit", methods=["GET", "POST"])
@login_required
def edit(contact_id: int) -> Response | tuple[str, int]:
    """Correct a submitted or reopened contact; every change goes to the edit log."""
    contact = contact_or_404(contact_id)
    require(Action.REVIEW_CONTACTS, contact)
    if contact.status not in EDITABLE_IN_REVIEW:
        flash(f"A {contact.status.value} contact cannot be corrected in review.", "error")
        return redirect(_contact_url(contact.id))
    if request.method == "GET":
        return form_page(contact, stored_values(contact, timezone_of(contact)), review=True)
    data = request.form.to_dict()
    data.pop("csrf_token", None)
    seen = request.form.get("revision", type=int)
    data.pop("revision", None)
    try:
        calendar = calendar_of(contact)
        entry = form_entry(data, contact.rubric, calendar)
        reviewer_edit(db.session, contact, entry, current_user, calendar, now=clock.now(), seen=seen)
    except DomainError as error:
        db.session.rollback()
        return form_page(contact, data, problems=error.problems, status=status_for(error), review=True)
    db.session.commit()
    flash("Saved your corrections. Each change is in the edit log below.", "success")
    return redirect(_contact_url(contact.id))
