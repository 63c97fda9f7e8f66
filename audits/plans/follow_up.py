"""Follow-up rounds: checking again, after their plans' due dates, the schools whose plans answer a round.

From a published round a leader plans a follow-up round for the schools whose action plan was
approved (a plan still being written or decided has no settled due dates: it is listed, left out,
with why). Each school is contacted again on the channels and scenarios that failed there: every
counted contact with a critical failure, unreached, or scored below the district's standard. A
scenario retired since is replaced by an active one of the district on the same channel that fits
the school (the same rubric items). Nothing is contacted before the day after the plan's last action
is due. The follow-up is a draft round like any other: the planner places it under its usual rules
(``audits.planning.planner``, rule 8) and the leader commits it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from audits.businesshours import BusinessCalendar, next_school_day
from audits.errors import ValidationError
from audits.formatting import day_words
from audits.models import (
    ActionPlan,
    Assignment,
    Channel,
    Contact,
    FollowUpTarget,
    PlanStatus,
    Round,
    RoundStatus,
    Scenario,
    School,
    SchoolSelection,
)
from audits.planning.planner import fitting
from audits.planning.rounds import (
    ChannelPlan,
    RoundSpec,
    ensure_status,
    plan_scenario,
    plan_school,
    save_round,
)
from audits.scoring.queries import contact_scores, grouped_rows

CHECKED_PLANS = (PlanStatus.APPROVED, PlanStatus.CLOSED)
WINDOW_SCHOOL_DAYS = 15  # a suggested follow-up lasts three school weeks after the last plan's due date
# Why a plan that is not approved yet cannot be checked: its due dates are not settled.
UNSETTLED = {
    PlanStatus.DRAFT: "its plan is still being written",
    PlanStatus.SENT_BACK: "its plan was sent back and is being rewritten",
    PlanStatus.SUBMITTED: "its plan waits for the district's decision",
}


@dataclass(frozen=True)
class Target:
    """One channel and scenario to contact a school on again."""

    channel: Channel
    scenario: Scenario


@dataclass
class FollowUpSchool:
    """A school with a plan answering the round: what to check again, from when, or why it cannot be."""

    plan: ActionPlan
    targets: list[Target] = field(default_factory=list)
    not_before: date | None = None
    left_out: str = ""  # why the school cannot be followed up (empty: it can)

    @property
    def school(self) -> School:
        """The plan's school."""
        return self.plan.school

    @property
    def eligible(self) -> bool:
        """Whether the school can be part of a follow-up round."""
        return not self.left_out


@dataclass
class FollowUpSpec:
    """What a leader fills in to plan a follow-up round."""

    name: str
    first_day: date | None
    last_day: date | None
    school_ids: list[int] = field(default_factory=list)
    seed: int = 1
    attempt_limit: int = 3


def _failed(session: Session, round_: Round) -> dict[int, list[tuple[Channel, int]]]:
    """Per school, the (channel, scenario id) of each counted contact that failed, in round order."""
    standard = round_.district.alert_threshold
    scored = contact_scores([round_.id]).subquery()
    rows = grouped_rows(
        session,
        select(scored.c.school_id, scored.c.channel, Assignment.scenario_id, scored.c.score)
        .select_from(scored)
        .join(Contact, Contact.id == scored.c.contact_id)
        .join(Assignment, Assignment.id == Contact.assignment_id)
        .where((scored.c.critical_failure == 1) | scored.c.unreached.is_(True) | (scored.c.score < standard))
        .order_by(scored.c.school_id, scored.c.channel, Assignment.sequence),
    )
    failed: dict[int, list[tuple[Channel, int]]] = defaultdict(list)
    for row in rows:
        pair = (Channel(row.channel), int(row.scenario_id))
        if pair not in failed[row.school_id]:
            failed[row.school_id].append(pair)
    return failed


def _substitute(scenario: Scenario, school: School, active: list[Scenario]) -> Scenario | None:
    """The scenario itself while active; else the first active one on its channel that fits the school."""
    if scenario.active:
        return scenario
    planned = plan_school(school)
    return next(
        (
            other
            for other in active
            if other.channel is scenario.channel and fitting(plan_scenario(other), planned)
        ),
        None,
    )


def follow_up_schools(session: Session, round_: Round) -> list[FollowUpSchool]:
    """Every school with a plan answering ``round_``, by name: what a follow-up would check and from
    when, or why it is left out (a plan not approved yet, nothing failed, no action due date)."""
    plans = session.scalars(
        select(ActionPlan)
        .join(School, School.id == ActionPlan.school_id)
        .where(ActionPlan.round_id == round_.id)
        .order_by(School.name, ActionPlan.id)
    ).all()
    failed = _failed(session, round_)
    # A plan already checked by a follow-up whose results are not published is not planned twice.
    pending_follow_ups = dict(
        session.execute(
            select(FollowUpTarget.plan_id, Round)
            .join(Round, Round.id == FollowUpTarget.round_id)
            .where(Round.follows_round_id == round_.id, Round.status != RoundStatus.PUBLISHED)
        )
        .tuples()
        .all()
    )
    scenarios = {
        scenario.id: scenario
        for scenario in session.scalars(select(Scenario).where(Scenario.district_id == round_.district_id))
    }
    active = sorted((s for s in scenarios.values() if s.active), key=lambda s: s.id)
    found = []
    for plan in plans:
        entry = FollowUpSchool(plan)
        found.append(entry)
        if plan.status not in CHECKED_PLANS:
            entry.left_out = f"{UNSETTLED[plan.status]}: a plan is checked once approved"
            continue
        if pending := pending_follow_ups.get(plan.id):
            entry.left_out = f"{pending.name} ({pending.status.label.lower()}) checks it already"
            continue
        for channel, scenario_id in failed.get(plan.school_id, []):
            scenario = _substitute(scenarios[scenario_id], plan.school, active)
            if scenario is not None and all(t.scenario.id != scenario.id for t in entry.targets):
                entry.targets.append(Target(channel, scenario))
        if not entry.targets:
            entry.left_out = "no contact failed there that an active scenario can check again"
            continue
        due = [action.due_on for action in plan.actions]
        entry.not_before = max(due) + timedelta(days=1) if due else None
        if entry.not_before is None:
            entry.left_out = "its plan has no action with a due date"
    return found


def suggested_window(
    schools: list[FollowUpSchool], calendar: BusinessCalendar, today: date
) -> tuple[date, date] | None:
    """A follow-up window for the eligible ``schools``: from the first school day on or after the
    earliest day one may be contacted (not before tomorrow), for ``WINDOW_SCHOOL_DAYS`` school days
    after the latest (``None`` when no school is eligible)."""
    days = [entry.not_before for entry in schools if entry.eligible and entry.not_before is not None]
    if not days:
        return None
    first = max(min(days), today + timedelta(days=1))
    if not calendar.is_school_day(first):
        first = next_school_day(calendar, first)
    last = max(days)
    for _ in range(WINDOW_SCHOOL_DAYS):
        last = next_school_day(calendar, last)
    return first, last


def _last_due(entry: FollowUpSchool) -> str:
    return day_words(entry.not_before - timedelta(days=1)) if entry.not_before else ""


def _check(round_: Round, spec: FollowUpSpec, schools: list[FollowUpSchool]) -> list[FollowUpSchool]:
    """The schools chosen, or every problem with the choice and the window's end."""
    ensure_status(round_, RoundStatus.PUBLISHED)
    by_id = {entry.school.id: entry for entry in schools}
    chosen = [by_id[school_id] for school_id in dict.fromkeys(spec.school_ids) if school_id in by_id]
    problems: list[tuple[str | None, str]] = []
    if not spec.school_ids:
        problems.append(("school_ids", "choose at least one school to check again"))
    elif len(chosen) != len(set(spec.school_ids)):
        problems.append(("school_ids", f"choose schools with a plan answering {round_.name}"))
    elif refused := [entry for entry in chosen if not entry.eligible]:
        names = "; ".join(f"{entry.school.name}: {entry.left_out}" for entry in refused)
        problems.append(("school_ids", f"these schools cannot be checked again: {names}"))
    elif spec.last_day is not None:
        late = [entry for entry in chosen if entry.not_before and entry.not_before > spec.last_day]
        if late:
            names = ", ".join(f"{entry.school.name} (due until {_last_due(entry)})" for entry in late)
            problems.append(
                (
                    "last_day",
                    f"end the window after the plans' due dates, or leave the schools out: {names}",
                )
            )
    if spec.first_day is not None and spec.first_day <= round_.last_day:
        ended = day_words(round_.last_day)
        problems.append(("first_day", f"a follow-up starts after the round it checks (it ended {ended})"))
    if problems:
        raise ValidationError.many(problems)
    return chosen


def plan_follow_up(session: Session, round_: Round, spec: FollowUpSpec, today: date | None = None) -> Round:
    """Save a draft follow-up round of ``round_`` for the schools of ``spec``: one contact per channel
    and scenario that failed at each, none before the day after its plan's last due date.

    Refused (``ValidationError``, nothing saved) unless ``round_`` is published, every school chosen
    has an approved plan answering it with something to check, and the window is valid (the round
    form's rules, ``today`` included) and ends after every chosen plan's due dates.
    """
    district = round_.district
    chosen = _check(round_, spec, follow_up_schools(session, round_))
    channels: dict[Channel, ChannelPlan] = {}
    for channel in Channel:
        per_school = [
            [target.scenario.id for target in entry.targets if target.channel is channel] for entry in chosen
        ]
        ids = list(dict.fromkeys(scenario_id for ids in per_school for scenario_id in ids))
        if ids:
            channels[channel] = ChannelPlan(max(len(ids) for ids in per_school), ids)
    spec_round = RoundSpec(
        name=spec.name,
        first_day=spec.first_day,
        last_day=spec.last_day,
        school_selection=SchoolSelection.LIST,
        school_ids=[entry.school.id for entry in chosen],
        channels=channels,
        seed=spec.seed,
        attempt_limit=spec.attempt_limit,
    )
    follow_up = save_round(session, district, spec_round, today=today)
    follow_up.follows_round_id = round_.id
    session.add_all(
        FollowUpTarget(
            round_id=follow_up.id,
            school_id=entry.school.id,
            plan_id=entry.plan.id,
            channel=target.channel,
            scenario_id=target.scenario.id,
            not_before=entry.not_before,
        )
        for entry in chosen
        for target in entry.targets
    )
    session.flush()
    return follow_up


def follow_ups_of(session: Session, round_: Round) -> list[Round]:
    """The follow-up rounds planned from ``round_``, newest first."""
    return list(
        session.scalars(
            select(Round)
            .where(Round.follows_round_id == round_.id)
            .order_by(Round.first_day.desc(), Round.id.desc())
        )
    )


@dataclass(frozen=True)
class CheckedAgain:
    """One school of a follow-up round: its plan, what it is contacted on again, from which day."""

    school: School
    plan: ActionPlan
    targets: list[Target]
    not_before: date


def checked_again(session: Session, follow_up: Round) -> list[CheckedAgain]:
    """The schools a follow-up round checks again, by name, each with its plan and targets."""
    rows = session.scalars(
        select(FollowUpTarget)
        .join(School, School.id == FollowUpTarget.school_id)
        .where(FollowUpTarget.round_id == follow_up.id)
        .order_by(School.name, FollowUpTarget.channel, FollowUpTarget.id)
    ).all()
    by_school: dict[int, list[FollowUpTarget]] = defaultdict(list)
    for row in rows:
        by_school[row.school_id].append(row)
    return [
        CheckedAgain(
            school=targets[0].school,
            plan=targets[0].plan,
            targets=[Target(row.channel, row.scenario) for row in targets],
            not_before=max(row.not_before for row in targets),
        )
        for targets in by_school.values()
    ]
