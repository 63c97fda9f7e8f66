"""A persona mailbox on the real local servers and an email contact sent through it."""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from sqlalchemy.orm import Session

from audits.fieldwork.contacts import start_contact
from audits.mail.credentials import Vault
from audits.mail.deadline import district_reply_due
from audits.mail.poll import EvidenceFolder
from audits.models import Contact, MailSecurity, PersonaMailbox, ReplyStatus
from tests.audits.fieldwork_helpers import Fieldwork, build_fieldwork
from tests.mail_servers import MailAccount

SCHOOL_EMAIL = "office@abess.school.test"
SUBJECT = "Enrolling my daughter in third grade"
# Tuesday 2 February 2027, 09:14 in New York: a school day of the fieldwork district (07:30-16:00).
SENT = datetime(2027, 2, 2, 14, 14, tzinfo=UTC)
VAULT = Vault.of("", "a test secret key")


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
        local, _, domain = self.account.address.partition("@")
        return f"{local}+{self.token}@{domain}"


def persona_mailbox(
    session: Session, fieldwork: Fieldwork, account: MailAccount, **overrides: object
) -> PersonaMailbox:
    """The district's persona mailbox, pointed at the local servers."""
    values: dict[str, object] = {
        "district_id": fieldwork.district.id,
        "address": account.address,
        "smtp_host": account.host,
        "smtp_port": account.smtp_port,
        "smtp_security": MailSecurity.NONE,
        "smtp_username": account.address,
        "smtp_password_encrypted": VAULT.encrypt(account.password),
        "imap_host": account.host,
        "imap_port": account.imap_port,
        "imap_security": MailSecurity.NONE,
        "imap_username": account.address,
        "imap_password_encrypted": VAULT.encrypt(account.password),
        "plus_addressing": True,
    }
    values.update(overrides)
    mailbox = PersonaMailbox(**values)
    session.add(mailbox)
    session.flush()
    return mailbox


def send_email_contact(session: Session, account: MailAccount, token: str = "k7c1") -> Sent:
    """Send the fieldwork world's email contact through the local SMTP server, as Touchpoint sends it."""
    fieldwork = build_fieldwork(session)
    fieldwork.school.email = SCHOOL_EMAIL
    mailbox = persona_mailbox(session, fieldwork, account)
    contact = start_contact(session, fieldwork.email, fieldwork.auditor)
    message_id = f"<touchpoint.{token}@touchpoint.test>"
    local, _, domain = account.address.partition("@")
    message = EmailMessage()
    message["From"] = f"Pat Parent <{account.address}>"
    message["To"] = SCHOOL_EMAIL
    message["Reply-To"] = f"{local}+{token}@{domain}"
    message["Subject"] = SUBJECT
    message["Date"] = format_datetime(SENT)
    message["Message-ID"] = message_id
    message.set_content("Hello, what do I need to enrol my daughter in third grade?")
    with smtplib.SMTP(account.host, account.smtp_port, timeout=10) as smtp:
        smtp.login(account.address, account.password)
        smtp.send_message(message)
    contact.sent_mailbox_id = mailbox.id
    contact.sent_message_id = message_id
    contact.reply_token = token
    contact.sent_subject = SUBJECT
    contact.sent_at = SENT
    contact.reply_due_at = district_reply_due(fieldwork.district, SENT)
    contact.reply_status = ReplyStatus.AWAITING
    contact.sent_text = message.get_content()
    session.commit()
    return Sent(fieldwork, mailbox, contact, account, message_id, token)


def evidence_folder(tmp_path: Path) -> EvidenceFolder:
    """Where the tests' replies are stored."""
    folder = tmp_path / "evidence"
    folder.mkdir(exist_ok=True)
    return EvidenceFolder(folder, 10 * 1024 * 1024)
