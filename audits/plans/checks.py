"""Follow-up results: each weak item of a plan beside what the follow-up round found.

A plan answers its round's weak channels, sections and items (``audits.plans.weak``). Once a
follow-up round (``audits.plans.follow_up``) has counted contacts at the school, each is read again
from the engine's figures: an item is **fixed** when the follow-up's contacts earned all its points
with no critical failure, a channel or section when it reached the district's standard; it
**improved** when it did better than before without getting there; it is **still failing**
otherwise; and **not checked** when no counted follow-up contact was scored on it. Until the
follow-up round is published its results are provisional (shown to the district's staff only).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from audits.formatting import percent
from audits.models import ActionPlan, FollowUpTarget, Role, Round, RoundStatus, User
from audits.plans.weak import ItemRow, WeakItem, item_rows, weaknesses
from audits.scoring.engine import RoundScores, SchoolScore, round_scores
from audits.vocabulary import count_of

FULL = 1 - 1e-9  # a share of points at or above this earned them all


class Verdict(StrEnum):
    """What the follow-up found for one weak item."""

    FIXED = "fixed"
    IMPROVED = "improved"
    STILL_FAILING = "still_failing"
    NOT_CHECKED = "not_checked"

    @property
    def label(self) -> str:
        """The verdict in words: ``Still failing``."""
        return self.value.replace("_", " ").capitalize()


@dataclass(frozen=True)
class ItemCheck:
    """One weak item of the plan: how it was, what the follow-up found, and the verdict."""

    key: str  # the weak item's key (``item:phone:answered``), as actions target it
    kind: str
    label: str
    before: str
    after: str
    verdict: Verdict
    critical: bool = False


@dataclass
class FollowUpCheck:
    """A plan's weak items checked by a follow-up round."""

    plan: ActionPlan
    round: Round  # the follow-up round
    items: list[ItemCheck] = field(default_factory=list)

    @property
    def final(self) -> bool:
        """Whether the follow-up round is published (before that, its results may still change)."""
        return self.round.status is RoundStatus.PUBLISHED

    @property
    def checked(self) -> bool:
        """Whether any weak item has a follow-up result yet."""
        return any(item.verdict is not Verdict.NOT_CHECKED for item in self.items)

    def count(self, verdict: Verdict) -> int:
        """How many weak items got ``verdict``."""
        return sum(1 for item in self.items if item.verdict is verdict)

    def for_target(self, key: str) -> ItemCheck | None:
        """The check of the weak item an action answers, if it is one."""
        return next((item for item in self.items if item.key == key), None)

    def summary(self) -> str:
        """``3 fixed, 1 improved, 2 still failing`` (what was checked)."""
        parts = [
            f"{self.count(verdict)} {verdict.label.lower()}"
            for verdict in (Verdict.FIXED, Verdict.IMPROVED, Verdict.STILL_FAILING)
            if self.count(verdict)
        ]
        return ", ".join(parts) if parts else "nothing checked yet"


def check_for(session: Session, plan: ActionPlan, reader: User) -> FollowUpCheck | None:
    """The plan's follow-up results ``reader`` may see: the district's staff as the follow-up's contacts
    are approved (provisional), a principal once the follow-up round is published."""
    check = check_plan(session, plan)
    if check is None or (reader.role is Role.PRINCIPAL and not check.final):
        return None
    return check


def follow_up_round(session: Session, plan: ActionPlan) -> Round | None:
    """The newest follow-up round that checks ``plan`` (one that has it among its targets)."""
    return session.scalar(
        select(Round)
        .join(FollowUpTarget, FollowUpTarget.round_id == Round.id)
        .where(FollowUpTarget.plan_id == plan.id)
        .order_by(Round.first_day.desc(), Round.id.desc())
        .limit(1)
    )


def _score_words(score: float | None) -> str:
    return "not scored" if score is None else f"scored {score:.1f}"


def _judge(before: float | None, after: float | None, reached: bool, critical: bool) -> Verdict:
    if after is None:
        return Verdict.NOT_CHECKED
    if reached and not critical:
        return Verdict.FIXED
    if before is not None and after > before and not critical:
        return Verdict.IMPROVED
    return Verdict.STILL_FAILING


def _channel_check(
    item: WeakItem, before: SchoolScore, after: SchoolScore | None, standard: float
) -> ItemCheck:
    channel = item.key.split(":", 1)[1]
    old = before.channels.get(channel)
    new = after.channels.get(channel) if after is not None else None
    old_score = old.score if old is not None else None
    new_score = new.score if new is not None else None
    critical = bool(new and new.critical_failures)
    after_words = _score_words(new_score) if new is not None else "not contacted again"
    if new is not None and new.critical_failures:
        after_words += f"; {count_of(new.critical_failures, 'contact')} with a critical failure"
    verdict = _judge(old_score, new_score, new_score is not None and new_score >= standard, critical)
    return ItemCheck(item.key, item.kind, item.label, _score_words(old_score), after_words, verdict)


def _section_check(
    item: WeakItem, before: SchoolScore, after: SchoolScore | None, standard: float
) -> ItemCheck:
    section = item.key.split(":", 1)[1]
    old = before.sections.get(section)
    new = after.sections.get(section) if after is not None else None
    after_words = _score_words(new) if new is not None else "not scored again"
    verdict = _judge(old, new, new is not None and new >= standard, False)
    return ItemCheck(item.key, item.kind, item.label, _score_words(old), after_words, verdict)


def _row_words(row: ItemRow | None) -> str:
    if row is None:
        return "not scored again"
    words = f"earned {percent(row.share, 0)} of its points over {count_of(row.contacts, 'contact')}"
    if row.critical_fails:
        words += f"; failed on {count_of(row.critical_fails, 'contact')}"
    return words


def _item_check(item: WeakItem, before: dict[str, ItemRow], after: dict[str, ItemRow]) -> ItemCheck:
    old, new = before.get(item.key), after.get(item.key)
    new_share = new.share if new is not None else None
    critical = bool(new and new.critical_fails)
    verdict = _judge(
        old.share if old is not None else None,
        new_share,
        new_share is not None and new_share >= FULL,
        critical,
    )
    return ItemCheck(
        item.key, item.kind, item.label, _row_words(old), _row_words(new), verdict, critical=item.critical
    )


def _rows_by_key(rows: list[ItemRow]) -> dict[str, ItemRow]:
    return {f"item:{row.channel}:{row.key}": row for row in rows}


def check_plan(
    session: Session,
    plan: ActionPlan,
    follow_up: Round | None = None,
    follow_up_scores: RoundScores | None = None,
    original_scores: RoundScores | None = None,
) -> FollowUpCheck | None:
    """Each weak item of ``plan`` beside what its follow-up round found (``None``: no follow-up).

    ``follow_up``: the follow-up round (default: the newest that checks the plan);
    ``follow_up_scores`` and ``original_scores``: the two rounds' scores when the caller has them
    (a scorecard batch scores each once for all its schools).
    """
    follow_up = follow_up or follow_up_round(session, plan)
    if follow_up is None:
        return None
    standard = plan.round.district.alert_threshold
    original = original_scores or round_scores(session, plan.round, precision=False)
    weak = weaknesses(session, plan.round, plan.school, original)
    before = original.school(plan.school_id)
    check = FollowUpCheck(plan, follow_up)
    if before is None:
        return check
    after = (follow_up_scores or round_scores(session, follow_up, precision=False)).school(plan.school_id)
    rows_before = _rows_by_key(item_rows(session, plan.round, plan.school))
    rows_after = _rows_by_key(item_rows(session, follow_up, plan.school))
    for item in weak.items:
        if item.kind == "channel":
            check.items.append(_channel_check(item, before, after, standard))
        elif item.kind == "section":
            check.items.append(_section_check(item, before, after, standard))
        else:
            check.items.append(_item_check(item, rows_before, rows_after))
    return check
