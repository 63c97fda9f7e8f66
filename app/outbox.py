"""Sending the email outbox: every due email, one at a time, each marked sent or retried later.

``send_outbox`` is run by the task ``touchpoint.send_outbox``: queued right after a
change that wrote emails commits (``kick_outbox``) and, under Celery beat, every
minute; without a worker, by ``flask outbox send`` from cron. A broker that is
down when the change commits or an SMTP server that refuses only delays the
emails: they stay in the outbox until a try succeeds, and each goes out once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from celery import shared_task

from app.extensions import db
from app.mail import send_message
from app.tasks import queue_now
from audits.outbox import claim, due, mark_failed, mark_sent
from audits.timeutil import utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OutboxReport:
    """What one pass over the outbox did."""

    sent: int
    failed: int

    def summary(self) -> str:
        """``sent N, failed F``."""
        return f"sent {self.sent}, failed {self.failed}"


def send_outbox(now: datetime | None = None, limit: int = 100) -> OutboxReport:
    """Send every due email of the outbox (at most ``limit``), committing after each."""
    sent = failed = 0
    for email_id in due(db.session, now or utcnow(), limit):
        email = claim(db.session, email_id, now or utcnow())
        db.session.commit()  # the claim holds before anything goes out
        if email is None:
            continue  # another sender has it, or sent it
        try:
            send_message(email.recipient, email.subject, email.text, email.html)
        except Exception as error:  # SMTP down, a refused address: try again later
            log.warning("email %s to %s not sent (%s); it will be retried", email.id, email.recipient, error)
            mark_failed(db.session, email, f"{type(error).__name__}: {error}", now or utcnow())
            db.session.commit()
            failed += 1
            continue
        mark_sent(db.session, email, now or utcnow())
        db.session.commit()
        sent += 1
    return OutboxReport(sent, failed)


@shared_task(name="touchpoint.send_outbox")
def send_outbox_task() -> str:
    """Send the outbox's due emails; returns ``sent N, failed F``."""
    return send_outbox().summary()


def kick_outbox() -> bool:
    """Ask for the outbox to be sent now; a broker that is down is logged (beat or cron sends later)."""
    try:
        queue_now(send_outbox_task)
    except Exception:  # the emails are safe in the outbox
        db.session.rollback()
        log.warning("could not queue the outbox (is the broker down?); its emails wait", exc_info=True)
        return False
    return True
