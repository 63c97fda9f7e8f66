"""The email outbox: emails written in the same transaction as the change they announce, sent later.

A publication (later, invitations and alerts) adds its emails here before it
commits, so they exist exactly when the change does. A sender takes one email at a
time with a conditional UPDATE (``claim``), so two senders never send the same one;
a sent email is marked sent, a failed try waits longer each time (``backoff``),
and an email is never dropped. Everything here flushes; the caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from audits.models import OutboxEmail
from audits.timeutil import utcnow

SCORECARDS_PUBLISHED = "scorecards_published"
# A sender's hold on an email it is sending; a sender that dies lets it lapse.
CLAIM_FOR = timedelta(minutes=5)
FIRST_RETRY = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=1)
MAX_ERROR = 1000


def enqueue(
    session: Session,
    topic: str,
    recipient: str,
    subject: str,
    text: str,
    html: str | None = None,
    round_id: int | None = None,
) -> OutboxEmail:
    """Add an email to the outbox, to go out once the caller's transaction commits."""
    email = OutboxEmail(
        topic=topic, recipient=recipient, subject=subject, text=text, html=html, round_id=round_id
    )
    session.add(email)
    session.flush()
    return email


def due(session: Session, now: datetime | None = None, limit: int = 100) -> list[int]:
    """The ids of unsent emails whose next try is due and that no sender holds, oldest first."""
    now = now or utcnow()
    return list(
        session.scalars(
            select(OutboxEmail.id)
            .where(
                OutboxEmail.sent_at.is_(None),
                OutboxEmail.next_attempt_at <= now,
                or_(OutboxEmail.claimed_until.is_(None), OutboxEmail.claimed_until < now),
            )
            .order_by(OutboxEmail.id)
            .limit(limit)
        )
    )


def claim(session: Session, email_id: int, now: datetime | None = None) -> OutboxEmail | None:
    """Take email ``email_id`` for this sender, or ``None`` when it is sent or another sender holds it."""
    now = now or utcnow()
    taken = session.execute(
        update(OutboxEmail)
        .where(
            OutboxEmail.id == email_id,
            OutboxEmail.sent_at.is_(None),
            or_(OutboxEmail.claimed_until.is_(None), OutboxEmail.claimed_until < now),
        )
        .values(claimed_until=now + CLAIM_FOR)
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount != 1:  # type: ignore[attr-defined]  # CursorResult has rowcount
        return None
    return session.get(OutboxEmail, email_id, populate_existing=True)


def backoff(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failed try: 1, 2, 4… minutes, at most an hour."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_WAIT)


def mark_sent(session: Session, email: OutboxEmail, now: datetime | None = None) -> None:
    """Record that ``email`` went out."""
    email.sent_at, email.claimed_until = now or utcnow(), None
    email.attempts += 1
    session.flush()


def mark_failed(session: Session, email: OutboxEmail, error: str, now: datetime | None = None) -> None:
    """Record a failed try; the email waits for its next one."""
    now = now or utcnow()
    email.attempts += 1
    email.last_error = error[:MAX_ERROR]
    email.next_attempt_at = now + backoff(email.attempts)
    email.claimed_until = None
    session.flush()


def waiting(session: Session) -> int:
    """How many emails are not sent yet."""
    return session.scalar(select(func.count(OutboxEmail.id)).where(OutboxEmail.sent_at.is_(None))) or 0


@dataclass(frozen=True)
class Delivery:
    """Where a round's emails stand: how many went out, and the ones still waiting (oldest first)."""

    sent: int
    waiting: list[OutboxEmail]

    @property
    def failing(self) -> list[OutboxEmail]:
        """The waiting emails whose last try failed."""
        return [email for email in self.waiting if email.last_error]


def round_delivery(session: Session, round_id: int, topic: str = SCORECARDS_PUBLISHED) -> Delivery:
    """The delivery of the emails about round ``round_id`` (by default: its publication's)."""
    emails = list(
        session.scalars(
            select(OutboxEmail)
            .where(OutboxEmail.round_id == round_id, OutboxEmail.topic == topic)
            .order_by(OutboxEmail.created_at, OutboxEmail.id)
        )
    )
    return Delivery(
        sent=sum(1 for email in emails if email.sent_at is not None),
        waiting=[email for email in emails if email.sent_at is None],
    )
