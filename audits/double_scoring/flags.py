"""Where the second auditor's answers differ from the first's on a critical item: the reviewer's flag.

Two answers agree when both are N/A or both give the same value (a timing: the same band of
points, since 41 and 42 seconds are one judgement). The first auditor's answers are the contact's
current responses (a reviewer's correction included); the reviewer sees both, the auditors neither.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from audits.models import Contact, DoubleScoring, ItemKind, RubricItem
from audits.rubrics.scoring import item_fraction
from audits.rubrics.versions import spec_from_item


@dataclass(frozen=True)
class CriticalDifference:
    """A critical item the two auditors answered differently, as the reviewer reads it."""

    item: RubricItem
    first: str
    second: str


def answer_words(item: RubricItem, value: Any, na: bool) -> str:
    """An answer as people read it: "Yes", "No", "N/A", "3 = warm", an option's label, "42 seconds"."""
    if na:
        return "N/A"
    if value is None:
        return "no answer"
    if item.kind is ItemKind.YES_NO:
        return "Yes" if value else "No"
    if item.kind is ItemKind.SCALE:
        words = item.point_label(int(value))
        return f"{value} = {words}" if words else str(value)
    if item.kind is ItemKind.TIMING:
        unit = item.unit.value.replace("_", " ") if item.unit else ""
        return f"{value:g} {unit}".strip()
    return str(value)


def same_answer(item: RubricItem, first: tuple[Any, bool], second: tuple[Any, bool]) -> bool:
    """Whether two ``(value, na)`` answers to ``item`` agree (a timing's: in the same band)."""
    (value_a, na_a), (value_b, na_b) = first, second
    if na_a or na_b:
        return na_a == na_b
    if item.kind is ItemKind.TIMING and item.bands and value_a is not None and value_b is not None:
        spec = spec_from_item(item)
        return item_fraction(spec, float(value_a)) == item_fraction(spec, float(value_b))
    return bool(value_a == value_b)


def critical_differences(session: Session, contact: Contact) -> list[CriticalDifference]:
    """The critical items the contact's submitted second scoring answers differently; ``[]`` without one."""
    scoring = session.scalar(select(DoubleScoring).where(DoubleScoring.contact_id == contact.id))
    if scoring is None or not scoring.done:
        return []
    firsts = {response.item_id: (response.value, response.na) for response in contact.responses}
    found: list[CriticalDifference] = []
    for answer in scoring.answers:
        item = answer.item
        if not item.critical or item.id not in firsts:
            continue
        second = (answer.value, answer.na)
        if not same_answer(item, firsts[item.id], second):
            first_words = answer_words(item, *firsts[item.id])
            found.append(CriticalDifference(item, first_words, answer_words(item, *second)))
    return found


@dataclass(frozen=True)
class DoubleScoringState:
    """For the reviewer: whether the contact is scored again, and where the two differ on critical items."""

    scoring: DoubleScoring
    differences: list[CriticalDifference]


def double_scoring_state(session: Session, contact: Contact) -> DoubleScoringState | None:
    """The contact's double-scoring as its reviewer reads it; ``None`` when it was not chosen."""
    scoring = session.scalar(select(DoubleScoring).where(DoubleScoring.contact_id == contact.id))
    if scoring is None:
        return None
    return DoubleScoringState(scoring, critical_differences(session, contact))
