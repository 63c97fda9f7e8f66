"""Sending an email contact through the persona's mailbox, with the scenario's subject and body.

The auditor reviews the filled script's email (``draft_from_script``: the "Subject:" step and the
"Body" step's indented text) and sends it. ``send_contact_email`` gives it a unique Message-ID and a
reply address naming the contact (``audits.mail.addresses``), files the exact bytes sent as the
contact's evidence (``message/rfc822``), records when the server took it and when a reply is due
(``audits.mail.deadline``), and prefills the draft's sent time and text. Nothing is kept unless the
SMTP server accepted the message: on any refusal the evidence file is removed again and the
caller rolls back.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from sqlalchemy.orm import Session

from audits.errors import ConflictError, MailServerError, NotAllowedError, ValidationError
from audits.fieldwork.drafts import form_values, format_local, save_draft
from audits.fieldwork.evidence import delete_evidence, store_evidence
from audits.fieldwork.workflow import EDITABLE_BY_AUDITOR
from audits.mail.addresses import message_id, new_token, plus_address
from audits.mail.credentials import Vault
from audits.mail.deadline import district_reply_due
from audits.mail.mailboxes import one_line
from audits.mail.transport import DEFAULT_TIMEOUT, send_message
from audits.models import AuditorProfile, Channel, Contact, Evidence, PersonaMailbox, ReplyStatus, User
from audits.models.contact import sent_file_name

MAX_SUBJECT = 300
MAX_BODY = 50_000
_SUBJECT = re.compile(r"^\s*(?:\d+[.)]\s*)?(?:Subject|Asunto)\s*:\s*(?P<subject>.+?)\s*$", re.IGNORECASE)
_BODY = re.compile(r"^\s*(?:\d+[.)]\s*)?(?:Body|Cuerpo)\b[^:]*:\s*$", re.IGNORECASE)
_NEXT_STEP = re.compile(r"^\s{0,3}\d+[.)]\s")
_LIST_ITEM = re.compile(r"^\s*(?:\d+[.)]|[-*•])\s")
WRAPPED = 50


@dataclass(frozen=True)
class EmailDraft:
    """The email an auditor sends: its subject and plain-text body."""

    subject: str
    body: str


def draft_from_script(script: str) -> EmailDraft:
    """The email a filled script spells out: its "Subject:" line and its "Body …:" step's text.

    The body is the indented block after the "Body" step, up to the script's next numbered
    step, dedented and its paragraphs unwrapped (``unwrap``). A script that spells out neither
    gives empty ones (the auditor writes them).
    """
    lines = script.splitlines()
    subject = ""
    body: list[str] = []
    for number, line in enumerate(lines):
        if not subject and (found := _SUBJECT.match(line)):
            subject = found.group("subject")
        elif not body and _BODY.match(line):
            for following in lines[number + 1 :]:
                if _NEXT_STEP.match(following):
                    break
                body.append(following)
    return EmailDraft(subject, unwrap(textwrap.dedent("\n".join(body)).strip()))


def unwrap(text: str) -> str:
    """Undo the hard wraps of a script's paragraphs (written at about 80 characters a line).

    A line joins the one before when that one is long (a wrapped line, ``WRAPPED`` characters or
    more): paragraphs become one line each, which every mail program wraps to its window, while
    short lines (a greeting, "Thank you,", the name below it) and list items keep their own line.
    """
    lines: list[str] = []
    for line in text.splitlines():
        previous = lines[-1] if lines else ""
        if previous.strip() and line.strip() and len(previous) >= WRAPPED and not _LIST_ITEM.match(line):
            lines[-1] = f"{previous.rstrip()} {line.strip()}"
        else:
            lines.append(line.rstrip())
    return "\n".join(lines)


def mailbox_for(session: Session, contact: Contact) -> PersonaMailbox | None:
    """The persona mailbox the contact's auditor sends from, if their persona has one."""
    profile = session.get(AuditorProfile, contact.auditor_id)
    return profile.mailbox if profile is not None else None


@dataclass(frozen=True)
class SentEmail:
    """What sending recorded: the evidence filed, the Message-ID, when it was sent and the reply is due."""

    evidence: Evidence
    message_id: str
    reply_to: str
    sent_at: datetime
    reply_due_at: datetime


def _check(contact: Contact, user: User, mailbox: PersonaMailbox | None, draft: EmailDraft) -> PersonaMailbox:
    if contact.auditor_id != user.id:
        raise NotAllowedError("contact", "only the contact's auditor sends its email")
    if contact.assignment.channel is not Channel.EMAIL:
        raise ConflictError("contact", "only an email contact is sent as an email")
    if contact.status not in EDITABLE_BY_AUDITOR:
        raise ConflictError("status", f"the contact is {contact.status.value}; it cannot be sent now")
    if contact.sent_at is not None:
        raise ConflictError("contact", "this attempt's email has already been sent")
    if mailbox is None or mailbox.district_id != contact.assignment.round.district_id:
        raise ConflictError(
            "mailbox", "your persona has no mailbox to send from: ask your district leader to assign one"
        )
    problems: list[tuple[str | None, str]] = []
    if not contact.assignment.school.email:
        problems.append(("school", "the school has no email address: add it on the school's page"))
    subject = draft.subject.strip()
    if not subject:
        problems.append(("subject", "enter the email's subject"))
    elif len(subject) > MAX_SUBJECT or not one_line(subject):
        problems.append(("subject", f"keep the subject to one line of at most {MAX_SUBJECT} characters"))
    if not draft.body.strip():
        problems.append(("body", "enter the email's text"))
    elif len(draft.body) > MAX_BODY:
        problems.append(("body", f"keep the text under {MAX_BODY:,} characters"))
    elif "\x00" in draft.body:
        problems.append(("body", "the text holds a character no email can carry (NUL): remove it"))
    if problems:
        raise ValidationError.many(problems)
    return mailbox


def compose(
    mailbox: PersonaMailbox, to: str, draft: EmailDraft, token: str, moment: datetime
) -> tuple[EmailMessage, str]:
    """The message for a contact, and its reply address: plus-addressed where the mailbox allows it."""
    reply_to = plus_address(mailbox.address, token) if mailbox.plus_addressing else mailbox.address
    message = EmailMessage(policy=policy.SMTP)
    message["From"] = mailbox.sender
    message["To"] = to
    if reply_to != mailbox.address:
        message["Reply-To"] = reply_to
    message["Subject"] = draft.subject.strip()
    message["Date"] = format_datetime(moment)
    message["Message-ID"] = message_id(token, mailbox.address)
    message.set_content(draft.body.strip() + "\n")
    return message, reply_to


def send_contact_email(
    session: Session,
    contact: Contact,
    user: User,
    draft: EmailDraft,
    vault: Vault,
    *,
    clock: Callable[[], datetime],
    folder: Path,
    max_bytes: int,
    timeout: float = DEFAULT_TIMEOUT,
) -> SentEmail:
    """Send the contact's email through its auditor's persona mailbox; the caller commits.

    On ``MailServerError`` (or any domain error) nothing is kept: the evidence file is removed
    and the caller rolls back.
    """
    mailbox = _check(contact, user, mailbox_for(session, contact), draft)
    password = vault.decrypt(mailbox.smtp_password_encrypted)
    school_address = contact.assignment.school.email or ""
    token = new_token()
    message, reply_to = compose(mailbox, school_address, draft, token, clock())
    data = message.as_bytes()
    contact.sent_mailbox_id = mailbox.id
    contact.sent_message_id = str(message["Message-ID"])
    contact.reply_token = token
    contact.sent_subject = draft.subject.strip()[:500]
    # A step of its own: a second Send of the same contact at the same moment finds the revision moved
    # on (its UPDATE waits for this one, then matches nothing) and is refused, never sent twice.
    contact.revision += 1
    session.flush()
    evidence = store_evidence(
        session, contact, data, sent_file_name(token), "Email sent", user, folder, max_bytes
    )
    try:
        send_message(mailbox, password, [school_address], data, timeout)
    except MailServerError:
        delete_evidence(session, evidence, folder)
        raise
    sent_at = clock()
    district = contact.assignment.round.district
    contact.sent_at = sent_at
    contact.reply_due_at = district_reply_due(district, sent_at)
    contact.reply_status = ReplyStatus.AWAITING
    values = form_values(contact, district.timezone)
    values["started_at"] = format_local(sent_at, district.timezone)
    values["sent_text"] = f"Subject: {draft.subject.strip()}\n\n{draft.body.strip()}"
    save_draft(contact, values, user, now=sent_at)
    session.flush()
    return SentEmail(evidence, contact.sent_message_id, reply_to, sent_at, contact.reply_due_at)
