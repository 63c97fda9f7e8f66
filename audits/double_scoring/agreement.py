"""The round's agreement: how alike the first and the second auditor judged double-scored contacts.

For each judged item (``second.judged_items``) of the round's rubrics, by rubric and item key,
Krippendorff's alpha at the item's level (``audits.agreement.level_for``: yes/no and choice
nominal, scale ordinal, timing interval; N/A missing) with the ratings it rests on, and the share
of contacts on which the two gave the same answer (a timing: the same band of points). Over the
whole round: the share of all answers that agreed and alpha (interval) over the contact scores each
auditor's answers give (points earned over possible, on the judged items). Only contacts whose
second scoring was submitted count. Four queries whatever the size of the round; no figure here
ever reaches a school's.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from audits.agreement import Alpha, Level, Share, item_alpha, level_for, percent_agreement
from audits.errors import ValidationError
from audits.formatting import day_words
from audits.models import (
    Assignment,
    CalibrationExercise,
    CalibrationParticipant,
    DoubleScoring,
    ItemKind,
    Response,
    Round,
    Rubric,
    RubricItem,
    RubricSection,
    Scenario,
    SecondAnswer,
)
from audits.rubrics.scoring import NA, item_fraction
from audits.rubrics.spec import ItemSpec
from audits.rubrics.versions import spec_from_item
from audits.vocabulary import count_of

FIRST, SECOND = "first", "second"
ALPHA = "\N{GREEK SMALL LETTER ALPHA}"
# Alpha of a single pair is 0 or 1 whatever the auditors: it needs at least two contacts to say anything.
MIN_CONTACTS = 2
TOO_FEW = "too few contacts"
# An answer as the figures read it: (value, na); ``None`` when the rater gave none.
Answer = tuple[Any, bool]


@dataclass(frozen=True)
class ItemAgreement:
    """The agreement on one item of one rubric over the round's double-scored contacts."""

    rubric_key: str
    rubric_name: str
    key: str
    prompt: str
    critical: bool
    level: Level
    alpha: Alpha
    agreement: Share


@dataclass(frozen=True)
class RoundAgreement:
    """Every agreement figure of a round's double-scoring."""

    percent: int  # the share the round asks for
    chosen: int  # contacts chosen so far
    scored: int  # of which the second auditor has submitted their answers
    items: list[ItemAgreement]
    answers: Share  # all judged answers, pooled
    score_alpha: Alpha  # over the contact scores (interval)

    def line(self) -> str | None:
        """The one line a scorecard and the district summary print; ``None`` before any second scoring.

        "auditors agreed on 92 % of answers; alpha = 0.84 on contact scores over 48 double-scored
        contacts" (with the Greek letter). Never a name.
        """
        if not self.scored or self.answers.value is None:
            return None
        agreed = f"auditors agreed on {round(self.answers.value * 100)} % of answers"
        over = count_of(self.scored, "double-scored contact")
        if self.score_alpha.value is None:
            return f"{agreed} over {over} ({self.score_alpha.reason} for {ALPHA})"
        return f"{agreed}; {ALPHA} = {self.score_alpha.value:.2f} on contact scores over {over}"


def _comparable(item: RubricItem, spec: ItemSpec, answer: Answer | None) -> Any:
    """The value alpha reads: ``None`` for N/A or no answer; a timing as its number."""
    if answer is None or answer[1] or answer[0] is None:
        return None
    value = answer[0]
    return float(value) if item.kind is ItemKind.TIMING else value


def _same_value(item: RubricItem, spec: ItemSpec, answer: Answer | None) -> Any:
    """The value percent agreement compares: a timing's band (its fraction), anything else as given."""
    value = _comparable(item, spec, answer)
    if value is not None and item.kind is ItemKind.TIMING and item.bands:
        return item_fraction(spec, value)
    return value


def _fraction(spec: ItemSpec, answer: Answer | None) -> float | None:
    if answer is None:
        return None
    try:
        return item_fraction(spec, NA if answer[1] else answer[0])
    except ValidationError:  # an answer the rubric no longer takes earns nothing here
        return None


def _alpha(ratings: dict[int, dict[str, Any]], level: Level, domain: list[int] | None = None) -> Alpha:
    """Alpha over the contacts both auditors answered; on fewer than two of them it says too little."""
    paired = sum(all(value is not None for value in by_rater.values()) for by_rater in ratings.values())
    alpha = item_alpha(ratings, level, domain)
    if paired < MIN_CONTACTS:
        return Alpha(None, alpha.n, TOO_FEW)
    return alpha


def round_agreement(session: Session, round_: Round) -> RoundAgreement:
    """The agreement figures of ``round_``'s double-scored contacts (those scored twice so far)."""
    chosen, scored = session.execute(
        select(func.count(), func.count(DoubleScoring.submitted_at)).where(
            DoubleScoring.round_id == round_.id
        )
    ).one()
    done = select(DoubleScoring.contact_id).where(
        DoubleScoring.round_id == round_.id, DoubleScoring.submitted_at.is_not(None)
    )
    answers: dict[int, dict[int, dict[str, Answer]]] = defaultdict(lambda: defaultdict(dict))
    for contact_id, item_id, value, na in session.execute(
        select(DoubleScoring.contact_id, SecondAnswer.item_id, SecondAnswer.value, SecondAnswer.na)
        .join(SecondAnswer, SecondAnswer.scoring_id == DoubleScoring.id)
        .where(DoubleScoring.round_id == round_.id, DoubleScoring.submitted_at.is_not(None))
    ):
        answers[item_id][contact_id][SECOND] = (value, na)
    for contact_id, item_id, value, na in session.execute(
        select(Response.contact_id, Response.item_id, Response.value, Response.na).where(
            Response.contact_id.in_(done), Response.item_id.in_(list(answers) or [-1])
        )
    ):
        if item_id in answers:
            answers[item_id][contact_id][FIRST] = (value, na)
    rows = session.execute(
        select(RubricItem, Rubric.key, Rubric.id, Rubric.name)
        .join(RubricSection, RubricItem.section_id == RubricSection.id)
        .join(Rubric, RubricSection.rubric_id == Rubric.id)
        .where(RubricItem.id.in_(list(answers) or [-1]))
    ).all()
    # Items of several versions of a rubric with one key are one item of the figures.
    grouped: dict[tuple[str, str], list[RubricItem]] = defaultdict(list)
    names: dict[str, tuple[int, str]] = {}
    for item, rubric_key, rubric_id, rubric_name in rows:
        grouped[(rubric_key, item.key)].append(item)
        names[rubric_key] = max(names.get(rubric_key, (0, "")), (rubric_id, rubric_name))
    items: list[ItemAgreement] = []
    pooled: dict[tuple[str, str, int], dict[str, Any]] = {}
    scores: dict[int, dict[str, list[float]]] = defaultdict(lambda: {FIRST: [0.0, 0.0], SECOND: [0.0, 0.0]})
    for (rubric_key, key), versions in sorted(grouped.items()):
        latest = max(versions, key=lambda item: item.id)
        level = level_for(latest.kind)
        if level is None:
            continue
        alpha_ratings: dict[int, dict[str, Any]] = {}
        same_ratings: dict[int, dict[str, Any]] = {}
        for item in versions:
            spec = spec_from_item(item)
            for contact_id, by_rater in answers[item.id].items():
                alpha_ratings[contact_id] = {
                    rater: _comparable(item, spec, by_rater.get(rater)) for rater in (FIRST, SECOND)
                }
                same_ratings[contact_id] = {
                    rater: _same_value(item, spec, by_rater.get(rater)) for rater in (FIRST, SECOND)
                }
                pooled[(rubric_key, key, contact_id)] = same_ratings[contact_id]
                for rater in (FIRST, SECOND):
                    fraction = _fraction(spec, by_rater.get(rater))
                    if fraction is not None:
                        scores[contact_id][rater][0] += fraction * item.points
                        scores[contact_id][rater][1] += item.points
        domain = list(range((latest.scale_max or 0) + 1)) if level is Level.ORDINAL else None
        items.append(
            ItemAgreement(
                rubric_key,
                names[rubric_key][1],
                key,
                latest.prompt,
                latest.critical,
                level,
                _alpha(alpha_ratings, level, domain),
                percent_agreement(same_ratings),
            )
        )
    contact_scores = {
        contact_id: {
            rater: (earned / possible if possible else None) for rater, (earned, possible) in by_rater.items()
        }
        for contact_id, by_rater in scores.items()
    }
    return RoundAgreement(
        percent=round_.double_score_percent,
        chosen=int(chosen),
        scored=int(scored),
        items=items,
        answers=percent_agreement(pooled),
        score_alpha=_alpha(contact_scores, Level.INTERVAL),
    )


def calibration_words(session: Session, round_: Round) -> str:
    """How the round's auditors were calibrated, in words: "4 of 5 auditors took a calibration exercise
    on a rubric of this round (the latest on Mar 12, 2027)"; ``""`` when none did (or nobody is assigned).

    An exercise counts when it is the district's, on a rubric the round's scenarios are scored on, and
    the auditor submitted it by the round's last day.
    """
    assigned = select(Assignment.auditor_id).where(Assignment.round_id == round_.id).distinct()
    auditors = set(session.scalars(assigned))
    if not auditors:
        return ""
    keys = (
        select(Scenario.rubric_key)
        .join(Assignment, Assignment.scenario_id == Scenario.id)
        .where(Assignment.round_id == round_.id)
    )
    zone = ZoneInfo(round_.district.timezone)
    until = datetime.combine(round_.last_day + timedelta(days=1), time(0), zone)
    rows = session.execute(
        select(CalibrationParticipant.auditor_id, func.max(CalibrationParticipant.submitted_at))
        .join(CalibrationExercise, CalibrationExercise.id == CalibrationParticipant.exercise_id)
        .join(Rubric, Rubric.id == CalibrationExercise.rubric_id)
        .where(
            CalibrationExercise.district_id == round_.district_id,
            CalibrationParticipant.auditor_id.in_(auditors),
            CalibrationParticipant.submitted_at.is_not(None),
            CalibrationParticipant.submitted_at < until,
            Rubric.key.in_(keys),
        )
        .group_by(CalibrationParticipant.auditor_id)
    ).all()
    if not rows:
        return ""
    latest = max(submitted for _, submitted in rows).astimezone(zone).date()
    calibrated, total = len(rows), len(auditors)
    who = (
        f"all {total} auditors"
        if calibrated == total > 1
        else f"{calibrated} of {count_of(total, 'auditor')}"
    )
    if total == 1:
        who = "the round's auditor"
    return f"{who} took a calibration exercise on a rubric of this round (the latest on {day_words(latest)})"


def auditors_line(session: Session, round_: Round) -> str:
    """What a scorecard and the district summary say of the round's auditors, in one sentence: how they
    were calibrated (when calibration exercises exist) and how alike they judged the contacts scored
    twice; ``""`` when there is neither. Never an auditor's name."""
    parts = [calibration_words(session, round_), round_agreement(session, round_).line() or ""]
    line = "; ".join(part for part in parts if part)
    return f"{line[0].upper()}{line[1:]}." if line else ""
