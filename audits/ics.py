"""An auditor's assignments as an iCalendar feed (RFC 5545) their calendar app subscribes to.

Times are written in UTC (``...Z``), which Google Calendar, Outlook and Apple
Calendar all read the same way, so no VTIMEZONE is needed. Each event keeps its
UID and DTSTAMP from one fetch to the next, so a calendar updates events in
place when an assignment moves; the UID names the installation, so two Touchpoints
never share one. A finished assignment stays in the feed marked "Done" and as free
time, not as an ordinary busy event. The feed says what to do and where, never how:
no script, persona or answer key goes into it.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from audits.models import Assignment, Channel, District, School
from audits.planning.slots import SLOT_WINDOWS, slot_window
from audits.vocabulary import channel_label

UID_DOMAIN = "touchpoint.invalid"  # when the installation gives none
REFRESH = timedelta(hours=1)


def event_uid(assignment: Assignment, uid_domain: str = UID_DOMAIN) -> str:
    """The UID an assignment keeps in every calendar, whatever changes about it.

    ``uid_domain`` names the installation (``ab12cd34ef56.touchpoint.example.org``): assignment 7 of
    one Touchpoint and assignment 7 of another are different events.
    """
    return f"assignment-{assignment.id}@{uid_domain}"


def assignment_window(assignment: Assignment, district: District) -> tuple[datetime, datetime]:
    """When the contact is due, as aware UTC datetimes: its slot on its day, in the district's time.

    The slot is cut to the district's school-day hours; if the hours changed so
    that the slot no longer fits, the slot's own window is used.
    """
    window = slot_window(assignment.slot, district.school_day_start, district.school_day_end)
    start, end = window or SLOT_WINDOWS[assignment.slot]
    zone = ZoneInfo(district.timezone)
    return _utc(assignment, start, zone), _utc(assignment, end, zone)


def _utc(assignment: Assignment, moment: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(assignment.due_day, moment, tzinfo=zone).astimezone(UTC)


def address_of(school: School) -> str:
    """The school's postal address on one line (empty when unknown)."""
    place = " ".join(part for part in (school.state, school.zip) if part)
    return ", ".join(part for part in (school.street, school.city, place) if part)


def describe(assignment: Assignment, district: District) -> str:
    """The event's description: channel, slot, how to reach the school and the scenario's title."""
    school = assignment.school
    window = slot_window(assignment.slot, district.school_day_start, district.school_day_end)
    start, end = window or SLOT_WINDOWS[assignment.slot]
    lines = [
        f"Channel: {channel_label(assignment.channel)}",
        f"When: {assignment.slot.label}, {start:%H:%M}–{end:%H:%M} ({district.timezone})",
        f"School: {school.name}",
        f"Phone: {school.phone or 'not known'}",
        f"Email: {school.email or 'not known'}",
        f"Address: {address_of(school) or 'not known'}",
        f"Scenario: {assignment.scenario.title}",
        f"Round: {assignment.round.name}",
    ]
    return "\n".join(lines)


def _event(assignment: Assignment, district: District, uid_domain: str, done: bool) -> Event:
    start, end = assignment_window(assignment, district)
    event = Event()
    event.add("uid", event_uid(assignment, uid_domain))
    event.add("dtstamp", assignment.created_at.astimezone(UTC).replace(microsecond=0))
    event.add("dtstart", start)
    event.add("dtend", end)
    summary = f"{channel_label(assignment.channel)}: {assignment.school.name}"
    event.add("summary", f"Done: {summary}" if done else summary)
    event.add("description", describe(assignment, district))
    address = address_of(assignment.school)
    if assignment.channel is Channel.VISIT and address:
        event.add("location", address)
    event.add("transp", "TRANSPARENT" if done else "OPAQUE")  # done: free time, not a busy slot
    return event


def assignments_calendar(
    assignments: Iterable[Assignment],
    district: District,
    prod_id: str,
    name: str = "Touchpoint assignments",
    uid_domain: str = UID_DOMAIN,
    done: Collection[int] = frozenset(),
) -> bytes:
    """Return ``assignments`` as one iCalendar file, one VEVENT each.

    ``prod_id`` names the product (``-//Touchpoint//Assignments//EN``); ``name``
    is what calendar apps call the subscribed calendar; ``uid_domain`` names the installation in
    each UID; ``done`` holds the ids of finished assignments. Assignments should come with their
    school, scenario and round loaded.
    """
    calendar = Calendar()
    calendar.add("prodid", prod_id)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    # How often subscribers should fetch again (Apple and Outlook read one, Google neither).
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    for assignment in assignments:
        calendar.add_component(_event(assignment, district, uid_domain, assignment.id in done))
    return calendar.to_ical()
