"""Rounds: saving a round, planning it, committing the plan, moving its status on.

Status: draft → scheduled → in_field → closed → published. Only a draft can be
(re-)planned; a scheduled round with no fieldwork may go back to draft. Every move is kept
in the round's history (``RoundEvent``). Closing and reopening a round closed by mistake
(an administrator's step, with a reason) are in ``audits.planning.closing``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, selectinload

from audits.calibration import calibrations_since
from audits.errors import ConflictError, ValidationError
from audits.grades import grades_between
from audits.ids import storable_ids
from audits.locking import ensure_seen, lock
from audits.models import (
    Assignment,
    AuditorProfile,
    Channel,
    Contact,
    District,
    FollowUpTarget,
    Level,
    Role,
    Round,
    RoundChannel,
    RoundEvent,
    RoundStatus,
    Scenario,
    School,
    SchoolSelection,
    User,
)
from audits.planning.planner import (
    ChannelQuota,
    LeftOut,
    Plan,
    PlanAuditor,
    PlanRequest,
    PlanScenario,
    PlanSchool,
    plan_round,
)
from audits.planning.slots import school_days, usable_slots
from audits.script_values import Missing, missing_for_round
from audits.script_variables import variables_in
from audits.timeutil import utcnow
from audits.vocabulary import count_of

MAX_WINDOW_DAYS = 180
MAX_PER_SCHOOL = 10
MAX_SEED = 2_147_483_647  # the rounds.seed column is an integer
MAX_NAME = 200  # the rounds.name column
MAX_CALIBRATION_DAYS = 730

TRANSITIONS: dict[RoundStatus, set[RoundStatus]] = {
    RoundStatus.DRAFT: {RoundStatus.SCHEDULED},
    RoundStatus.SCHEDULED: {RoundStatus.DRAFT, RoundStatus.IN_FIELD},
    RoundStatus.IN_FIELD: {RoundStatus.CLOSED},
    # Reopening a closed round is ``audits.planning.closing.reopen_round``'s: an administrator, a reason.
    RoundStatus.CLOSED: {RoundStatus.PUBLISHED},
    RoundStatus.PUBLISHED: set(),
}


@dataclass
class ChannelPlan:
    """For one channel: contacts per school and the scenario ids to rotate."""

    per_school: int = 0
    scenario_ids: list[int] = field(default_factory=list)


@dataclass
class RoundSpec:
    """What a leader fills in to plan a round."""

    name: str
    first_day: date | None
    last_day: date | None
    school_selection: SchoolSelection = SchoolSelection.ALL
    levels: list[str] = field(default_factory=list)
    school_ids: list[int] = field(default_factory=list)
    channels: dict[Channel, ChannelPlan] = field(default_factory=dict)
    seed: int = 1
    attempt_limit: int = 3
    # The share of contacts with a recording or an email thread scored again, blind (0: none).
    double_score_percent: int = 10
    # Only auditors who submitted a calibration exercise on each of the round's rubrics within this
    # many days before its first day get assignments; none: every auditor.
    calibrated_within_days: int | None = None


@dataclass(frozen=True)
class _CheckedRound:
    """What ``_validate`` vouches for in a ``RoundSpec``: its window, both days given, and its schools."""

    first_day: date
    last_day: date
    schools: list[School]


def _validate(session: Session, district: District, spec: RoundSpec, today: date | None) -> _CheckedRound:
    problems: list[tuple[str | None, str]] = []
    if not spec.name.strip():
        problems.append(("name", "is required"))
    elif len(spec.name.strip()) > MAX_NAME:
        problems.append(("name", f"keep it under {MAX_NAME} characters"))
    elif len(spec.name.strip().splitlines()) > 1:  # it heads emails: a line break would end the subject
        problems.append(("name", "keep the name on one line"))
    if spec.first_day is None:
        problems.append(("first_day", "is required"))
    if spec.last_day is None:
        problems.append(("last_day", "is required"))
    if spec.first_day and spec.last_day:
        if spec.last_day < spec.first_day:
            problems.append(("last_day", "must be on or after the first day"))
        elif spec.last_day - spec.first_day > timedelta(days=MAX_WINDOW_DAYS):
            problems.append(("last_day", f"a round lasts at most {MAX_WINDOW_DAYS} days"))
        elif today is not None and spec.last_day < today:
            ended = f"{spec.last_day:%B} {spec.last_day.day}, {spec.last_day.year}"
            problems.append(("last_day", f"must be today or later: {ended} has passed"))
    if not 1 <= spec.attempt_limit <= 10:
        problems.append(("attempt_limit", "must be from 1 to 10"))
    if not 0 <= spec.double_score_percent <= 100:
        problems.append(("double_score_percent", "must be from 0 to 100"))
    if (
        spec.calibrated_within_days is not None
        and not 1 <= spec.calibrated_within_days <= MAX_CALIBRATION_DAYS
    ):
        problems.append(
            ("calibrated_within_days", f"must be from 1 to {MAX_CALIBRATION_DAYS} days, or blank")
        )
    if not 0 <= spec.seed <= MAX_SEED:
        problems.append(("seed", f"must be from 0 to {MAX_SEED:,}"))
    schools: list[School] = []
    if spec.school_selection is SchoolSelection.LEVELS:
        unknown = [level for level in spec.levels if level not in Level._value2member_map_]
        if not spec.levels or unknown:
            problems.append(("levels", "choose at least one level"))
    if spec.school_selection is SchoolSelection.LIST:
        schools = list(
            session.scalars(
                select(School).where(
                    School.id.in_(storable_ids(spec.school_ids)), School.district_id == district.id
                )
            )
        )
        if not schools or len(schools) != len(set(spec.school_ids)):
            problems.append(("school_ids", "choose schools of this district"))
        elif inactive := [school.name for school in schools if not school.active]:
            problems.append(("school_ids", f"inactive schools cannot be audited: {', '.join(inactive)}"))
    wanted = {channel: plan for channel, plan in spec.channels.items() if plan.per_school > 0}
    if not wanted:
        problems.append(("channels", "give at least one channel a number of contacts per school"))
    ids = {scenario_id for plan in wanted.values() for scenario_id in plan.scenario_ids}
    scenarios = {
        scenario.id: scenario
        for scenario in session.scalars(
            select(Scenario).where(
                Scenario.id.in_(storable_ids(ids)),
                Scenario.district_id == district.id,
                Scenario.active.is_(True),
            )
        )
    }
    for channel, plan in spec.channels.items():
        where = f"{channel.value}_per_school"
        if not 0 <= plan.per_school <= MAX_PER_SCHOOL:
            problems.append((where, f"must be from 0 to {MAX_PER_SCHOOL}"))
        if plan.per_school <= 0:
            continue  # an unused channel's scenarios do not matter
        if not plan.scenario_ids:
            problems.append((f"{channel.value}_scenarios", f"choose at least one {channel.value} scenario"))
        for scenario_id in plan.scenario_ids:
            scenario = scenarios.get(scenario_id)
            if scenario is None or scenario.channel is not channel:
                problems.append(
                    (
                        f"{channel.value}_scenarios",
                        f"choose active {channel.value} scenarios of this district",
                    )
                )
                break
    if problems or spec.first_day is None or spec.last_day is None:  # a missing day is a problem above
        raise ValidationError.many(problems)
    return _CheckedRound(spec.first_day, spec.last_day, schools)


def ensure_status(round_: Round, *allowed: RoundStatus) -> None:
    """Raise unless the round is in one of ``allowed``."""
    if round_.status not in allowed:
        names = " or ".join(status.label.lower() for status in allowed)
        raise ConflictError(
            "status", f"the round is {round_.status.label.lower()}; this needs a {names} round"
        )


def ensure_seen_round(round_: Round, seen: int | None) -> None:
    """Refuse a change made from a page that showed an older revision of the round."""
    ensure_seen(
        round_.revision,
        seen,
        f"{round_.name} changed since you opened it (it is {round_.status.label.lower()} now); "
        "reload to see it",
    )


def save_round(
    session: Session,
    district: District,
    spec: RoundSpec,
    round_: Round | None = None,
    seen: int | None = None,
    today: date | None = None,
) -> Round:
    """Create a draft round of ``district`` (or update ``round_``, which must be a draft).

    ``today``: the district's date; a round whose window has already ended is refused.

    ``seen``: the revision of ``round_`` on the leader's form (an edit from an old form is refused).
    """
    if round_ is not None:
        lock(session, round_)
        ensure_seen_round(round_, seen)
        ensure_status(round_, RoundStatus.DRAFT)
        round_.revision += 1
    checked = _validate(session, district, spec, today)
    if round_ is None:
        round_ = Round(district_id=district.id, status=RoundStatus.DRAFT)
        session.add(round_)
    round_.name = spec.name.strip()
    round_.first_day = checked.first_day
    round_.last_day = checked.last_day
    round_.school_selection = spec.school_selection
    round_.levels = sorted(spec.levels) if spec.school_selection is SchoolSelection.LEVELS else []
    round_.chosen_schools = checked.schools if spec.school_selection is SchoolSelection.LIST else []
    round_.seed = spec.seed
    round_.attempt_limit = spec.attempt_limit
    round_.double_score_percent = spec.double_score_percent
    round_.calibrated_within_days = spec.calibrated_within_days
    existing = {channel.channel: channel for channel in round_.channels}
    for channel in Channel:
        plan = spec.channels.get(channel, ChannelPlan())
        if plan.per_school > 0:
            row = existing.get(channel) or RoundChannel(channel=channel)
            row.contacts_per_school = plan.per_school
            row.scenario_ids = list(dict.fromkeys(plan.scenario_ids))
            if channel not in existing:
                round_.channels.append(row)
        elif channel in existing:
            round_.channels.remove(existing[channel])
    session.flush()
    return round_


def schools_in_round(session: Session, round_: Round) -> list[School]:
    """The active schools the round covers, by name."""
    stmt = select(School).where(School.district_id == round_.district_id, School.active.is_(True))
    if round_.school_selection is SchoolSelection.LEVELS:
        stmt = stmt.where(School.level.in_([Level(level) for level in round_.levels]))
    elif round_.school_selection is SchoolSelection.LIST:
        stmt = stmt.where(School.id.in_([school.id for school in round_.chosen_schools]))
    return list(session.scalars(stmt.order_by(School.name)))


def district_auditors(session: Session, district_id: int) -> list[tuple[User, AuditorProfile]]:
    """Active auditors of a district with their profiles (a default profile where none is saved)."""
    users = session.scalars(
        select(User)
        .where(User.district_id == district_id, User.role == Role.AUDITOR, User.active.is_(True))
        .order_by(User.id)
    ).all()
    profiles = {
        profile.user_id: profile
        for profile in session.scalars(
            select(AuditorProfile)
            .where(AuditorProfile.user_id.in_([user.id for user in users]))
            .options(selectinload(AuditorProfile.conflicts))
        )
    }
    return [
        (
            user,
            profiles.get(user.id)
            or AuditorProfile(user_id=user.id, languages=["en"], max_per_day=4, weekdays=[0, 1, 2, 3, 4]),
        )
        for user in users
    ]


def plan_school(school: School) -> PlanSchool:
    """A school as the planner sees it: level, grades served, and the channels that can reach it."""
    channels = set()
    if school.street.strip():
        channels.add(Channel.VISIT)
    if school.phone:
        channels.add(Channel.PHONE)
    if school.email:
        channels.add(Channel.EMAIL)
    grades = grades_between(school.grade_low, school.grade_high)
    return PlanSchool(school.id, school.level.value, grades, frozenset(channels))


def plan_scenario(scenario: Scenario) -> PlanScenario:
    """A scenario as the planner sees it: channel, language, the grades and levels it fits."""
    texts = [scenario.persona, scenario.script, *scenario.questions, scenario.answer_key]
    return PlanScenario(
        scenario.id,
        scenario.channel,
        scenario.language,
        frozenset(scenario.grades or ()),
        frozenset(scenario.levels or ()),
        needs_grade="child_grade" in variables_in(texts),
    )


def build_request(session: Session, round_: Round) -> PlanRequest:
    """Turn a stored round into the planner's plain input."""
    district = round_.district
    schools = schools_in_round(session, round_)
    ids = {scenario_id for channel in round_.channels for scenario_id in channel.scenario_ids}
    scenarios = {s.id: s for s in session.scalars(select(Scenario).where(Scenario.id.in_(ids)))}
    quotas = tuple(
        ChannelQuota(
            channel.channel,
            channel.contacts_per_school,
            tuple(
                plan_scenario(s)
                for s in (scenarios[i] for i in channel.scenario_ids if i in scenarios)
                if s.active
            ),
        )
        for channel in round_.channels
    )
    everyone = district_auditors(session, district.id)
    left_out = uncalibrated(session, round_, [user for user, _ in everyone], scenarios.values())
    out = {leaving.auditor_id for leaving in left_out}
    auditors = tuple(
        PlanAuditor(
            user.id,
            frozenset(profile.languages or ["en"]),
            profile.max_per_day,
            frozenset(profile.weekdays),
            frozenset(school.id for school in profile.conflicts),
        )
        for user, profile in everyone
        if user.id not in out
    )
    booked = session.execute(
        select(Assignment.auditor_id, Assignment.due_day, func.count())
        .join(Assignment.round)
        .where(
            Assignment.round_id != round_.id,
            Round.status.in_([RoundStatus.SCHEDULED, RoundStatus.IN_FIELD]),
            Assignment.auditor_id.in_([auditor.id for auditor in auditors]),
            Assignment.due_day.between(round_.first_day, round_.last_day),
        )
        .group_by(Assignment.auditor_id, Assignment.due_day)
    ).tuples()
    return PlanRequest(
        booked=tuple(booked),
        schools=tuple(_with_targets(session, round_, [plan_school(school) for school in schools])),
        auditors=auditors,
        quotas=quotas,
        days=tuple(school_days(round_.first_day, round_.last_day, (c.day for c in district.closures))),
        slots=tuple(usable_slots(district.school_day_start, district.school_day_end)),
        seed=round_.seed,
        left_out=tuple(left_out),
    )


def uncalibrated(
    session: Session, round_: Round, auditors: list[User], scenarios: Iterable[Scenario]
) -> list[LeftOut]:
    """The auditors a round with ``calibrated_within_days`` leaves out, each with why.

    An auditor stays in when, for every rubric the round's active scenarios are scored on, they
    submitted a calibration exercise of the district on it no earlier than that many days before
    the round's first day.
    """
    days = round_.calibrated_within_days
    if not days:
        return []
    keys = sorted({scenario.rubric_key for scenario in scenarios if scenario.active})
    since = datetime.combine(round_.first_day - timedelta(days=days), time.min, UTC)
    found = calibrations_since(session, round_.district_id, since)
    left = []
    for user in auditors:
        missing = [key for key in keys if key not in found.get(user.id, set())]
        if missing:
            rubrics = ", ".join(missing)
            left.append(
                LeftOut(
                    user.id,
                    f"no calibration exercise on {rubrics} submitted since {since:%B} {since.day}, "
                    f"{since.year} ({count_of(days, 'day')} before the round starts)",
                )
            )
    return left


def _with_targets(session: Session, round_: Round, schools: list[PlanSchool]) -> list[PlanSchool]:
    """A follow-up round's schools with what to check again and from which day (rule 8 of the planner)."""
    if round_.follows_round_id is None:
        return schools
    targets: dict[int, set[tuple[Channel, int]]] = defaultdict(set)
    not_before: dict[int, date] = {}
    for row in session.scalars(select(FollowUpTarget).where(FollowUpTarget.round_id == round_.id)):
        targets[row.school_id].add((row.channel, row.scenario_id))
        not_before[row.school_id] = max(row.not_before, not_before.get(row.school_id, row.not_before))
    return [
        replace(school, targets=frozenset(targets[school.id]), not_before=not_before[school.id])
        if school.id in targets
        else school
        for school in schools
    ]


def preview_plan(session: Session, round_: Round) -> Plan:
    """The plan the round would get now (nothing is stored)."""
    return plan_round(build_request(session, round_))


def commit_plan(session: Session, round_: Round, seen: int | None = None, actor: User | None = None) -> Plan:
    """Plan a draft round, store its assignments and mark it scheduled.

    ``seen`` and ``actor``: as for ``move_round``.
    """
    lock(session, round_)
    ensure_seen_round(round_, seen)
    ensure_status(round_, RoundStatus.DRAFT)
    plan = preview_plan(session, round_)
    if not plan.contacts:
        raise ValidationError("plan", "the plan places no contact; fix the problems listed and plan again")
    planned = [(c.school_id, c.scenario_id, c.auditor_id, c.child_grade) for c in plan.contacts]
    _ensure_scripts_filled(missing_for_round(session, round_, planned), "scheduled")
    session.add_all(
        Assignment(
            round_id=round_.id,
            school_id=contact.school_id,
            scenario_id=contact.scenario_id,
            auditor_id=contact.auditor_id,
            channel=contact.channel,
            sequence=contact.sequence,
            due_day=contact.day,
            slot=contact.slot,
            child_grade=contact.child_grade,
        )
        for contact in plan.contacts
    )
    record_move(session, round_, RoundStatus.SCHEDULED, actor)
    round_.status = RoundStatus.SCHEDULED
    round_.scheduled_at = utcnow()
    round_.revision += 1
    session.flush()
    return plan


def _ensure_scripts_filled(missing: list[Missing], becoming: str) -> None:
    """Refuse to schedule or start a round whose auditors would read an unfilled script."""
    if missing:
        things = count_of(len(missing), "thing")
        raise ValidationError(
            "plan",
            f"the round cannot be {becoming} yet: its scripts and answer keys need {things} "
            "filled in first (see “Before this round can start”)",
        )


def has_fieldwork(session: Session, round_: Round) -> bool:
    """Whether any contact has been recorded for the round's assignments."""
    return (
        session.scalar(
            select(Contact.id).join(Contact.assignment).where(Assignment.round_id == round_.id).limit(1)
        )
        is not None
    )


def record_move(
    session: Session, round_: Round, to: RoundStatus, actor: User | None, reason: str = ""
) -> RoundEvent:
    """Add the move of ``round_`` to ``to`` to the round's history (before its status changes)."""
    event = RoundEvent(
        round_id=round_.id,
        from_status=round_.status,
        to_status=to,
        actor_id=actor.id if actor is not None else None,
        reason=reason,
        assignments=[],
        at=utcnow(),
    )
    session.add(event)
    return event


def move_round(
    session: Session, round_: Round, to: RoundStatus, seen: int | None = None, actor: User | None = None
) -> RoundEvent:
    """Move a round to status ``to`` if the workflow allows it; return the move as kept in its history.

    ``seen``: the revision the leader's page showed; a round that changed since is not moved.
    ``actor``: who moves it (``None``: the command line or the system).
    """
    lock(session, round_)
    ensure_seen_round(round_, seen)
    if round_.status is RoundStatus.CLOSED and to is RoundStatus.IN_FIELD:
        raise ConflictError(
            "status", "only an administrator can reopen a closed round, saying why (Reopen the round)"
        )
    if to not in TRANSITIONS[round_.status]:
        raise ConflictError(
            "status", f"a {round_.status.label.lower()} round cannot become {to.label.lower()}"
        )
    if to is RoundStatus.SCHEDULED and round_.status is RoundStatus.DRAFT:
        raise ConflictError("status", "commit the plan to schedule a draft round")
    if to is RoundStatus.IN_FIELD and round_.status is RoundStatus.SCHEDULED:
        _ensure_scripts_filled(missing_for_round(session, round_), "started")
    if to is RoundStatus.DRAFT and has_fieldwork(session, round_):
        raise ConflictError("status", "contacts are already recorded; the round cannot go back to draft")
    if to is RoundStatus.DRAFT:
        session.execute(delete(Assignment).where(Assignment.round_id == round_.id))
        session.expire(round_, ["assignments"])
        round_.scheduled_at = None
    if to is RoundStatus.CLOSED:
        round_.closed_at = utcnow()
    if to is RoundStatus.PUBLISHED:
        round_.published_at = utcnow()
    event = record_move(session, round_, to, actor)
    round_.status = to
    round_.revision += 1
    session.flush()
    return event
