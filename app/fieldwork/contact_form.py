"""The auditor's contact form: open an assignment, keep drafts, submit, try again after a failed attempt.

Only the assignment's auditor opens its form. Drafts are saved by the page's
script as JSON (``X-CSRFToken`` header) on every change and every few seconds;
without the script, the "Save draft" button posts the whole form instead.

Saving a draft and submitting are the requests fieldwork makes most often: they
load the contact with everything they read in a few queries (``bench/load.py``
measures them under load) and read what they answer with before committing, as a
commit expires every loaded object.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, jsonify, redirect, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.wrappers import Response

from app import clock
from app.errors import domain_json, json_error, status_for
from app.extensions import db
from app.fieldwork.display import derived_texts, helpers, local_time
from app.fieldwork.entry_form import form_entry, preview_derived, preview_timings
from app.fieldwork.pages import assignment_or_404, calendar_of, form_page, timezone_of
from app.permissions import require
from app.rounds.forms import slot_label
from audits.access import Action
from audits.errors import DomainError, ErrorKind
from audits.fieldwork.contacts import attempts_of, can_retry, retry, start_contact, submit, suggested_slot
from audits.fieldwork.drafts import form_values, save_draft
from audits.models import Assignment, Contact, District, Round, Rubric, RubricSection

blueprint = Blueprint("fieldwork", __name__)
blueprint.context_processor(helpers)


def _form_url(contact: Contact, anchor: str | None = None) -> str:
    return url_for("fieldwork.contact_form", assignment_id=contact.assignment_id, _anchor=anchor)


@blueprint.route("/assignments/<int:assignment_id>/contact")
@login_required
def contact_form(assignment_id: int) -> Response | tuple[str, int]:
    """The form for the assignment's current attempt (started on first opening), with the scenario."""
    assignment = assignment_or_404(assignment_id)
    require(Action.RECORD_CONTACTS, assignment)
    try:
        contact = start_contact(db.session, assignment, current_user)
    except DomainError as error:
        db.session.rollback()
        flash(f"This assignment cannot be started: {error.reason}.", "error")
        return redirect(url_for("assignments.mine"))
    contact_id = contact.id
    db.session.commit()
    contact = _contact_for_entry(contact_id, page=True)  # what the page shows, in one go after the commit
    return form_page(contact, form_values(contact, timezone_of(contact)))


@blueprint.route("/assignments/<int:assignment_id>/retry", methods=["POST"])
@login_required
def retry_assignment(assignment_id: int) -> Response:
    """Start the next attempt after a failed one."""
    assignment = assignment_or_404(assignment_id)
    require(Action.RECORD_CONTACTS, assignment)
    try:
        contact = retry(db.session, assignment, current_user)
    except DomainError as error:
        db.session.rollback()
        flash(f"No new attempt: {error.reason}.", "error")
        return redirect(url_for("fieldwork.contact_form", assignment_id=assignment.id))
    db.session.commit()
    district = assignment.round.district
    slot = suggested_slot(assignment, attempts_of(db.session, assignment), district.timezone)
    flash(
        f"Attempt {contact.attempt} started. Try a different time of day: {slot_label(slot, district)}.",
        "success",
    )
    return redirect(_form_url(contact))


def _contact_for_entry(contact_id: int, *, page: bool = False) -> Contact:
    """The contact with all a draft save or a submit reads, in four queries instead of a dozen lazy loads.

    That is its assignment, round, district and the district's closures, school, rubric and rubric items;
    with ``page``, also what the form page shows (scenario, answers, review events, evidence), reloaded.
    """
    assignment = joinedload(Contact.assignment)
    options = [
        assignment.joinedload(Assignment.round).joinedload(Round.district).selectinload(District.closures),
        assignment.joinedload(Assignment.school),
        joinedload(Contact.rubric).selectinload(Rubric.sections).selectinload(RubricSection.items),
    ]
    if page:
        options += [
            assignment.joinedload(Assignment.scenario),
            selectinload(Contact.responses),
            selectinload(Contact.events),
            selectinload(Contact.evidence),
        ]
    contact = db.session.get(Contact, contact_id, options=options, populate_existing=page)
    if contact is None:
        abort(404)
    return contact


def _posted_draft() -> dict[str, str] | None:
    """The draft in the request: a JSON object of strings, or the form's fields; ``None`` if unreadable."""
    if not request.is_json:
        return request.form.to_dict()
    payload: Any = request.get_json(silent=True)
    if not isinstance(payload, dict):
        return None
    return {str(key): "" if value is None else str(value) for key, value in payload.items()}


@blueprint.route("/contacts/<int:contact_id>/draft", methods=["POST"])
@login_required
def save(contact_id: int) -> Response | tuple[Response, int]:
    """Keep what the auditor typed so far: JSON gets ``{"saved_at": …}``, a form post returns to the form.

    The JSON answer also holds what the timings typed so far give the rubric: ``measured`` (a
    blank timing item's value) and ``derived`` (the answer of each item scored from a fact).
    """
    contact = _contact_for_entry(contact_id)
    require(Action.RECORD_CONTACTS, contact)
    data = _posted_draft()
    if data is None:
        return json_error(400, [(None, "send the draft as a JSON object")])
    try:
        save_draft(contact, data, current_user)
    except DomainError as error:
        db.session.rollback()
        if request.is_json:
            return domain_json(error)
        flash(f"The draft was not saved: {error.reason}.", "error")
        return redirect(_form_url(contact))
    # Everything the answer needs is read before the commit, which expires the loaded objects.
    saved_at = contact.draft_saved_at
    measured = derived = None
    if request.is_json:
        measured = preview_timings(data, contact.rubric, calendar_of(contact))
        derived = derived_texts(contact.rubric, preview_derived(data, contact.rubric, calendar_of(contact)))
    form_url, timezone = _form_url(contact), timezone_of(contact)
    db.session.commit()
    if request.is_json:
        return jsonify(
            saved_at=saved_at.isoformat() if saved_at else None, measured=measured, derived=derived
        )
    flash(f"Draft saved at {local_time(saved_at, timezone)[-5:]}.", "success")
    return redirect(form_url)


@blueprint.route("/contacts/<int:contact_id>/submit", methods=["POST"])
@login_required
def submit_contact(contact_id: int) -> Response | tuple[str, int]:
    """Send the contact to review; a rejected entry comes back with every problem and is kept as the draft."""
    contact = _contact_for_entry(contact_id)
    require(Action.RECORD_CONTACTS, contact)
    data = request.form.to_dict()
    data.pop("csrf_token", None)
    seen = request.form.get("revision", type=int)
    data.pop("revision", None)
    try:
        calendar = calendar_of(contact)
        entry = form_entry(data, contact.rubric, calendar)
        submit(db.session, contact, entry, current_user, calendar, now=clock.now(), seen=seen)
    except DomainError as error:
        db.session.rollback()
        if error.kind is ErrorKind.VALIDATION:
            _keep_as_draft(contact, data)
        return form_page(contact, data, problems=error.problems, status=status_for(error))
    # The message is written before the commit, which expires the loaded objects; only a failed
    # attempt needs the list of attempts (whether another one is possible).
    assignment, school = contact.assignment, contact.assignment.school.name
    if contact.outcome and contact.failed and can_retry(assignment, attempts_of(db.session, assignment)):
        message = (
            f"Recorded attempt {contact.attempt} with {school} ({contact.outcome.label.lower()}). "
            "Open the assignment to try again at a different time."
        )
    else:
        message = f"Submitted your {assignment.channel.value} contact with {school} for review."
    db.session.commit()
    flash(message, "success")
    # The next page confirms the submission to the form's script, which then forgets its copy on the device.
    return redirect(url_for("assignments.mine", submitted=contact_id))


def _keep_as_draft(contact: Contact, data: dict[str, str]) -> None:
    """Save a rejected submission as the draft, so nothing typed is lost even if the page is closed."""
    try:
        save_draft(contact, data, current_user)
    except DomainError:
        db.session.rollback()
        return
    db.session.commit()
