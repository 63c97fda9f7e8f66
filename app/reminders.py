"""Reminder emails: one per auditor, listing their contacts due next school day and overdue.

The domain (``audits.reminders``) decides what is due; this module writes and
sends the emails, records what went out and commits once. Emails name the
school, channel, slot and day, and link to the assignments page; never the
script, which auditors read signed in. ``send_reminders_task`` is the hourly
Celery task (``touchpoint.send_reminders``) that runs ``send_reminders``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from celery import shared_task
from flask import current_app, render_template_string

from app.extensions import db
from app.links import public_base_url
from app.mail import send_message
from audits.reminders import AuditorReminders, Reminder, due_reminders, group_by_auditor, record_sent
from audits.timeutil import utcnow
from audits.vocabulary import channel_noun, count_of

log = logging.getLogger(__name__)

HTML = """\
<p>Hello {{ name }},</p>
{% for heading, reminders in sections %}
<p><strong>{{ heading }}</strong></p>
<ul>
  {% for line in reminders %}<li>{{ line }}</li>
  {% endfor %}
</ul>
{% endfor %}
<p><a href="{{ link }}">Open your assignments</a> to see each script and record the contact.</p>
<p style="color:#666">Touchpoint sends these reminders once a day, on school days.</p>
"""


@dataclass(frozen=True)
class ReminderEmail:
    """One auditor's reminder email."""

    to: str
    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class SendReport:
    """What a run sent: emails, the assignments they listed, and auditors whose email failed."""

    emails: int
    assignments: int
    failed: int


def _contacts(count: int) -> str:
    return count_of(count, "contact")


def _day(day: date) -> str:
    return f"{day:%A}, {day:%B} {day.day}"


def _when(reminders: list[Reminder]) -> str:
    """``tomorrow``, ``on Monday`` or, when the due days differ, ``next school day``."""
    due_days = {reminder.due_day for reminder in reminders}
    if len(due_days) > 1:
        return "next school day"
    due_day = due_days.pop()
    if all(reminder.today + timedelta(days=1) == due_day for reminder in reminders):
        return "tomorrow"
    return f"on {due_day:%A}"


def _line(reminder: Reminder, with_day: bool) -> str:
    line = f"{reminder.school_name}: {channel_noun(reminder.channel)}, {reminder.slot.label.lower()}"
    return f"{line}, due {_day(reminder.due_day)}" if with_day else line


def build_email(group: AuditorReminders, base_url: str) -> ReminderEmail:
    """Write ``group``'s email: a subject with the counts, a plain-text body and an HTML one."""
    parts = []
    sections = []
    if group.due_soon:
        when = _when(group.due_soon)
        mixed_days = when == "next school day"
        parts.append(f"{_contacts(len(group.due_soon))} due {when}")
        heading = {
            "next school day": "Due next school day",
            "tomorrow": f"Due tomorrow, {_day(group.due_soon[0].due_day)}",
        }.get(when, f"Due {_day(group.due_soon[0].due_day)}")
        sections.append((heading, [_line(r, with_day=mixed_days) for r in group.due_soon]))
    if group.overdue:
        parts.append(f"{len(group.overdue)} overdue" if parts else f"{_contacts(len(group.overdue))} overdue")
        sections.append(("Overdue", [_line(r, with_day=True) for r in group.overdue]))
    link = f"{base_url}/assignments/"
    text = [f"Hello {group.name},", ""]
    for heading, lines in sections:
        text += [f"{heading}:", *(f"  - {line}" for line in lines), ""]
    text += [
        "Open your assignments to see each script and record the contact:",
        link,
        "",
        "Touchpoint sends these reminders once a day, on school days.",
    ]
    html = render_template_string(HTML, name=group.name, sections=sections, link=link)
    return ReminderEmail(group.email, f"Touchpoint: {', '.join(parts)}", "\n".join(text) + "\n", html)


def send_reminders(now: datetime | None = None, respect_hour: bool = False) -> SendReport:
    """Email every auditor their reminders due at ``now`` (default: this moment) and log them.

    With ``respect_hour``, districts where it is not yet ``REMINDER_HOUR`` are left
    for a later run. An email that fails is logged and its reminders stay unsent,
    for the next run; the others go out. Commits once.
    """
    now = now or utcnow()
    hour = current_app.config["REMINDER_HOUR"] if respect_hour else None
    base_url = public_base_url()
    sent: list[Reminder] = []
    emails = failed = 0
    for group in group_by_auditor(due_reminders(db.session, now, not_before_hour=hour)).values():
        email = build_email(group, base_url)
        try:
            send_message(email.to, email.subject, email.text, email.html)
        except Exception:  # any failure (SMTP, network, a bad address) must not stop the others
            log.exception("could not email reminders to auditor %s", group.auditor_id)
            failed += 1
            continue
        sent += group.reminders
        emails += 1
    record_sent(db.session, sent)
    db.session.commit()
    if emails or failed:
        log.info("sent %d reminder emails (%d assignments); %d failed", emails, len(sent), failed)
    return SendReport(emails, len(sent), failed)


@shared_task(name="touchpoint.send_reminders")
def send_reminders_task(now: str | None = None, respect_hour: bool = True) -> int:
    """Send the reminder emails that are due (by default only where ``REMINDER_HOUR`` has come).

    Safe to run every hour: a reminder goes out at most once a day. ``now`` is an
    ISO date-time with an offset, for tests and catching up. Returns the emails sent.
    """
    moment = datetime.fromisoformat(now) if now else None
    return send_reminders(moment, respect_hour=respect_hour).emails
