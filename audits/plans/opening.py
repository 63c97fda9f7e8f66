"""Opening plans: for every qualifying school when a round's scorecards are published, or on request.

A school qualifies when the scoring engine counts a critical failure among its counted contacts
or its overall is below the district's alert threshold (``audits.results.thresholds.is_flagged``),
the same figures its scorecard prints. Publishing again (after unpublishing) opens no second plan
for a school that has one for the round. On request, a leader or the school's principal opens a
plan for any school in answer to its latest published scorecard. Everything flushes; the caller
commits.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from audits.errors import ConflictError
from audits.models import (
    ActionPlan,
    PlanEventKind,
    PlanReason,
    PlanStatus,
    Round,
    School,
    Scorecard,
    User,
)
from audits.plans.history import reason_words
from audits.plans.workflow import record
from audits.results.thresholds import is_flagged
from audits.scoring.engine import SchoolScore, round_scores
from audits.timeutil import utcnow


def qualifies(score: SchoolScore | None, threshold: float) -> PlanReason | None:
    """Why a school's round opens a plan by itself: a critical failure first, then a low overall."""
    if score is None:
        return None
    if score.critical_failures > 0:
        return PlanReason.CRITICAL_FAILURE
    if is_flagged(score, threshold):
        return PlanReason.BELOW_THRESHOLD
    return None


def _open(
    session: Session,
    school_id: int,
    round_: Round,
    reason: PlanReason,
    score: SchoolScore | None,
    opened_by: User | None,
    actor: User | None,
    now: datetime,
) -> ActionPlan:
    plan = ActionPlan(
        school_id=school_id,
        round_id=round_.id,
        status=PlanStatus.DRAFT,
        reason=reason,
        overall=score.overall if score is not None else None,
        threshold=round_.district.alert_threshold,
        critical_failures=score.critical_failures if score is not None else 0,
        opened_by_id=opened_by.id if opened_by is not None else None,
        opened_at=now,
    )
    session.add(plan)
    why = reason_words(plan)
    if opened_by is None:
        why = f"Opened when the {round_.name} scorecards were published: {why}."
    else:
        why = f"Opened on request, in answer to the {round_.name} scorecard."
    record(plan, PlanEventKind.OPENED, actor, now, detail=why)
    return plan


def open_plans_on_publication(
    session: Session, round_: Round, cards: list[Scorecard], actor: User | None, now: datetime | None = None
) -> list[ActionPlan]:
    """Open a plan for each school of ``cards`` (just published) that qualifies and has none for the
    round yet; return them, by school name. ``actor`` (who published) is named in their history."""
    if not cards:
        return []
    now = now or utcnow()
    scores = round_scores(session, round_, sections=False, precision=False)
    existing = set(session.scalars(select(ActionPlan.school_id).where(ActionPlan.round_id == round_.id)))
    threshold = round_.district.alert_threshold
    opened = []
    for card in sorted(cards, key=lambda c: (c.school.name.casefold(), c.school_id)):
        score = scores.school(card.school_id)
        reason = qualifies(score, threshold)
        if reason is not None and card.school_id not in existing:
            opened.append(_open(session, card.school_id, round_, reason, score, None, actor, now))
            existing.add(card.school_id)
    session.flush()
    return opened


def latest_published_round(session: Session, school: School) -> Round | None:
    """The round of the school's newest published scorecard, if any."""
    return session.scalar(
        select(Round)
        .join(Scorecard, Scorecard.round_id == Round.id)
        .where(Scorecard.school_id == school.id, Scorecard.published_at.is_not(None))
        .order_by(Round.first_day.desc(), Round.id.desc())
        .limit(1)
    )


def request_plan(session: Session, school: School, actor: User, now: datetime | None = None) -> ActionPlan:
    """Open a plan for ``school`` on request, in answer to its latest published scorecard.

    Refused when no scorecard of the school is published, or when it already has a plan for that
    round that is not closed.
    """
    round_ = latest_published_round(session, school)
    if round_ is None:
        raise ConflictError(
            "school", f"no scorecard of {school.name} is published yet; a plan answers a published scorecard"
        )
    current = session.scalar(
        select(ActionPlan).where(
            ActionPlan.school_id == school.id,
            ActionPlan.round_id == round_.id,
            ActionPlan.status != PlanStatus.CLOSED,
        )
    )
    if current is not None:
        raise ConflictError("school", f"{school.name} already has a plan for {round_.name}")
    score = round_scores(session, round_, sections=False, precision=False).school(school.id)
    plan = _open(session, school.id, round_, PlanReason.REQUESTED, score, actor, actor, now or utcnow())
    session.flush()
    return plan
