"""Demo double-scoring: the contacts the demo's rounds chose are scored again by their second auditor.

The rounds choose them as real rounds do (``audits.double_scoring.selection``, when the demo's
contacts are submitted); here each second auditor answers as a colleague would: mostly as the
first did, a seeded share of answers one step away (another scale point, option or band, the
other yes/no), so the round's agreement is high but not perfect. In the round in the field the
first contact scored again differs on one critical item, so its reviewer's page shows the flag, and
the latest chosen contact (when it chose more than one) is left for its second auditor, on their
"to score again" list.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from audits.double_scoring.second import judged_items, submit_second_scoring
from audits.double_scoring.selection import consider, draw_for, judgeable
from audits.fieldwork.entry import AnswerEntry
from audits.models import Assignment, Contact, DoubleScoring, ItemKind, Round, RubricItem

# The share of the earlier round's judgeable contacts it scored twice (a real round's default is 10 %:
# the demo shows more, so that its figures rest on more than one or two contacts).
EARLIER_ROUND_PERCENT = 50
# The chance that the second auditor judges an item one step away from the first.
DIFFER = 0.05


@dataclass
class DemoDoubleScoring:
    """What the demo scored again: contacts chosen and scored, by round."""

    chosen: int = 0
    scored: int = 0


def _other(item: RubricItem, value: Any, rng: random.Random) -> Any:
    """An answer one step away from ``value``: the other yes/no, a neighbouring point, option or band."""
    if item.kind is ItemKind.YES_NO:
        return not value
    if item.kind is ItemKind.SCALE:
        top = item.scale_max or 1
        return value - 1 if value >= top or (value > 0 and rng.random() < 0.5) else value + 1
    if item.kind is ItemKind.CHOICE:
        labels = [str(option["label"]) for option in item.options or []]
        here = labels.index(value) if value in labels else 0
        return labels[here + 1] if here + 1 < len(labels) else labels[max(0, here - 1)]
    if item.kind is ItemKind.TIMING and item.bands:
        bounds = [float(bound) for bound, _ in item.bands]
        inside = [bound for bound in bounds if float(value) <= bound]
        return bounds[-1] + 1 if inside and inside[0] == bounds[0] else bounds[0]
    return value


def second_answers(
    scoring: DoubleScoring, rng: random.Random, differ_on_critical: bool
) -> dict[str, AnswerEntry]:
    """The second auditor's answers to the contact's judged items, drawn from the first's."""
    firsts = {response.item_id: response for response in scoring.contact.responses}
    answers: dict[str, AnswerEntry] = {}
    items = judged_items(scoring.contact.rubric)
    flipped = next((item.id for item in items if item.critical), None) if differ_on_critical else None
    for item in items:
        first = firsts.get(item.id)
        if first is None or first.na or first.value is None:
            answers[item.key] = AnswerEntry(na=True)  # N/A for the first: N/A again (it allows N/A)
            continue
        differs = item.id == flipped or (not item.critical and rng.random() < DIFFER)
        answers[item.key] = AnswerEntry(_other(item, first.value, rng) if differs else first.value)
    return answers


def ensure_one_chosen(session: Session, round_: Round) -> None:
    """Make sure the demo's round in the field has a contact chosen for double-scoring, on any date.

    The round's share (10 %) draws from a handful of judgeable contacts, so on some dates of the demo
    it chooses none. Then the share is raised to the smallest whole percentage that chooses the
    contact with the lowest draw, and the round's submitted contacts are considered again under it:
    the rule stays the rule (draw below the share), the round page shows the share that chose.
    """
    if session.scalar(select(DoubleScoring.id).where(DoubleScoring.round_id == round_.id).limit(1)):
        return
    contacts = [
        contact
        for contact in session.scalars(
            select(Contact)
            .join(Assignment, Contact.assignment_id == Assignment.id)
            .where(Assignment.round_id == round_.id, Contact.submitted_at.is_not(None))
            .order_by(Contact.id)
        )
        if judgeable(session, contact)
    ]
    if not contacts:
        return
    lowest = min(draw_for(round_, contact.id) for contact in contacts)
    round_.double_score_percent = max(round_.double_score_percent, math.floor(lowest * 100) + 1)
    for contact in contacts:
        consider(session, contact, now=contact.submitted_at)


def load_demo_double_scoring(
    session: Session, round_: Round, seed: int, leave_latest: bool = False
) -> DemoDoubleScoring:
    """Score again the round's chosen contacts (all, or with ``leave_latest`` all but the latest of two
    or more, and the first differing on a critical item)."""
    rng = random.Random(seed)
    scorings = list(
        session.scalars(
            select(DoubleScoring)
            .where(DoubleScoring.round_id == round_.id)
            .order_by(DoubleScoring.chosen_at, DoubleScoring.id)
        )
    )
    report = DemoDoubleScoring(chosen=len(scorings))
    to_score = scorings[:-1] if leave_latest and len(scorings) > 1 else scorings
    for index, scoring in enumerate(to_score):
        answers = second_answers(scoring, rng, differ_on_critical=index == 0 and leave_latest)
        submit_second_scoring(
            session, scoring, scoring.second_auditor, answers, scoring.chosen_at + timedelta(hours=26)
        )
        report.scored += 1
    return report
