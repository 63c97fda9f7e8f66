"""Demo fieldwork: contacts in every state and channel, so a newcomer sees the whole flow.

Answers are generated from a "quality" per contact with a seeded random source,
and go through the real ``submit`` / ``approve`` / ``return_contact`` functions,
so the demo data obeys every rule real data does.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from PIL import Image, ImageDraw
from sqlalchemy.orm import Session

from audits.businesshours import BusinessCalendar
from audits.fieldwork.contacts import approve, retry, return_contact, start_contact, submit
from audits.fieldwork.evidence import store_evidence
from audits.models import Assignment, Channel, Contact, ItemKind, Role, Round, RubricItem, User
from audits.planning.slots import SLOT_WINDOWS

COMMENTS = {
    "high": [
        "Warm greeting, gave her name and walked me through every document.",
        "Answered on the second ring and offered to email the checklist.",
        "Very patient; repeated the bus stop details without being asked.",
    ],
    "low": [
        "Sounded annoyed and said to 'check the website' without saying where.",
        "Put me on hold twice without checking back; nobody explained the transfer.",
        "Could not tell me which documents enrolment needs.",
    ],
}


@dataclass
class DemoFieldworkReport:
    """How many contacts of each state the demo created."""

    approved: int = 0
    submitted: int = 0
    returned: int = 0
    unreached: int = 0
    drafts: int = 0


def _answer(item: RubricItem, quality: float, rng: random.Random, spanish: bool) -> dict[str, str]:
    key = item.key
    if item.allow_na and "language" in key and not spanish:
        return {f"na-{key}": "1"}
    if item.allow_na and key in {"voicemail_returned", "callback_time"}:
        return {f"na-{key}": "1"}
    good = rng.random() < quality
    if item.kind is ItemKind.YES_NO:
        return {f"item-{key}": "yes" if good or (item.critical and quality > 0.5) else "no"}
    if item.kind is ItemKind.SCALE:
        top = item.scale_max or 1
        return {f"item-{key}": str(max(0, min(top, round(top * quality + rng.choice([-1, 0, 0, 1])))))}
    if item.kind is ItemKind.CHOICE:
        options = sorted(item.options or [], key=lambda option: -float(option["fraction"]))  # type: ignore[arg-type]
        return {
            f"item-{key}": str(
                options[0 if good else min(len(options) - 1, 1 + int(rng.random() * 2))]["label"]
            )
        }
    if item.kind is ItemKind.TIMING:
        bands = item.bands or [[1, 1.0]]
        bound = bands[0][0] if good else bands[-1][0] + 1
        return {f"item-{key}": f"{bound:g}"}
    pool = COMMENTS["high" if quality >= 0.6 else "low"]
    return {f"item-{key}": rng.choice(pool)}


def _timings(assignment: Assignment, started: datetime, quality: float, rng: random.Random) -> dict[str, str]:
    zone = assignment.round.district.timezone
    local = started.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%dT%H:%M")
    if assignment.channel is Channel.PHONE:
        return {
            "started_at": local,
            "rings": str(2 if quality > 0.6 else 7),
            "hold_seconds": str(20 if quality > 0.6 else 150),
            "transfers": "0" if quality > 0.6 else "2",
            "call_seconds": str(rng.randint(120, 420)),
            "staff_gave_name": "yes" if quality > 0.6 else "no",
        }
    if assignment.channel is Channel.EMAIL:
        reply = started + timedelta(hours=5 if quality > 0.6 else 50)
        return {
            "started_at": local,
            "sent_text": f"Hello, I have a question: {assignment.scenario.title.lower()}. Could you help?",
            "reply_at": reply.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%dT%H:%M"),
            "reply_text": "Thank you for your email. Please find the information below.",
        }
    return {
        "started_at": local,
        "greeted_seconds": str(40 if quality > 0.6 else 540),
        "wait_seconds": str(300 if quality > 0.6 else 900),
    }


def _entry(contact: Contact, quality: float, rng: random.Random, started: datetime) -> dict[str, str]:
    data = {"outcome": "reached", **_timings(contact.assignment, started, quality, rng)}
    spanish = contact.assignment.scenario.language != "en"
    for item in contact.rubric.items:
        data.update(_answer(item, quality, rng, spanish))
    return data


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


def load_demo_fieldwork(
    session: Session,
    round_: Round,
    users: list[User],
    today: date,
    evidence_dir: Path,
    all_approved: bool = False,
    seed: int = 2026,
) -> DemoFieldworkReport:
    """Record contacts for the round's past-due assignments in every review state.

    With ``all_approved`` every contact is approved (an earlier, finished round).
    """
    rng = random.Random(seed)
    reviewer = next(user for user in users if user.role is Role.REVIEWER)
    by_id = {user.id: user for user in users}
    calendar = BusinessCalendar.of(round_.district)
    report = DemoFieldworkReport()
    past = sorted((a for a in round_.assignments if a.due_day < today), key=lambda a: (a.due_day, a.id))
    phones = 0
    for index, assignment in enumerate(past):
        auditor = by_id[assignment.auditor_id]
        started = _start_time(assignment)
        contact = start_contact(session, assignment, auditor)
        plan = rng.choice([0, 1, 3, 6]) if all_approved else index % 7
        if assignment.channel is Channel.PHONE:
            phones += 1
        if assignment.channel is Channel.PHONE and phones == 3:
            # Three failed attempts: the contact counts as unreached.
            for attempt, outcome in enumerate(("no_answer", "busy", "voicemail")):
                when = started + timedelta(days=attempt)
                local = when.astimezone(ZoneInfo(calendar.timezone)).strftime("%Y-%m-%dT%H:%M")
                submit(
                    session, contact, {"outcome": outcome, "started_at": local}, auditor, calendar, now=when
                )
                approve(session, contact, reviewer, now=when + timedelta(hours=4))
                if attempt < 2:
                    contact = retry(session, assignment, auditor)
            report.unreached += 1
            continue
        quality = [0.95, 0.8, 0.35, 0.9, 0.6, 0.75, 0.5][plan]
        data = _entry(contact, quality, rng, started)
        if assignment.channel is Channel.PHONE and phones == 2:
            data["item-answered_by_person"] = "yes"
            data["item-question_answered"] = "no"  # a critical failure, approved below
            plan = 0
        submit(session, contact, data, auditor, calendar, now=started + timedelta(minutes=30))
        if assignment.channel is Channel.VISIT:
            store_evidence(
                session, contact, _photo(), "entrance.jpg", "entrance", auditor, evidence_dir, 5_000_000
            )
        if plan == 4:
            return_contact(
                session, contact, reviewer, "Please check the hold time: 150 seconds but no transfers?",
                now=started + timedelta(days=1),
            )  # fmt: skip
            report.returned += 1
        elif plan == 5:
            report.submitted += 1
        else:
            approve(session, contact, reviewer, now=started + timedelta(days=1))
            report.approved += 1
    return report
