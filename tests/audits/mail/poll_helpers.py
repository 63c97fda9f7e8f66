"""A persona mailbox on the real local servers and an email contact sent through it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.orm import Session

from audits.fieldwork.contacts import start_contact
from audits.mail.addresses import plus_address
from audits.mail.poll import EvidenceFolder
from audits.mail.sending import EmailDraft, send_contact_email
from audits.models import Contact, MailSecurity, PersonaMailbox
from tests.audits.fieldwork_helpers import Fieldwork, build_fieldwork
from tests.audits.mail_helpers import VAULT
from tests.audits.mail_helpers import persona_mailbox as mailbox_for_persona
from tests.mail_servers import MailAccount

SCHOOL_EMAIL = "office@abess.school.test"
SUBJECT = "Enrolling my daughter in third grade"
# Tuesday 2 February 2027, 09:14 in New York: a school day of the fieldwork district (07:30-16:00).
SENT = datetime(2027, 2, 2, 14, 14, tzinfo=UTC)
BODY = "Hello,\n\nWhat do I need to enrol my daughter in third grade?\n\nPat"
MAX_BYTES = 10 * 1024 * 1024


@dataclass
class Sent:
    """The fieldwork world, the persona mailbox on the local servers, and the sent email contact."""

    fieldwork: Fieldwork
    mailbox: PersonaMailbox
    contact: Contact
    account: MailAccount
    message_id: str
    token: str

    @property
    def reply_address(self) -> str:
        """The contact's plus-address."""
        return plus_address(self.account.address, self.token)


def persona_mailbox(
    session: Session, fieldwork: Fieldwork, account: MailAccount, **overrides: object
) -> PersonaMailbox:
    """Another persona mailbox of the district, pointed at the local servers (for a second account)."""
    values: dict[str, object] = {
        "district_id": fieldwork.district.id,
        "address": account.address,
        "smtp_host": account.host,
        "smtp_port": account.smtp_port,
        "smtp_security": MailSecurity.NONE,
        "imap_host": account.host,
        "imap_port": account.imap_port,
        "imap_security": MailSecurity.NONE,
        "imap_username": account.address,
        "imap_password_encrypted": VAULT.encrypt(account.password),
    }
    values.update(overrides)
    mailbox = PersonaMailbox(**values)
    session.add(mailbox)
    session.flush()
    return mailbox


def send_email_contact(session: Session, account: MailAccount, folder: Path) -> Sent:
    """Send the fieldwork world's email contact as the auditor does: through the local SMTP server."""
    fieldwork = build_fieldwork(session)
    fieldwork.school.email = SCHOOL_EMAIL
    mailbox = mailbox_for_persona(session, fieldwork.district, fieldwork.auditor, account)
    contact = start_contact(session, fieldwork.email, fieldwork.auditor)
    session.commit()
    folder.mkdir(parents=True, exist_ok=True)
    sent = send_contact_email(
        session, contact, fieldwork.auditor, EmailDraft(SUBJECT, BODY), VAULT,
        clock=lambda: SENT, folder=folder, max_bytes=MAX_BYTES,
    )  # fmt: skip
    session.commit()
    assert contact.reply_token is not None
    return Sent(fieldwork, mailbox, contact, account, sent.message_id, contact.reply_token)


def evidence_folder(tmp_path: Path) -> EvidenceFolder:
    """Where the tests' replies are stored."""
    folder = tmp_path / "evidence"
    folder.mkdir(exist_ok=True)
    return EvidenceFolder(folder, MAX_BYTES)
