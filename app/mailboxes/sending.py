"""Sending an email contact from the contact form, through the persona's mailbox."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from app import clock
from app.errors import status_for
from app.extensions import db
from app.fieldwork.display import helpers
from app.fieldwork.pages import contact_or_404, evidence_folder, form_page, max_evidence_bytes, timezone_of
from app.forms import apply_errors
from app.mailboxes.credentials import vault
from app.mailboxes.panel import SendForm
from app.permissions import require
from audits.access import Action
from audits.errors import DomainError
from audits.fieldwork.drafts import form_values
from audits.mail.sending import send_contact_email
from audits.mail.status import mail_status

blueprint = Blueprint("sending", __name__)
blueprint.context_processor(helpers)  # the contact form's, shown again when the email is refused


@blueprint.route("/contacts/<int:contact_id>/send", methods=["POST"])
@login_required
def send(contact_id: int) -> Response | tuple[str, int]:
    """Send the contact's email; a refusal (the server's words) comes back on the form, nothing kept."""
    contact = contact_or_404(contact_id)
    require(Action.RECORD_CONTACTS, contact)
    form = SendForm()
    try:
        send_contact_email(
            db.session,
            contact,
            current_user,
            form.draft(),
            vault(),
            clock=clock.now,
            folder=evidence_folder(),
            max_bytes=max_evidence_bytes(),
            timeout=float(current_app.config["MAIL_TIMEOUT_SECONDS"]),
        )
    except DomainError as error:
        db.session.rollback()
        apply_errors(form, error)
        return form_page(contact, form_values(contact, timezone_of(contact)), status=status_for(error),
                         send_form=form)  # fmt: skip
    status = mail_status(contact, timezone_of(contact), clock.now())
    school = contact.assignment.school.name
    assignment_id = contact.assignment_id
    db.session.commit()
    flash(f"Email sent to {school}: {status.text.lower() if status else 'sent'}.", "success")
    return redirect(url_for("fieldwork.contact_form", assignment_id=assignment_id, _anchor="email"))
