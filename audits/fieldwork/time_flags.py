"""Times a reviewer should look at twice: a contact recorded outside school hours, far from its slot.

These are flags, not refusals: an auditor may really have called at 7:10 or visited a day late.
The reviewer sees each with the reason, next to what the auditor recorded.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from audits.businesshours import BusinessCalendar
from audits.models import Channel, Contact
from audits.planning.slots import SLOT_WINDOWS
from audits.timeutil import utcnow

# More school days than this between the due day and the contact: far from the plan.
FAR_FROM_DUE = 2


def _school_days_between(calendar: BusinessCalendar, first: datetime, second: datetime) -> int:
    """School days from the earlier day to the later one (0 on the same day), in the district's time."""
    start, end = sorted((calendar.local_day(first), calendar.local_day(second)))
    count, day = 0, start
    while day < end:
        day = day.fromordinal(day.toordinal() + 1)
        if calendar.is_school_day(day):
            count += 1
    return count


def time_flags(contact: Contact, calendar: BusinessCalendar, now: datetime | None = None) -> list[str]:
    """Why the contact's recorded time looks unlikely, in words (empty when nothing does).

    Calls and visits belong in school hours on school days; every contact belongs in its round's
    window, close to its due day and slot; an auditor does not record a contact before making it.
    """
    started = contact.started_at
    if started is None:
        return []
    assignment = contact.assignment
    round_ = assignment.round
    flags: list[str] = []
    zone = ZoneInfo(calendar.timezone)
    day = calendar.local_day(started)
    local = started.astimezone(zone).time()
    in_person = assignment.channel is not Channel.EMAIL
    if not calendar.is_school_day(day):
        flags.append(f"recorded on {day:%A, %B} {day.day}, not a school day")
    elif in_person:
        opens, closes = calendar.window(day)
        if not opens <= started <= closes:
            flags.append(f"recorded at {local:%H:%M}, outside school hours ({calendar.day_start:%H:%M}–"
                         f"{calendar.day_end:%H:%M})")  # fmt: skip
    if not round_.first_day <= day <= round_.last_day:
        flags.append(f"outside the round's window ({round_.first_day:%b} {round_.first_day.day} – "
                     f"{round_.last_day:%b} {round_.last_day.day})")  # fmt: skip
    due = datetime.combine(assignment.due_day, SLOT_WINDOWS[assignment.slot][0], zone)
    apart = _school_days_between(calendar, started, due)
    if apart > FAR_FROM_DUE:
        due_words = f"{assignment.due_day:%b} {assignment.due_day.day}"
        flags.append(f"{apart} school days from its due day ({due_words})")
    elif apart == 0 and in_person and not flags:
        start, end = SLOT_WINDOWS[assignment.slot]
        if not start <= local < end and contact.attempt == 1:
            flags.append(f"at {local:%H:%M}, outside its {start:%H:%M}–{end:%H:%M} slot")
    if contact.submitted_at is not None and started > contact.submitted_at:
        flags.append("recorded as happening after it was submitted")
    elif started > (now or utcnow()):
        flags.append("recorded as happening in the future")
    return flags
