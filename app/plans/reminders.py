"""Overdue action reminders: one email per principal, at most once a school day, through the outbox.

The domain (``audits.plans.reminders``) decides what is overdue and not yet reminded today; this
module writes the emails to the outbox, records the reminders and commits once, then asks for the
outbox to be sent. ``send_plan_reminders_task`` is the hourly Celery task
(``touchpoint.send_plan_reminders``); ``flask reminders plans`` runs the same from cron.
"""

from __future__ import annotations

import logging
from datetime import datetime

from celery import shared_task
from flask import current_app

from app.extensions import db
from app.links import public_base_url
from app.outbox import kick_outbox
from app.plans.emails import PLAN_OVERDUE, reminder_email
from audits.outbox import enqueue
from audits.plans.reminders import due_plan_reminders, record_sent
from audits.timeutil import utcnow

log = logging.getLogger(__name__)


def send_plan_reminders(now: datetime | None = None, respect_hour: bool = False) -> tuple[int, int]:
    """Write every principal's overdue reminder due at ``now`` to the outbox and log them; commit once.

    With ``respect_hour``, districts where it is not yet ``REMINDER_HOUR`` are left for a later run.
    Returns the emails written and the actions they remind.
    """
    hour = current_app.config["REMINDER_HOUR"] if respect_hour else None
    reminders = due_plan_reminders(db.session, now or utcnow(), not_before_hour=hour)
    base_url = public_base_url()
    for reminder in reminders:
        email = reminder_email(reminder, base_url)
        enqueue(db.session, PLAN_OVERDUE, email.to, email.subject, email.text, email.html)
    actions = record_sent(db.session, reminders)
    db.session.commit()
    if reminders:
        kick_outbox()
        log.info("queued %d overdue-action reminders (%d actions)", len(reminders), actions)
    return len(reminders), actions


@shared_task(name="touchpoint.send_plan_reminders")
def send_plan_reminders_task(now: str | None = None, respect_hour: bool = True) -> int:
    """Queue the overdue-action reminders that are due (by default only where ``REMINDER_HOUR`` has come).

    Safe to run every hour: an action is reminded at most once a school day. ``now`` is an ISO
    date-time with an offset, for tests and catching up. Returns the emails queued.
    """
    moment = datetime.fromisoformat(now) if now else None
    return send_plan_reminders(moment, respect_hour=respect_hour)[0]
