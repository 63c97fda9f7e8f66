"""What the fieldwork views share: finding records, and building the contact form and the contact page.

The contact form serves both the auditor (with drafts and evidence) and a
reviewer correcting a submitted contact; the contact page shows everything a
contact holds to its auditor and to reviewers, with the edit log for reviewers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from flask import current_app, render_template
from flask_login import current_user
from sqlalchemy import select

from app.extensions import db
from app.fieldwork.display import derived_texts
from app.fieldwork.entry_form import preview_derived, preview_timings
from app.fieldwork.forms import ContactFields, EvidenceForm, ReopenForm, ReturnForm, place_problems
from app.fieldwork.review_page import review_context
from app.mailboxes.panel import SendForm, email_panel
from app.permissions import can
from audits.access import Action
from audits.businesshours import BusinessCalendar
from audits.fieldwork.contacts import attempts_of, can_retry, suggested_slot
from audits.fieldwork.workflow import EDITABLE_BY_AUDITOR
from audits.models import Assignment, Channel, Contact, ContactStatus, Evidence, ReviewAction, ReviewEvent
from audits.script_values import fill_for_assignment

# The review step whose comment the auditor must see while the contact is back with them.
NOTE_OF = {ContactStatus.RETURNED: ReviewAction.RETURNED, ContactStatus.REOPENED: ReviewAction.REOPENED}


def assignment_or_404(assignment_id: int) -> Assignment:
    """The assignment with ``assignment_id``, or a 404."""
    return db.get_or_404(Assignment, assignment_id)


def contact_or_404(contact_id: int) -> Contact:
    """The contact with ``contact_id``, or a 404."""
    return db.get_or_404(Contact, contact_id)


def evidence_or_404(token: str) -> Evidence:
    """The evidence file whose URL token is ``token``, or a 404."""
    return db.first_or_404(select(Evidence).where(Evidence.token == token))


def timezone_of(contact: Contact) -> str:
    """The timezone of the contact's district, in which every time is typed and shown."""
    return contact.assignment.round.district.timezone


def calendar_of(contact: Contact) -> BusinessCalendar:
    """The business calendar of the contact's district."""
    return BusinessCalendar.of(contact.assignment.round.district)


def evidence_folder() -> Path:
    """Where evidence files are stored (outside the web root)."""
    return Path(current_app.config["EVIDENCE_DIR"])


def max_evidence_bytes() -> int:
    """The largest evidence file accepted."""
    return int(current_app.config["MAX_EVIDENCE_MB"]) * 1024 * 1024


def review_note(contact: Contact) -> ReviewEvent | None:
    """The reviewer's comment that sent the contact back to its auditor, while it is back with them."""
    wanted = NOTE_OF.get(contact.status)
    return next((event for event in reversed(contact.events) if event.action is wanted), None)


def auditor_may_edit(contact: Contact) -> bool:
    """Whether the signed-in person is the contact's auditor and may still change it."""
    return contact.auditor_id == current_user.id and contact.status in EDITABLE_BY_AUDITOR


def form_page(
    contact: Contact,
    values: Mapping[str, str],
    *,
    problems: Iterable[tuple[str | None, str]] = (),
    status: int = 200,
    review: bool = False,
    upload_form: EvidenceForm | None = None,
    send_form: SendForm | None = None,
) -> tuple[str, int]:
    """The contact form showing ``values`` with every problem next to its field.

    ``review``: a reviewer corrects the contact (no drafts, no uploads, no retries). An email
    contact's auditor also gets the panel that sends it (``send_form``: a refused one, shown again).
    """
    assignment = contact.assignment
    timezone = timezone_of(contact)
    attempts = attempts_of(db.session, assignment)
    form = ContactFields(assignment.channel, values)
    placed = place_problems(form, problems, contact.rubric)
    if upload_form is None:
        upload_form = EvidenceForm(formdata=None)
    upload_form.set_channel(assignment.channel)
    retry_possible = not review and can_retry(assignment, attempts)
    filled = fill_for_assignment(db.session, assignment)
    panel = None
    if assignment.channel is Channel.EMAIL and not review and auditor_may_edit(contact):
        panel = email_panel(contact, filled, send_form)
    page = render_template(
        "fieldwork/contact_form.html",
        contact=contact,
        assignment=assignment,
        school=assignment.school,
        scenario=assignment.scenario,
        filled=filled,
        email_panel=panel,
        district=assignment.round.district,
        timezone=timezone,
        attempts=attempts,
        form=form,
        values=values,
        placed=placed,
        measured=preview_timings(dict(values), contact.rubric, calendar_of(contact)),
        derived=derived_texts(
            contact.rubric, preview_derived(dict(values), contact.rubric, calendar_of(contact))
        ),
        editable=review or auditor_may_edit(contact),
        review=review,
        note=review_note(contact),
        upload_form=upload_form,
        retry_possible=retry_possible,
        suggestion=suggested_slot(assignment, attempts, timezone) if retry_possible else None,
    )
    return page, status


def contact_page(
    contact: Contact,
    *,
    status: int = 200,
    return_form: ReturnForm | None = None,
    reopen_form: ReopenForm | None = None,
) -> tuple[str, int]:
    """Everything a contact holds; for those who review it, the review buttons, the edit log, what does
    not add up and what approving it changes for the school (``review_page.review_context``)."""
    may_review = can(Action.REVIEW_CONTACTS, contact)
    page = render_template(
        "fieldwork/contact.html",
        contact=contact,
        assignment=contact.assignment,
        timezone=timezone_of(contact),
        responses={response.item_id: response for response in contact.responses},
        may_review=may_review,
        return_form=return_form or ReturnForm(formdata=None),
        reopen_form=reopen_form or ReopenForm(formdata=None),
        attempts=attempts_of(db.session, contact.assignment),
        **review_context(contact, may_review),
    )
    return page, status
