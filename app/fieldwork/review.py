"""Review: the queue of submitted contacts, the contact page, and approving, returning, reopening, correcting.

Reviewers and leaders work on their own district's contacts, administrators on
every district's. The contact's own auditor may read its page (without the
edit log); nobody else may.
"""

from __future__ import annotations

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
from app.fieldwork.review_page import (
    approved_words,
    contact_words,
    next_in_queue,
    onward_words,
    queue_filter,
    reviewer_district,
)
from app.forms import apply_errors, seen_revision
from app.permissions import permission_required, require
from audits.access import Action
from audits.errors import DomainError
from audits.fieldwork.contacts import approve, reopen, return_contact, review_queue, reviewer_edit
from audits.fieldwork.drafts import stored_values
from audits.fieldwork.review_impact import counted_as
from audits.fieldwork.workflow import EDITABLE_IN_REVIEW
from audits.models import Role, Round, School, User

blueprint = Blueprint("review", __name__)
blueprint.context_processor(helpers)


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
    where = queue_filter()
    has_queue, district_id = reviewer_district()
    if not has_queue:  # not yet linked to a district: no district's contacts
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


def _onward(done: str) -> Response:
    """After a review step: on to the oldest contact the same filters give, or back to the queue."""
    where = queue_filter()
    following = next_in_queue(where)
    flash(f"{done} {onward_words(where, following)}", "success")
    if following is None:
        return redirect(url_for("review.queue", **where.args()))
    return redirect(url_for("review.show", contact_id=following.id, **where.args()))


@blueprint.route("/contacts/<int:contact_id>/approve", methods=["POST"])
@login_required
def approve_contact(contact_id: int) -> Response | tuple[str, int]:
    """Approve the contact: it counts from now on and is locked; then on to the next one waiting."""
    contact = contact_or_404(contact_id)
    require(Action.REVIEW_CONTACTS, contact)
    try:
        approve(db.session, contact, current_user, now=clock.now(), seen=seen_revision())
    except DomainError as error:
        db.session.rollback()
        flash(f"Not approved: {error.reason}.", "error")
        return contact_page(contact, status=status_for(error))
    done = approved_words(contact, counted_as(db.session, contact))
    db.session.commit()
    return _onward(done)


@blueprint.route("/contacts/<int:contact_id>/return", methods=["POST"])
@login_required
def return_to_auditor(contact_id: int) -> Response | tuple[str, int]:
    """Send the contact back to its auditor with a comment saying what to fix; then on to the next one."""
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
    return _onward(f"Returned {contact_words(contact)} to its auditor.")


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
