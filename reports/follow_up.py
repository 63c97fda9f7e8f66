"""The follow-up section of a follow-up round's scorecard: each weak item of the school's plan beside
what the follow-up found (``audits.plans.checks``), as plain values the PDF and the portal print."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from audits.models import ActionPlan, FollowUpTarget, Round
from audits.plans.checks import check_plan
from audits.scoring.engine import RoundScores, round_scores


@dataclass(frozen=True)
class FollowUpLine:
    """One weak item of the plan: before, after and the verdict (``fixed``…) with its words."""

    label: str
    before: str
    after: str
    verdict: str
    verdict_label: str
    critical: bool = False


@dataclass
class FollowUpSection:
    """What a follow-up round's scorecard says about the plan it checks."""

    original_round: str
    summary: str
    lines: list[FollowUpLine] = field(default_factory=list)


def follow_up_sections(session: Session, round_: Round, scores: RoundScores) -> dict[int, FollowUpSection]:
    """For a follow-up round, by school id: its plan's weak items checked (empty for any other round)."""
    if round_.follows_round_id is None:
        return {}
    plans = session.scalars(
        select(ActionPlan)
        .where(ActionPlan.id.in_(select(FollowUpTarget.plan_id).where(FollowUpTarget.round_id == round_.id)))
        .order_by(ActionPlan.id)
    ).all()
    originals: dict[int, RoundScores] = {}
    sections = {}
    for plan in plans:
        if plan.round_id not in originals:
            originals[plan.round_id] = round_scores(session, plan.round, precision=False)
        check = check_plan(session, plan, round_, scores, originals[plan.round_id])
        if check is None or not check.items:
            continue
        sections[plan.school_id] = FollowUpSection(
            plan.round.name,
            check.summary(),
            [
                FollowUpLine(
                    item.label, item.before, item.after, item.verdict.value, item.verdict.label, item.critical
                )
                for item in check.items
            ],
        )
    return sections
