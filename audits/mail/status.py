"""Where email contacts sent through Touchpoint stand with their replies, as auditors and leaders read it.

An auditor's assignment says "Sent 09:14, awaiting reply (due by Thu 15:00)"; a round counts the
replies awaited, received (some late) and overdue. Both read a contact's ``sent_at``,
``reply_due_at``, ``reply_received_at`` and ``reply_status`` (the mailbox poll fills the last two)
against the moment given, so the figures hold before the poll has marked a deadline passed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from audits.mail.deadline import reply_status
from audits.models import Assignment, Contact, ReplyStatus


@dataclass(frozen=True)
class MailStatus:
    """A sent contact's standing: a key (``awaiting``, ``received``, ``late``, ``no_reply``) and words."""

    key: str
    text: str


def _when(moment: datetime, timezone: str, now: datetime) -> str:
    """``09:14`` today, ``Thu 15:00`` within a week, ``Thu, Feb 4 15:00`` further off (district time)."""
    zone = ZoneInfo(timezone)
    local, today = moment.astimezone(zone), now.astimezone(zone)
    if local.date() == today.date():
        return local.strftime("%H:%M")
    if abs((local.date() - today.date()).days) < 7:
        return local.strftime("%a %H:%M")
    return f"{local.strftime('%a, %b')} {local.day} {local.strftime('%H:%M')}"


def standing(contact: Contact, now: datetime) -> ReplyStatus | None:
    """Where a sent contact stands at ``now`` (``None``: not sent through Touchpoint)."""
    if contact.sent_at is None or contact.reply_due_at is None:
        return None
    if contact.reply_status is ReplyStatus.NO_REPLY and contact.reply_received_at is None:
        return ReplyStatus.NO_REPLY
    return reply_status(contact.reply_due_at, contact.reply_received_at, now)


def mail_status(contact: Contact, timezone: str, now: datetime) -> MailStatus | None:
    """The words for a sent contact: "Sent 09:14, awaiting reply (due by Thu 15:00)" and the like."""
    status = standing(contact, now)
    if status is None or contact.sent_at is None or contact.reply_due_at is None:
        return None
    sent = f"Sent {_when(contact.sent_at, timezone, now)}"
    due = _when(contact.reply_due_at, timezone, now)
    received = contact.reply_received_at
    if status is ReplyStatus.AWAITING:
        return MailStatus(status.value, f"{sent}, awaiting reply (due by {due})")
    if status is ReplyStatus.NO_REPLY:
        return MailStatus(status.value, f"{sent}, no reply by the deadline ({due})")
    assert received is not None
    if status is ReplyStatus.LATE:
        return MailStatus(
            status.value, f"{sent}, reply came late: {_when(received, timezone, now)} (due {due})"
        )
    return MailStatus(status.value, f"{sent}, reply received {_when(received, timezone, now)}")


def mail_statuses(
    session: Session, assignments: Iterable[Assignment], timezone: str, now: datetime
) -> dict[int, MailStatus]:
    """Each assignment's latest attempt sent through Touchpoint, its standing by assignment id (one query)."""
    ids = [assignment.id for assignment in assignments]
    if not ids:
        return {}
    latest: dict[int, Contact] = {}
    for contact in session.scalars(
        select(Contact)
        .where(Contact.assignment_id.in_(ids), Contact.sent_at.is_not(None))
        .order_by(Contact.assignment_id, Contact.attempt)
    ):
        latest[contact.assignment_id] = contact
    found = {assignment_id: mail_status(c, timezone, now) for assignment_id, c in latest.items()}
    return {assignment_id: status for assignment_id, status in found.items() if status is not None}


@dataclass(frozen=True)
class ReplyCounts:
    """A round's email contacts sent through Touchpoint: replies awaited, received (of them late), overdue."""

    sent: int
    awaiting: int
    received: int
    late: int
    overdue: int


def reply_counts(session: Session, round_id: int, now: datetime) -> ReplyCounts:
    """Count the round's sent email contacts by where their replies stand at ``now`` (one query)."""
    rows = session.execute(
        select(Contact.reply_due_at, Contact.reply_received_at, Contact.reply_status, func.count())
        .join(Assignment, Assignment.id == Contact.assignment_id)
        .where(
            Assignment.round_id == round_id, Contact.sent_at.is_not(None), Contact.reply_due_at.is_not(None)
        )
        .group_by(Contact.reply_due_at, Contact.reply_received_at, Contact.reply_status)
    )
    tally = dict.fromkeys(ReplyStatus, 0)
    for due, received, marked, count in rows:
        if marked is ReplyStatus.NO_REPLY and received is None:
            tally[ReplyStatus.NO_REPLY] += count
        else:
            tally[reply_status(due, received, now)] += count
    return ReplyCounts(
        sent=sum(tally.values()),
        awaiting=tally[ReplyStatus.AWAITING],
        received=tally[ReplyStatus.RECEIVED] + tally[ReplyStatus.LATE],
        late=tally[ReplyStatus.LATE],
        overdue=tally[ReplyStatus.NO_REPLY],
    )
