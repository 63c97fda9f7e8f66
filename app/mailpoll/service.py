"""Polling every persona mailbox: from the beat task ``touchpoint.poll_mailboxes`` or ``flask mail poll``.

Each mailbox is read with its decrypted IMAP password (``audits.mail.credentials``); one that
fails is recorded and skipped, the others go on, and the job never fails for a mail server.
Then the deadline sweep marks sent emails with no reply past their deadline.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from celery import shared_task
from sqlalchemy import select

from app.clock import now as clock_now
from app.extensions import db
from app.fieldwork.pages import evidence_folder, max_evidence_bytes
from app.mailboxes.credentials import vault
from audits.errors import DomainError
from audits.mail.poll import EvidenceFolder, PollResult, mark_no_reply, poll_mailbox, record_failure
from audits.models import Contact, MessageState, PersonaMailbox

log = logging.getLogger(__name__)


@dataclass
class PollReport:
    """What one run over every mailbox did."""

    results: list[PollResult] = field(default_factory=list)
    no_reply: list[Contact] = field(default_factory=list)

    def summary(self) -> str:
        """One line for the log and the command line."""
        read = sum(result.fetched for result in self.results)
        replies = sum(result.count(MessageState.COUNTED) for result in self.results)
        failed = sum(1 for result in self.results if result.error)
        skipped = sum(1 for result in self.results if result.skipped)
        return (
            f"mailboxes {len(self.results)}, read {read}, replies {replies}, failed {failed}, "
            f"waiting to retry {skipped}, marked no reply {len(self.no_reply)}"
        )


def reply_evidence() -> EvidenceFolder:
    """Where captured replies are stored, and the largest accepted."""
    return EvidenceFolder(Path(evidence_folder()), max_evidence_bytes())


def poll_all(now: datetime | None = None, *, force: bool = False) -> PollReport:
    """Read every mailbox with an IMAP server, then mark overdue sent emails "no reply"."""
    now = now or clock_now()
    report = PollReport()
    ids = list(db.session.scalars(select(PersonaMailbox.id).where(PersonaMailbox.imap_host != "")))
    keys = vault()
    for mailbox_id in ids:
        mailbox = db.session.get(PersonaMailbox, mailbox_id)
        if mailbox is None:
            continue
        try:
            password = keys.decrypt(mailbox.imap_password_encrypted)
        except DomainError as error:  # the key changed since the password was stored: say so on the mailbox
            db.session.rollback()
            result = PollResult(mailbox_id, error=error.reason)
            record_failure(db.session, mailbox, now, error.reason)
            report.results.append(result)
            continue
        try:
            result = poll_mailbox(db.session, mailbox, password, now, reply_evidence(), force=force)
        except Exception as error:  # a bug must not stop the other mailboxes; it is logged and shown
            log.exception("polling mailbox %s failed", mailbox_id)
            db.session.rollback()
            words = f"Reading the mailbox stopped on an unexpected error: {error}"
            result = PollResult(mailbox_id, error=words)
            mailbox = db.session.get(PersonaMailbox, mailbox_id)
            if mailbox is not None:
                record_failure(db.session, mailbox, now, result.error[:1000])
        report.results.append(result)
    report.no_reply = mark_no_reply(db.session, now)
    db.session.commit()
    log.info("mail poll: %s", report.summary())
    return report


@shared_task(name="touchpoint.poll_mailboxes")
def poll_mailboxes_task() -> str:
    """Read every persona mailbox; returns the run's summary."""
    return poll_all().summary()
