"""A published scorecard's contacts with their answers, as the school's principal may read them.

The contacts are the scorecard's counted contacts, numbered as its appendix numbers them (by
when they started); each lists its scored answers, section by section, with the points they
earned and any appeal on them. Nothing names or describes the auditor: no name, pseudonym,
comment or free text, only the rubric's questions and the answers' values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from audits.models import (
    Appeal,
    Assignment,
    Contact,
    ItemKind,
    Outcome,
    Response,
    RubricItem,
    Scorecard,
    TimingUnit,
)
from audits.rubrics.facts import FACTS
from audits.scoring.queries import contact_scores
from audits.vocabulary import channel_label

UNIT_WORDS = {
    TimingUnit.RINGS: ("ring", "rings"),
    TimingUnit.SECONDS: ("second", "seconds"),
    TimingUnit.MINUTES: ("minute", "minutes"),
    TimingUnit.BUSINESS_HOURS: ("business hour", "business hours"),
}
REACHED_WORDS = {"phone": "A person answered", "email": "A person replied", "visit": "Served"}


def answer_words(item: RubricItem, value: Any, na: bool = False) -> str:
    """An answer as a person reads it: ``Yes``, ``3 of 5 (friendly)``, ``Partly correct``, ``6 rings``."""
    if na:
        return "N/A"
    if value is None or value == "":
        return "—"
    if item.kind is ItemKind.YES_NO:
        return "Yes" if value is True else "No" if value is False else str(value)
    if item.kind is ItemKind.SCALE and isinstance(value, int | float) and not isinstance(value, bool):
        point = int(value)
        label = item.point_label(point)
        return f"{point} of {item.scale_max}" + (f" ({label})" if label else "")
    if item.kind is ItemKind.TIMING and isinstance(value, int | float) and not isinstance(value, bool):
        number = f"{float(value):g}"
        one, many = UNIT_WORDS.get(item.unit, ("", "")) if item.unit else ("", "")
        return f"{number} {one if number == '1' else many}".strip()
    return str(value)


def fact_words(item: RubricItem) -> str:
    """What an item's answer is worked out from (``the rings``), or ``""`` for an item answered directly."""
    fact = FACTS.get(item.fact or "")
    return fact.words if fact else ""


def appealable(item: RubricItem, response: Response | None) -> bool:
    """Whether ``item``'s answer on a contact may be queried: it was answered (or N/A), it is scored, and
    it is not worked out from how the contact ended (a contact that reached someone says so; one that
    did not has no answers)."""
    return response is not None and item.kind is not ItemKind.TEXT and item.fact != "reached"


@dataclass(frozen=True)
class AnswerRow:
    """One scored answer of a contact: its question, the answer, its points and any appeal on it."""

    item_key: str
    section: str
    prompt: str
    answer: str
    earned: float | None  # points earned (None when N/A)
    possible: float | None
    critical: bool
    appeal: Appeal | None


@dataclass(frozen=True)
class ContactAnswers:
    """One counted contact of a scorecard, as its school's principal reads it."""

    ref: int  # its number (#) in the scorecard's appendix
    contact_id: int
    day: date | None
    channel: str
    scenario: str
    outcome: str
    score: float | None
    critical_failure: bool
    answers: list[AnswerRow] = field(default_factory=list)

    @property
    def changed_on_appeal(self) -> bool:
        """Whether an answer of this contact was corrected on appeal."""
        return any(row.appeal is not None and row.appeal.outcome.value == "upheld" for row in self.answers)


def outcome_words(channel: str, outcome: Outcome | None, unreached: bool) -> str:
    """How a counted contact ended, in the channel's words (a failed final attempt says so)."""
    if outcome is None:
        return "—"
    if outcome is Outcome.REACHED:
        return REACHED_WORDS.get(channel, outcome.label)
    return f"{outcome.label} (final attempt)" if unreached else outcome.label


def _local_day(moment: datetime | None, timezone: str) -> date | None:
    return moment.astimezone(ZoneInfo(timezone)).date() if moment is not None else None


def _counted_rows(session: Session, card: Scorecard) -> list[Any]:
    """The scorecard's counted contacts with their scores, in its appendix's order (by start, then id)."""
    scores = contact_scores([card.round_id], card.school_id).subquery()
    return list(
        session.execute(
            select(scores.c.contact_id, scores.c.score, scores.c.critical_failure).order_by(
                scores.c.started_at, scores.c.contact_id
            )
        )
    )


def appendix_ref(session: Session, card: Scorecard, contact_id: int) -> int | None:
    """The contact's number (#) in the scorecard's appendix; ``None`` when the scorecard does not count it."""
    order = [row.contact_id for row in _counted_rows(session, card)]
    return order.index(contact_id) + 1 if contact_id in order else None


def scorecard_contacts(session: Session, card: Scorecard) -> list[ContactAnswers]:
    """Every counted contact of ``card`` with its scored answers and their appeals (a few queries)."""
    rows = _counted_rows(session, card)
    if not rows:
        return []
    scores = {row.contact_id: row for row in rows}
    order = [row.contact_id for row in rows]
    contacts = {
        contact.id: contact
        for contact in session.scalars(
            select(Contact)
            .where(Contact.id.in_(order))
            .options(
                selectinload(Contact.responses).selectinload(Response.item).selectinload(RubricItem.section),
                selectinload(Contact.assignment).selectinload(Assignment.scenario),
            )
        )
    }
    appeals = {
        (appeal.contact_id, appeal.item_key): appeal
        for appeal in session.scalars(select(Appeal).where(Appeal.contact_id.in_(order)))
    }
    timezone = card.round.district.timezone
    found = []
    for ref, contact_id in enumerate(order, start=1):
        contact, score = contacts[contact_id], scores[contact_id]
        channel = contact.assignment.channel.value
        responses = sorted(
            (r for r in contact.responses if appealable(r.item, r)),
            key=lambda r: (r.item.section.position, r.item.position),
        )
        found.append(
            ContactAnswers(
                ref=ref,
                contact_id=contact.id,
                day=_local_day(contact.started_at, timezone),
                channel=channel_label(channel),
                scenario=contact.assignment.scenario.title,
                outcome=outcome_words(channel, contact.outcome, contact.unreached),
                score=float(score.score) if score.score is not None else None,
                critical_failure=bool(score.critical_failure),
                answers=[
                    AnswerRow(
                        item_key=r.item.key,
                        section=r.item.section.title,
                        prompt=r.item.prompt,
                        answer=answer_words(r.item, r.value, r.na),
                        earned=None if r.fraction is None else r.fraction * r.item.points,
                        possible=None if r.fraction is None else r.item.points,
                        critical=r.item.critical,
                        appeal=appeals.get((contact.id, r.item.key)),
                    )
                    for r in responses
                ],
            )
        )
    return found
