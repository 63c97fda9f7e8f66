"""Alert digests to district leaders: written into the email outbox once a day or once a week.

The domain (``audits.alerts``) decides which digests are due and what they list; this module
writes each one (plain text and HTML: schools, channels, rubric items, days and links, never a
staff member's or an auditor's name), puts it in the outbox with the record that it was written,
commits once, and asks the outbox to send. ``send_alerts_task`` is the hourly Celery task
(``touchpoint.send_alerts``); without a worker, cron runs ``flask alerts send --respect-hour``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime

from celery import shared_task
from flask import current_app, render_template_string
from sqlalchemy.exc import IntegrityError

from app import clock
from app.extensions import db
from app.links import public_base_url
from app.outbox import kick_outbox
from audits.alerts import (
    CriticalDigest,
    FieldworkLine,
    WeeklyDigest,
    critical_digests,
    record_delivery,
    weekly_digests,
)
from audits.formatting import day_words
from audits.outbox import enqueue
from audits.vocabulary import channel_noun, count_of

log = logging.getLogger(__name__)

CRITICAL_TOPIC = "alert_critical_failures"
WEEKLY_TOPIC = "alert_weekly_fieldwork"

CRITICAL_HTML = """\
<p>Hello {{ name }},</p>
<p>Reviewers approved {{ contacts|length|count_of('contact') }} with a critical failure in {{ district }}
since your last digest:</p>
<ul>
{% for contact, link in contacts %}  <li><a href="{{ link }}">{{ contact.school_name }},
    {{ channel_noun(contact.channel) }}, {{ day_words(contact.day) }}</a> ({{ contact.round_name }})<br>
    Failed: {% for item in contact.items %}&ldquo;{{ item }}&rdquo;{{ '; ' if not loop.last }}
    {%- endfor %}</li>
{% endfor %}</ul>
<p>Each contact's page has its answers and evidence.</p>
<p style="color:#666">Touchpoint sends this digest once a day at most.
<a href="{{ account }}">Choose which digests you receive</a>.</p>
"""

WEEKLY_HTML = """\
<p>Hello {{ name }},</p>
<p>Fieldwork in {{ district }}, week of {{ week }}:</p>
{% for round, board, overdue, returned in rounds %}
<h3>{{ round.round_name }}</h3>
<p>{{ round.done }} of {{ round.total|count_of('assignment') }} done;
{{ round.done_this_week|count_of('contact') }} submitted in the last 7 days.
<a href="{{ board }}">Progress board</a></p>
{% for heading, lines in (("Overdue", overdue), ("Returned to the auditor, waiting for a fix", returned)) %}
{% if lines %}<p><strong>{{ heading }} ({{ lines|length }})</strong></p>
<ul>{% for line, link in lines %}
  <li>{{ line }}{% if link %} (<a href="{{ link }}">contact</a>){% endif %}</li>{% endfor %}
</ul>{% endif %}
{% endfor %}
{% if not overdue and not returned %}<p>Nothing is overdue or returned.</p>{% endif %}
{% endfor %}
<p style="color:#666">Touchpoint sends this digest once a week.
<a href="{{ account }}">Choose which digests you receive</a>.</p>
"""


@dataclass(frozen=True)
class AlertEmail:
    """One leader's digest, written."""

    to: str
    subject: str
    text: str
    html: str
    topic: str


@dataclass(frozen=True)
class AlertReport:
    """What a run wrote to the outbox: critical-failure digests and fieldwork digests."""

    critical: int
    weekly: int

    def summary(self) -> str:
        """``wrote 2 critical-failure digests and 1 fieldwork digest``."""
        return (
            f"wrote {count_of(self.critical, 'critical-failure digest')} and "
            f"{count_of(self.weekly, 'fieldwork digest')}"
        )


def _contact_link(base_url: str, contact_id: int) -> str:
    return f"{base_url}/contacts/{contact_id}"


def critical_email(digest: CriticalDigest, base_url: str) -> AlertEmail:
    """Write ``digest``: each contact's school, channel, day, round, failed items and a link."""
    leader = digest.leader
    district = leader.district.name if leader.district else ""
    name = leader.name or leader.email
    contacts = [(contact, _contact_link(base_url, contact.contact_id)) for contact in digest.contacts]
    account = f"{base_url}/account#alerts-heading"
    lines = [
        f"Hello {name},",
        "",
        f"Reviewers approved {count_of(len(contacts), 'contact')} with a critical failure in {district} "
        "since your last digest:",
        "",
    ]
    for contact, link in contacts:
        failed = "; ".join(f"“{item}”" for item in contact.items)
        lines += [
            f"  - {contact.school_name}, {channel_noun(contact.channel)}, {day_words(contact.day)} "
            f"({contact.round_name})",
            f"    Failed: {failed}",
            f"    {link}",
        ]
    lines += [
        "",
        "Each contact's page has its answers and evidence.",
        "",
        "Touchpoint sends this digest once a day at most. Choose which digests you receive:",
        account,
    ]
    html = render_template_string(
        CRITICAL_HTML,
        name=name,
        district=district,
        contacts=contacts,
        account=account,
        channel_noun=channel_noun,
        day_words=day_words,
    )
    subject = f"Touchpoint: {count_of(len(contacts), 'critical failure')} approved"
    return AlertEmail(leader.email, subject, "\n".join(lines) + "\n", html, CRITICAL_TOPIC)


def _line(line: FieldworkLine) -> str:
    """``Abess Park Elementary, phone call, due Feb 1, 2027``."""
    return f"{line.school_name}, {channel_noun(line.channel)}, due {day_words(line.day)}"


def _week(day: date) -> str:
    return f"Monday, {day:%B} {day.day}"


def weekly_email(digest: WeeklyDigest, base_url: str) -> AlertEmail:
    """Write ``digest``: each round's done count, its overdue and returned assignments, links to the board."""
    leader = digest.leader
    district = leader.district.name if leader.district else ""
    name = leader.name or leader.email
    account = f"{base_url}/account#alerts-heading"
    lines = [f"Hello {name},", "", f"Fieldwork in {district}, week of {_week(digest.period)}:", ""]
    rounds = []
    overdue_total = returned_total = 0
    for fieldwork in digest.rounds:
        board = f"{base_url}/rounds/{fieldwork.round_id}/progress"
        overdue = [
            (_line(line), _contact_link(base_url, line.contact_id) if line.contact_id else "")
            for line in fieldwork.overdue
        ]
        returned = [
            (_line(line), _contact_link(base_url, line.contact_id) if line.contact_id else "")
            for line in fieldwork.returned
        ]
        overdue_total += len(overdue)
        returned_total += len(returned)
        rounds.append((fieldwork, board, overdue, returned))
        lines += [
            f"{fieldwork.round_name}: {fieldwork.done} of {count_of(fieldwork.total, 'assignment')} done; "
            f"{count_of(fieldwork.done_this_week, 'contact')} submitted in the last 7 days.",
        ]
        for heading, entries in (
            ("Overdue", overdue),
            ("Returned to the auditor, waiting for a fix", returned),
        ):
            if entries:
                lines.append(f"  {heading} ({len(entries)}):")
                lines += [f"    - {text}" + (f": {link}" if link else "") for text, link in entries]
        if not overdue and not returned:
            lines.append("  Nothing is overdue or returned.")
        lines += [f"  Progress board: {board}", ""]
    lines += ["Touchpoint sends this digest once a week. Choose which digests you receive:", account]
    html = render_template_string(
        WEEKLY_HTML, name=name, district=district, week=_week(digest.period), rounds=rounds, account=account
    )
    subject = f"Touchpoint: fieldwork this week, {overdue_total} overdue, {returned_total} returned"
    return AlertEmail(leader.email, subject, "\n".join(lines) + "\n", html, WEEKLY_TOPIC)


def _write_digests(now: datetime, hour: int | None, base_url: str) -> AlertReport:
    """Write each digest due at ``now`` and its record into the session (flushed, not committed)."""
    critical = weekly = 0
    for digest in critical_digests(db.session, now, not_before_hour=hour):
        email = critical_email(digest, base_url)
        queued = enqueue(db.session, email.topic, email.to, email.subject, email.text, email.html)
        contact_ids = [contact.contact_id for contact in digest.contacts]
        record_delivery(db.session, digest.leader, digest.kind, digest.period, contact_ids, queued.id)
        critical += 1
    for weekly_digest in weekly_digests(db.session, now, not_before_hour=hour):
        email = weekly_email(weekly_digest, base_url)
        queued = enqueue(db.session, email.topic, email.to, email.subject, email.text, email.html)
        record_delivery(
            db.session, weekly_digest.leader, weekly_digest.kind, weekly_digest.period, [], queued.id
        )
        weekly += 1
    return AlertReport(critical, weekly)


def send_alerts(now: datetime | None = None, respect_hour: bool = False) -> AlertReport:
    """Write every digest due at ``now`` (default: the app's now) into the outbox with its record; one commit.

    With ``respect_hour``, districts where it is not yet ``REMINDER_HOUR`` are left for a later
    run. A digest goes out once a day (critical failures) or once a week (fieldwork): the record
    is written in the same transaction as the email. The outbox is then asked to send.
    """
    now = now or clock.now()
    hour = current_app.config["REMINDER_HOUR"] if respect_hour else None
    try:
        report = _write_digests(now, hour, public_base_url())
        db.session.commit()
    except IntegrityError:  # another run wrote the same digests first: theirs go out, these are dropped
        db.session.rollback()
        log.warning("alerts: another run wrote the same digests first; nothing written by this one")
        return AlertReport(0, 0)
    if report.critical or report.weekly:
        log.info("alerts: %s", report.summary())
        kick_outbox()  # never raises: a broker that is down only delays the emails
    return report


@shared_task(name="touchpoint.send_alerts")
def send_alerts_task(now: str | None = None, respect_hour: bool = True) -> str:
    """Write the leaders' digests that are due (by default only where ``REMINDER_HOUR`` has come).

    Safe to run every hour: each digest goes out once a day or once a week. ``now`` is an ISO
    date-time with an offset, for tests and catching up. Returns what it wrote.
    """
    moment = datetime.fromisoformat(now) if now else None
    return send_alerts(moment, respect_hour=respect_hour).summary()
