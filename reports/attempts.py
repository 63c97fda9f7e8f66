"""Proof of attempts: for each unreached or critical-failure contact, every try, when and what happened.

A principal told "nobody answered" can check each try: the day and the local time
(in the district's timezone, with its abbreviation, so "9:40 AM EST" means what the
school's own clock said) and what the auditor met: "Rang 12 times, no answer",
"Voicemail, no call back", "No reply after 2 business days". Every attempt is an
approved contact; the one that counted carries the appendix number of its row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from audits.businesshours import BusinessCalendar, business_hours_between
from audits.models import Channel, Outcome
from audits.vocabulary import channel_label, count_of


@dataclass(frozen=True)
class Attempt:
    """One try at an assignment: its number, local day and time, and what happened."""

    number: int
    day: date | None
    time: str  # "9:40 AM EST", in the district's timezone
    weekday: str  # "Monday"
    happened: str


@dataclass(frozen=True)
class AttemptRecord:
    """A counted contact that never reached the school or failed a critical item, with every try behind it."""

    ref: int  # the contact's number in the appendix
    channel: str  # its label: "Phone call"
    channel_key: str  # "phone"
    scenario: str
    unreached: bool
    failed_items: list[str] = field(default_factory=list)
    attempts: list[Attempt] = field(default_factory=list)

    @property
    def summary(self) -> str:
        """``Unreached after 3 attempts`` or ``Critical failure``."""
        if self.unreached:
            tries = len(self.attempts)
            return f"Unreached after {count_of(tries, 'attempt')}"
        return "Critical failure"


def _plural(count: float, word: str) -> str:
    text = f"{count:g}"
    return f"{text} {word}" if text == "1" else f"{text} {word}s"


def _rang(rings: int | None) -> str:
    return "" if rings is None else f"rang {_plural(rings, 'time')}"


def _business_days(hours: float, calendar: BusinessCalendar) -> str:
    """``2 business days`` (a school day of the district's hours is a day), or hours under a day."""
    day_start, day_end = calendar.day_start, calendar.day_end
    per_day = (day_end.hour * 60 + day_end.minute - day_start.hour * 60 - day_start.minute) / 60
    if per_day > 0 and hours >= per_day:
        return _plural(round(hours / per_day, 1), "business day")
    return _plural(round(hours, 1), "business hour")


def happened(row: Any, calendar: BusinessCalendar) -> str:
    """What one attempt met, in a principal's words, from its outcome and what the auditor recorded."""
    outcome = Outcome(row.outcome) if row.outcome is not None else None
    channel = Channel(row.channel)
    rang = _rang(row.rings)
    if channel is Channel.PHONE:
        if outcome is Outcome.REACHED:
            return "Answered by a person" + (f" ({rang})" if rang else "")
        if outcome is Outcome.NO_ANSWER:
            return f"{rang.capitalize()}, no answer" if rang else "No answer"
        if outcome is Outcome.VOICEMAIL:
            start = f"{rang.capitalize()}, then voicemail" if rang else "Voicemail"
            return start + (", no call back" if row.callback_at is None else "")
        if outcome is Outcome.BUSY:
            return "Busy signal"
        if outcome is Outcome.AUTO_ATTENDANT:
            return "Automated menu with no way to reach a person"
        if outcome is Outcome.WRONG_NUMBER:
            return "Wrong number"
    if channel is Channel.EMAIL:
        if outcome is Outcome.NO_REPLY:
            if row.started_at is None or row.first_submitted_at is None:
                return "No reply"
            hours = business_hours_between(calendar, row.started_at, row.first_submitted_at)
            return f"No reply after {_business_days(hours, calendar)}"
        if outcome is Outcome.REACHED:
            hours = row.response_business_hours
            return "Personal reply" + ("" if hours is None else f" after {_business_days(hours, calendar)}")
    if channel is Channel.VISIT:
        if outcome is Outcome.NOT_SERVED:
            return "Not served: office closed or visitor turned away"
        if outcome is Outcome.REACHED:
            seconds = row.greeted_seconds
            return "Served" + (
                "" if seconds is None else f", greeted after {_plural(round(seconds / 60, 1), 'minute')}"
            )
    return outcome.label if outcome is not None else "Not recorded"


def attempt_of(row: Any, calendar: BusinessCalendar, zone: ZoneInfo) -> Attempt:
    """One attempt row of ``reports.queries.attempt_rows`` as printed."""
    local: datetime | None = row.started_at.astimezone(zone) if row.started_at is not None else None
    if local is None:
        return Attempt(row.attempt, None, "time not recorded", "", happened(row, calendar))
    clock = f"{local:%I:%M %p}".lstrip("0")
    return Attempt(
        row.attempt, local.date(), f"{clock} {local.tzname()}", f"{local:%A}", happened(row, calendar)
    )


def attempt_records(
    rows: list[Any],
    contacts: list[Any],
    refs: dict[int, int],
    failed_items: dict[int, list[str]],
    calendar: BusinessCalendar,
) -> list[AttemptRecord]:
    """The records of a school's unreached and critical-failure contacts, in appendix order.

    ``rows`` are the school's ``attempt_rows``, ``contacts`` its ``contact_rows`` (the engine's
    counted contacts), ``refs`` their appendix numbers, ``failed_items`` the prompts of each
    contact's failed critical items.
    """
    zone = ZoneInfo(calendar.timezone)
    tries: dict[int, list[Attempt]] = {}
    for row in rows:
        tries.setdefault(row.final_id, []).append(attempt_of(row, calendar, zone))
    records = []
    for contact in contacts:
        if not (contact.unreached or contact.critical_failure):
            continue
        channel = Channel(contact.channel).value
        records.append(
            AttemptRecord(
                ref=refs[contact.contact_id],
                channel=channel_label(channel),
                channel_key=channel,
                scenario=contact.scenario,
                unreached=bool(contact.unreached),
                failed_items=failed_items.get(contact.contact_id, []),
                attempts=tries.get(contact.contact_id, []),
            )
        )
    return records
