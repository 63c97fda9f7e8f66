"""Demo fieldwork: contacts in every state and channel, so a newcomer sees the whole flow.

Answers are generated from a "quality" per contact with a seeded random source,
and go through the real ``submit`` / ``approve`` / ``return_contact`` functions,
so the demo data obeys every rule real data does.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from enum import Enum
from pathlib import Path
from zoneinfo import ZoneInfo

from PIL import Image, ImageDraw
from sqlalchemy.orm import Session

from audits.businesshours import BusinessCalendar
from audits.fieldwork.contacts import approve, retry, return_contact, start_contact, submit
from audits.fieldwork.drafts import entry_values, save_draft
from audits.fieldwork.entry import AnswerEntry, ContactEntry, Timings, check_entry
from audits.fieldwork.evidence import store_evidence
from audits.models import (
    Assignment,
    Channel,
    Contact,
    ItemKind,
    Outcome,
    Role,
    Round,
    Rubric,
    RubricItem,
    Slot,
    User,
)
from audits.planning.slots import SLOT_WINDOWS, slot_window

# What families heard, per channel: each comment describes its own kind of contact (a visit never
# "answered on the second ring"), good or poor as the contact went.
COMMENTS = {
    Channel.PHONE: {
        "high": [
            "Answered on the second ring and offered to email the checklist.",
            "Very patient; repeated the bus stop details without being asked.",
            "Warm greeting, gave her name and walked me through every document.",
        ],
        "low": [
            "Sounded annoyed and said to 'check the website' without saying where.",
            "Put me on hold twice without checking back; nobody explained the transfer.",
            "Could not tell me which documents enrolment needs.",
        ],
    },
    Channel.EMAIL: {
        "high": [
            "Replied the same morning with the form attached and a named person to ask.",
            "A clear, friendly reply that answered every question and offered a call.",
            "Listed every document we would need and the office hours.",
        ],
        "low": [
            "A one-line reply that said to 'check the website' without saying where.",
            "The reply did not answer the question and named no one to follow up with.",
            "Only a generic link, two days later, and no greeting.",
        ],
    },
    Channel.VISIT: {
        "high": [
            "Greeted within a minute and walked through every document at the counter.",
            "Signs led straight to the office; the staff member stood up to help.",
            "Patient and welcoming; printed the checklist while I waited.",
        ],
        "low": [
            "Waited at the counter for several minutes before anyone looked up.",
            "Could not tell me which documents enrolment needs.",
            "No signs to the office, and I was told to come back another day.",
        ],
    },
}
# Between the two: neither a strength nor a problem on the scorecard.
MIXED_COMMENTS = {
    Channel.PHONE: "Friendly, but I had to ask twice before I got the details.",
    Channel.EMAIL: "A polite reply that covered most of the question.",
    Channel.VISIT: "Helpful once someone came to the counter, after a short wait.",
}
# A contact's impression follows how it scored, as the scorecard reads it (reports.comments).
STRENGTH_SCORE, PROBLEM_SCORE = 75.0, 60.0
# The impression of a contact that failed a critical item (the question left unanswered).
CRITICAL_COMMENTS = {
    Channel.PHONE: "Polite, but I hung up with no answer and no one to call back.",
    Channel.EMAIL: "The reply thanked me but never answered the question.",
    Channel.VISIT: "I left the office without an answer or a next step.",
}
# What the first failed attempt of an unreached call measured: the rings before the auditor gave up.
# (Only the first: the last attempt is the counted one, and a count of rings would be scored on it.)
UNREACHED_RINGS = {Outcome.NO_ANSWER: 12}


# How well approved contacts went, drawn for each one: a spread of good and poor service.
QUALITIES = [0.95, 0.8, 0.35, 0.9, 0.5]
OPEN_QUALITY = {"critical": 0.8, "returned": 0.6, "submitted": 0.75, "draft": 0.75}


@dataclass
class DemoFieldworkReport:
    """How many contacts of each state the demo created."""

    approved: int = 0
    submitted: int = 0
    returned: int = 0
    unreached: int = 0
    drafts: int = 0


class DemoState(Enum):
    """What the demo records for one past-due assignment."""

    APPROVED = "approved"
    CRITICAL = "approved with a critical failure"
    UNREACHED = "unreached after every attempt"
    RETURNED = "returned to its auditor"
    SUBMITTED = "waiting for review"
    DRAFT = "a saved draft"


RETURN_NOTES = {
    Channel.PHONE: "Please check the hold time: 150 seconds but no transfers?",
    Channel.EMAIL: "Please check when the reply arrived against the email itself.",
    Channel.VISIT: "Please check how long you waited before someone greeted you.",
}


def demo_states(past: list[Assignment], all_approved: bool = False) -> dict[int, DemoState]:
    """The state each past-due assignment gets, by assignment id, chosen from the plan itself.

    ``past`` is in the order the work was due. The first call is never answered (unreached),
    the second reaches a person who cannot answer the question (a critical failure); the
    latest three are, from the oldest, returned, waiting for review and a draft, as the
    newest work would be. The rest are approved. With ``all_approved`` (a finished round)
    only the unreached call and the critical failure stand out.
    """
    states = {assignment.id: DemoState.APPROVED for assignment in past}
    phones = [assignment for assignment in past if assignment.channel is Channel.PHONE]
    special = dict(zip((a.id for a in phones), (DemoState.UNREACHED, DemoState.CRITICAL), strict=False))
    states.update(special)
    if not all_approved:
        # Each channel keeps an approved contact: only later ones take the open states.
        ordinary = [a for a in past if a.id not in special]
        kept = {next(a.id for a in ordinary if a.channel is c) for c in {a.channel for a in ordinary}}
        rest = [a for a in ordinary if a.id not in kept]
        for assignment, state in zip(
            reversed(rest), (DemoState.DRAFT, DemoState.SUBMITTED, DemoState.RETURNED), strict=False
        ):
            states[assignment.id] = state
    return states


def _answer(item: RubricItem, quality: float, rng: random.Random, spanish: bool) -> AnswerEntry:
    key = item.key
    if item.allow_na and "language" in key and not spanish:
        return AnswerEntry(na=True)
    if item.allow_na and key in {"voicemail_returned", "callback_time"}:
        return AnswerEntry(na=True)
    good = rng.random() < quality
    if item.kind is ItemKind.YES_NO:
        # Critical items pass: only the contact the demo picks for it (``DemoState.CRITICAL``) fails one,
        # so no reached call is ever "not answered by a person".
        return AnswerEntry(good or item.critical)
    if item.kind is ItemKind.SCALE:
        top = item.scale_max or 1
        return AnswerEntry(max(0, min(top, round(top * quality + rng.choice([-1, 0, 0, 1])))))
    if item.kind is ItemKind.CHOICE:
        options = sorted(item.options or [], key=lambda option: -float(option["fraction"]))
        return AnswerEntry(
            str(options[0 if good else min(len(options) - 1, 1 + int(rng.random() * 2))]["label"])
        )
    if item.kind is ItemKind.TIMING:
        bands = item.bands or [[1, 1.0]]
        return AnswerEntry(float(bands[0][0] if good else bands[-1][0] + 1))
    return AnswerEntry(rng.choice(COMMENTS[item.section.rubric.channel]["high" if quality >= 0.6 else "low"]))


def _timings(assignment: Assignment, started: datetime, quality: float, rng: random.Random) -> Timings:
    good = quality > 0.6
    if assignment.channel is Channel.PHONE:
        return Timings(
            rings=2 if good else 7,
            hold_seconds=20 if good else 150,
            transfers=0 if good else 2,
            call_seconds=rng.randint(120, 420),
            staff_gave_name=good,
        )
    if assignment.channel is Channel.EMAIL:
        return Timings(
            sent_text=f"Hello, I have a question: {assignment.scenario.title.lower()}. Could you help?",
            reply_at=started + timedelta(hours=5 if good else 50),
            reply_text="Thank you for your email. Please find the information below.",
        )
    return Timings(greeted_seconds=40 if good else 540, wait_seconds=300 if good else 900)


def demo_entry(
    assignment: Assignment, rubric: Rubric, quality: float, rng: random.Random, started: datetime
) -> ContactEntry:
    """A reached contact for ``assignment`` as an auditor of the given ``quality`` (0 to 1) might see it.

    Items scored from a fact (the rings, the hold …) are left out: their answers follow from the
    timings, as on the contact form. (Their answers are still drawn, so that the seeded random
    source gives every other item the answers it gave before facts existed.)
    """
    spanish = assignment.scenario.language != "en"
    timings = _timings(assignment, started, quality, rng)
    drawn = {item.key: _answer(item, quality, rng, spanish) for item in rubric.items}
    return ContactEntry(
        outcome=Outcome.REACHED,
        started_at=started,
        timings=timings,
        responses={item.key: drawn[item.key] for item in rubric.items if not item.fact},
    )


def _impression(
    assignment: Assignment, entry: ContactEntry, rubric: Rubric, calendar: BusinessCalendar, critical: bool
) -> str:
    """The "what families heard" words of a reached contact, good or poor as its answers scored it."""
    channel = assignment.channel
    if critical:
        return CRITICAL_COMMENTS[channel]
    answers = check_entry(entry, rubric, calendar).answers
    points = {item.key: item.points for item in rubric.items}
    scored = [(a.fraction, points[key]) for key, a in answers.items() if a.fraction is not None and not a.na]
    possible = sum(weight for _, weight in scored)
    score = 100 * sum(fraction * weight for fraction, weight in scored) / possible if possible else 0.0
    if PROBLEM_SCORE <= score < STRENGTH_SCORE:
        return MIXED_COMMENTS[channel]
    comments = COMMENTS[channel]["high" if score >= STRENGTH_SCORE else "low"]
    return comments[assignment.id % len(comments)]


def _start_time(assignment: Assignment) -> datetime:
    start, _ = SLOT_WINDOWS[assignment.slot]
    zone = ZoneInfo(assignment.round.district.timezone)
    return datetime.combine(assignment.due_day, start, zone).replace(minute=20).astimezone(UTC)


def _photo() -> bytes:
    image = Image.new("RGB", (480, 320), (222, 230, 240))
    draw = ImageDraw.Draw(image)
    draw.rectangle((150, 80, 330, 300), fill=(120, 90, 60))
    draw.text((170, 40), "MAIN OFFICE ->", fill=(10, 10, 10))
    out = io.BytesIO()
    image.save(out, format="JPEG")
    return out.getvalue()


def _attempt_times(assignment: Assignment, calendar: BusinessCalendar) -> list[datetime]:
    """Three tries on the assignment's day, one in each of the first three slots of the school day."""
    zone = ZoneInfo(calendar.timezone)
    slots = [slot_window(slot, calendar.day_start, calendar.day_end) for slot in Slot]
    starts = [window[0] for window in slots if window is not None][:3]
    return [
        (datetime.combine(assignment.due_day, start, zone) + timedelta(minutes=10)).astimezone(UTC)
        for start in starts
    ]


def _unreached(
    session: Session, contact: Contact, auditor: User, reviewer: User, calendar: BusinessCalendar
) -> None:
    """No answer, busy, then voicemail: each attempt submitted and approved, the last one unreached."""
    assignment = contact.assignment
    failures = (Outcome.NO_ANSWER, Outcome.BUSY, Outcome.VOICEMAIL)
    for attempt, (when, outcome) in enumerate(
        zip(_attempt_times(assignment, calendar), failures, strict=False)
    ):
        if attempt:
            contact = retry(session, assignment, auditor)
        entry = ContactEntry(outcome, when, Timings(rings=UNREACHED_RINGS.get(outcome)))
        submit(session, contact, entry, auditor, calendar, now=when)
        approve(session, contact, reviewer, now=when + timedelta(hours=1))


def load_demo_fieldwork(
    session: Session,
    round_: Round,
    users: list[User],
    today: date,
    evidence_dir: Path,
    all_approved: bool = False,
    seed: int = 2026,
) -> DemoFieldworkReport:
    """Record contacts for the round's assignments due before ``today``, in every review state.

    Which assignment gets which state comes from the plan (``demo_states``), so the
    demo shows the same states whatever the date. With ``all_approved`` every
    contact is approved (an earlier, finished round).
    """
    rng = random.Random(seed)
    reviewer = next(user for user in users if user.role is Role.REVIEWER)
    by_id = {user.id: user for user in users}
    calendar = BusinessCalendar.of(round_.district)
    report = DemoFieldworkReport()
    past = sorted((a for a in round_.assignments if a.due_day < today), key=lambda a: (a.due_day, a.id))
    states = demo_states(past, all_approved)
    for assignment in past:
        state = states[assignment.id]
        auditor = by_id[assignment.auditor_id]
        started = _start_time(assignment)
        contact = start_contact(session, assignment, auditor)
        if state is DemoState.UNREACHED:
            _unreached(session, contact, auditor, reviewer, calendar)
            report.unreached += 1
            continue
        quality = rng.choice(QUALITIES) if state is DemoState.APPROVED else OPEN_QUALITY[state.name.lower()]
        entry = demo_entry(assignment, contact.rubric, quality, rng, started)
        if state is DemoState.CRITICAL:
            entry.responses["question_answered"] = AnswerEntry(False)  # a critical failure, approved below
        if state is DemoState.DRAFT:
            typed_so_far = replace(entry, responses={})
            save_draft(
                contact,
                entry_values(typed_so_far, calendar.timezone),
                auditor,
                started + timedelta(minutes=15),
            )
            report.drafts += 1
            continue
        # What the auditor took away from it, in keeping with how it went.
        entry.responses["what_families_heard"] = AnswerEntry(
            _impression(assignment, entry, contact.rubric, calendar, state is DemoState.CRITICAL)
        )
        # Recorded half an hour after the contact ended (an email: after its reply arrived).
        recorded = max(started, entry.timings.reply_at or started) + timedelta(minutes=30)
        submit(session, contact, entry, auditor, calendar, now=recorded)
        if assignment.channel is Channel.VISIT:
            store_evidence(
                session, contact, _photo(), "entrance.jpg", "entrance", auditor, evidence_dir, 5_000_000
            )
        reviewed = recorded + timedelta(days=1)
        if state is DemoState.RETURNED:
            return_contact(session, contact, reviewer, RETURN_NOTES[assignment.channel], now=reviewed)
            report.returned += 1
        elif state is DemoState.SUBMITTED:
            report.submitted += 1
        else:
            approve(session, contact, reviewer, now=reviewed)
            report.approved += 1
    return report
