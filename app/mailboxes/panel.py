"""The contact form's "Send the email" panel: the persona's mailbox, the script's email, where it stands."""

from __future__ import annotations

from dataclasses import dataclass

from wtforms import StringField, TextAreaField

from app import clock
from app.extensions import db
from app.forms import SiteForm
from audits.mail.sending import EmailDraft, draft_from_script, mailbox_for
from audits.mail.status import MailStatus, mail_status
from audits.models import Contact, PersonaMailbox
from audits.script_values import FilledScenario


class SendForm(SiteForm):
    """The email the auditor sends: the scenario's subject and text, which they may adjust."""

    subject = StringField("Subject")
    body = TextAreaField("Text", render_kw={"rows": 14})

    def draft(self) -> EmailDraft:
        """The email as the domain takes it."""
        return EmailDraft(self.subject.data or "", self.body.data or "")


@dataclass(frozen=True)
class EmailPanel:
    """What the panel shows: who sends to whom, the email, and once sent, where the reply stands."""

    mailbox: PersonaMailbox | None
    to: str
    form: SendForm
    status: MailStatus | None

    @property
    def can_send(self) -> bool:
        """A mailbox, a school address, and not sent yet."""
        return self.mailbox is not None and bool(self.to) and self.status is None


def email_panel(contact: Contact, filled: FilledScenario, form: SendForm | None = None) -> EmailPanel:
    """The panel of an email contact; ``form`` is a refused submission to show again, else the script's."""
    if form is None:
        draft = draft_from_script(filled.script)
        form = SendForm(formdata=None, data={"subject": draft.subject, "body": draft.body})
    timezone = contact.assignment.round.district.timezone
    return EmailPanel(
        mailbox=mailbox_for(db.session, contact),
        to=contact.assignment.school.email or "",
        form=form,
        status=mail_status(contact, timezone, clock.now()),
    )
