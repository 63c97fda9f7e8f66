"""The round planner: pure, deterministic, and explicit about what it cannot place.

Given schools, auditors, per-channel quotas with scenarios, the school days of
the window and the usable time slots, ``plan_round`` returns planned contacts
and, separately, every contact it could not place with the reason. Rules:

1. each school gets exactly its quota per channel (placed or listed as unplaced);
2. a school gets only scenarios that fit it (grades its child may be in, levels it suits:
   ``audits.scenario_fit``) on channels it can be reached by (no email contact without an
   email address, no call without a phone number); schools at the same level with the same
   fitting scenarios get the same mix (a seeded rotation per level); the persona's child is
   given a grade the school serves (no visit without a street address either);
3. a scenario in a language goes only to an auditor who speaks it;
4. no auditor at a conflict school, and no auditor contacts one school twice in a round;
5. load is balanced (least-loaded eligible auditor first) and nobody exceeds their daily maximum;
6. each contact gets a school day the auditor works and a slot, spread so one school's
   contacts fall on different days and slots;
7. the same inputs and seed give the same plan;
8. a follow-up round contacts each school again only on the channels and scenarios that failed
   there (``PlanSchool.targets``), one contact each, on or after the day its action plan's last
   action was due (``PlanSchool.not_before``);
9. auditors the round leaves out before planning (not calibrated recently enough on its rubrics:
   ``PlanRequest.left_out``) get nothing, and the plan says who they are and why.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from audits.formatting import day_words
from audits.models import Channel, Slot
from audits.scenario_fit import child_grades, misfit_reason
from audits.vocabulary import language_name

ALL_CHANNELS = frozenset(Channel)
# What a school lacks when it cannot be reached on a channel.
_MISSING_FOR = {
    Channel.PHONE: "phone number",
    Channel.EMAIL: "email address",
    Channel.VISIT: "street address",
}


@dataclass(frozen=True)
class PlanSchool:
    """A school as the planner sees it: its level, the grades it serves, the channels that reach it.

    ``targets`` (a follow-up round's): the (channel, scenario id) pairs to contact it on again, one
    contact each, instead of the round's quotas; ``not_before``: the first day it may be contacted.
    """

    id: int
    level: str
    grades: tuple[str, ...] = ()
    channels: frozenset[Channel] = ALL_CHANNELS
    targets: frozenset[tuple[Channel, int]] | None = None
    not_before: date | None = None


@dataclass(frozen=True)
class PlanScenario:
    """A scenario as the planner sees it: empty ``grades`` or ``levels`` mean any."""

    id: int
    channel: Channel
    language: str = "en"
    grades: frozenset[str] = frozenset()
    levels: frozenset[str] = frozenset()
    # Whether its texts ask for ``{child_grade}`` (a school of unknown grades cannot give one).
    needs_grade: bool = False


@dataclass(frozen=True)
class PlanAuditor:
    """An auditor's constraints: languages, daily maximum, working weekdays, conflict schools."""

    id: int
    languages: frozenset[str] = frozenset({"en"})
    max_per_day: int = 4
    weekdays: frozenset[int] = frozenset({0, 1, 2, 3, 4})
    conflicts: frozenset[int] = frozenset()


@dataclass(frozen=True)
class ChannelQuota:
    """How many contacts each school gets on a channel, and the scenarios to rotate."""

    channel: Channel
    per_school: int
    scenarios: tuple[PlanScenario, ...]


@dataclass(frozen=True)
class PlanRequest:
    """Everything the planner needs, as plain values."""

    schools: tuple[PlanSchool, ...]
    auditors: tuple[PlanAuditor, ...]
    quotas: tuple[ChannelQuota, ...]
    days: tuple[date, ...]
    slots: tuple[Slot, ...]
    seed: int
    # Contacts auditors already have on a day from other rounds: (auditor id, day, count).
    booked: tuple[tuple[int, date, int], ...] = ()
    # Auditors of the district kept out of this plan before it is drawn, and why (not in ``auditors``).
    left_out: tuple[LeftOut, ...] = ()


@dataclass(frozen=True)
class LeftOut:
    """An auditor the round leaves out of its plan, and why."""

    auditor_id: int
    reason: str


@dataclass(frozen=True)
class PlannedContact:
    """One placed contact."""

    school_id: int
    channel: Channel
    sequence: int
    scenario_id: int
    auditor_id: int
    day: date
    slot: Slot
    child_grade: str | None = None


@dataclass(frozen=True)
class UnplacedContact:
    """A contact the planner could not place, and why."""

    school_id: int
    channel: Channel
    sequence: int
    scenario_id: int | None
    reason: str


@dataclass
class Plan:
    """The planner's answer."""

    contacts: list[PlannedContact] = field(default_factory=list)
    unplaced: list[UnplacedContact] = field(default_factory=list)
    left_out: list[LeftOut] = field(default_factory=list)

    def per_auditor(self) -> Counter[int]:
        """Contacts per auditor id."""
        return Counter(contact.auditor_id for contact in self.contacts)

    def per_day(self) -> Counter[date]:
        """Contacts per due day."""
        return Counter(contact.day for contact in self.contacts)

    def per_school(self) -> Counter[int]:
        """Placed contacts per school id."""
        return Counter(contact.school_id for contact in self.contacts)


@dataclass(frozen=True)
class _Wanted:
    school: PlanSchool
    channel: Channel
    sequence: int
    scenario: PlanScenario
    child_grades: tuple[str, ...]


def fitting(scenario: PlanScenario, school: PlanSchool) -> tuple[str, ...]:
    """The grades the child may be in when ``scenario`` is played at ``school``; empty: it does not fit."""
    grades = child_grades(scenario.grades, scenario.levels, school.level, school.grades)
    return () if grades == ("",) and scenario.needs_grade else grades


def scenario_mix(
    quota: ChannelQuota, level: str, seed: int, school: PlanSchool | None = None
) -> list[PlanScenario]:
    """The scenarios a school at ``level`` gets on ``quota``'s channel, in order.

    Only scenarios that fit ``school`` are used (all of them when no school is given). Each
    appears ``per_school // k`` times; the remainder is taken from a rotation seeded per level
    and channel, so schools at one level with the same fitting scenarios share a mix while
    different levels cover different scenarios.
    """
    scenarios = sorted(
        (scenario for scenario in quota.scenarios if school is None or fitting(scenario, school)),
        key=lambda scenario: scenario.id,
    )
    if not scenarios:
        return []
    rotation = random.Random(f"{seed}:{level}:{quota.channel.value}").sample(scenarios, len(scenarios))
    full, rest = divmod(quota.per_school, len(scenarios))
    return [*(scenario for _ in range(full) for scenario in rotation), *rotation[:rest]]


class _Ledger:
    """Who does what when, as the plan is built."""

    def __init__(self, request: PlanRequest, rng: random.Random) -> None:
        self.request = request
        self.rng = rng
        self.total: Counter[int] = Counter()
        self.daily: dict[tuple[int, date], int] = defaultdict(int)
        self.day_load: Counter[date] = Counter()
        self.slot_load: Counter[tuple[date, Slot]] = Counter()
        self.auditor_slots: dict[tuple[int, date], set[Slot]] = defaultdict(set)
        self.workdays = {
            auditor.id: [day for day in request.days if day.weekday() in auditor.weekdays]
            for auditor in request.auditors
        }
        for auditor_id, day, count in request.booked:
            self.daily[(auditor_id, day)] += count
        self.capacity = {
            auditor.id: sum(
                max(0, auditor.max_per_day - self.daily[(auditor.id, day)])
                for day in self.workdays[auditor.id]
            )
            for auditor in request.auditors
        }

    def has_room(self, auditor: PlanAuditor) -> bool:
        return self.total[auditor.id] < self.capacity[auditor.id]

    def best_day(
        self,
        auditor: PlanAuditor,
        school_days: Counter[date],
        school_slots: Counter[Slot],
        not_before: date | None = None,
    ) -> tuple[date, Slot] | None:
        """The least crowded day and slot for ``auditor`` that spreads the school's contacts
        (none before ``not_before``)."""
        best: tuple[tuple[int, ...], date, Slot] | None = None
        for day in self.workdays[auditor.id]:
            if self.daily[(auditor.id, day)] >= auditor.max_per_day:
                continue
            if not_before is not None and day < not_before:
                continue
            taken = self.auditor_slots[(auditor.id, day)]
            for slot in self.request.slots:
                score = (
                    school_days[day],
                    school_slots[slot],
                    slot in taken,
                    self.daily[(auditor.id, day)],
                    self.day_load[day],
                    self.slot_load[(day, slot)],
                )
                if best is None or score < best[0]:
                    best = (score, day, slot)
        return None if best is None else (best[1], best[2])

    def book(self, auditor: PlanAuditor, day: date, slot: Slot) -> None:
        self.total[auditor.id] += 1
        self.daily[(auditor.id, day)] += 1
        self.day_load[day] += 1
        self.slot_load[(day, slot)] += 1
        self.auditor_slots[(auditor.id, day)].add(slot)


def plan_round(request: PlanRequest) -> Plan:
    """Plan every contact of a round (see the module docstring for the rules)."""
    plan = Plan(left_out=list(request.left_out))
    rng = random.Random(request.seed)
    wanted_by_school: dict[int, list[_Wanted]] = defaultdict(list)
    for round_quota in request.quotas:
        for school in request.schools:
            quota = school_quota(round_quota, school)
            if quota is None:
                continue
            mix = scenario_mix(quota, school.level, request.seed, school)
            reason = _unreachable(quota, school, mix)
            for sequence in range(1, quota.per_school + 1):
                if reason:
                    plan.unplaced.append(UnplacedContact(school.id, quota.channel, sequence, None, reason))
                    continue
                scenario = mix[sequence - 1]
                wanted_by_school[school.id].append(
                    _Wanted(school, quota.channel, sequence, scenario, fitting(scenario, school))
                )
    if not request.days or not request.slots:
        reason = (
            "no school days in the round's window"
            if not request.days
            else "no time slot fits the school-day hours"
        )
        for wants in wanted_by_school.values():
            plan.unplaced.extend(_unplaced(want, reason) for want in wants)
        return plan

    ledger = _Ledger(request, rng)
    # Most constrained contacts first (fewest auditors who could take them: language and
    # conflicts), so that scarce speakers are not used up by contacts anyone could make.
    order = {
        school.id: position
        for position, school in enumerate(rng.sample(request.schools, len(request.schools)))
    }
    eligible = {
        (want.school.id, want.scenario.language): sum(
            1
            for a in request.auditors
            if want.scenario.language in a.languages and want.school.id not in a.conflicts
        )
        for wants in wanted_by_school.values()
        for want in wants
    }
    queue = sorted(
        (want for wants in wanted_by_school.values() for want in wants),
        key=lambda want: (
            eligible[(want.school.id, want.scenario.language)],
            order[want.school.id],
            want.channel.value,
            want.sequence,
        ),
    )
    used: dict[int, set[int]] = defaultdict(set)
    school_days: dict[int, Counter[date]] = defaultdict(Counter)
    school_slots: dict[int, Counter[Slot]] = defaultdict(Counter)
    for want in queue:
        school_id = want.school.id
        placed = _place(
            want, request, ledger, used[school_id], school_days[school_id], school_slots[school_id]
        )
        if isinstance(placed, str):
            plan.unplaced.append(_unplaced(want, placed))
            continue
        plan.contacts.append(placed)
        used[school_id].add(placed.auditor_id)
        school_days[school_id][placed.day] += 1
        school_slots[school_id][placed.slot] += 1
    plan.contacts.sort(
        key=lambda c: (c.day, list(Slot).index(c.slot), c.school_id, c.channel.value, c.sequence)
    )
    plan.unplaced.sort(key=lambda u: (u.school_id, u.channel.value, u.sequence))
    return plan


def school_quota(quota: ChannelQuota, school: PlanSchool) -> ChannelQuota | None:
    """What ``school`` gets on ``quota``'s channel: the round's quota, or for a school of a follow-up
    round one contact per scenario that failed there on that channel (``None``: none failed)."""
    if school.targets is None:
        return quota
    wanted = {scenario_id for channel, scenario_id in school.targets if channel is quota.channel}
    if not wanted:
        return None
    kept = tuple(scenario for scenario in quota.scenarios if scenario.id in wanted)
    return ChannelQuota(quota.channel, len(wanted), kept)


def _unreachable(quota: ChannelQuota, school: PlanSchool, mix: list[PlanScenario]) -> str:
    """Why no contact of ``quota`` can go to ``school`` (empty when they can)."""
    channel = quota.channel
    if channel not in school.channels:
        return f"the school has no {_MISSING_FOR[channel]} on file: add it on the school's page"
    if not quota.scenarios:
        if school.targets is not None:
            return f"the {channel.value} scenario to check again is not active or not in this round"
        return f"no {channel.value} scenario chosen for this round"
    if not mix:
        return misfit_reason(channel.value, school.level, school.grades)
    return ""


def _child_grade(want: _Wanted, seed: int) -> str | None:
    """The grade of the child on this contact, seeded per contact so that other draws stay as they were."""
    if not want.scenario.needs_grade and not want.scenario.grades:
        return None
    pick = random.Random(f"{seed}:{want.school.id}:{want.channel.value}:{want.sequence}")
    return pick.choice(want.child_grades) or None


def _unplaced(want: _Wanted, reason: str) -> UnplacedContact:
    return UnplacedContact(want.school.id, want.channel, want.sequence, want.scenario.id, reason)


def _place(
    want: _Wanted,
    request: PlanRequest,
    ledger: _Ledger,
    used: set[int],
    school_days: Counter[date],
    school_slots: Counter[Slot],
) -> PlannedContact | str:
    """Place one contact, or return the reason it cannot be placed."""
    language = want.scenario.language
    speakers = [auditor for auditor in request.auditors if language in auditor.languages]
    if not speakers:
        return f"no auditor speaks {language_name(language)}"
    free = [auditor for auditor in speakers if want.school.id not in auditor.conflicts]
    if not free:
        return f"every {language_name(language)}-speaking auditor has a conflict with this school"
    fresh = [auditor for auditor in free if auditor.id not in used]
    if not fresh:
        return "every eligible auditor already contacts this school in this round (lockout rule)"
    not_before = want.school.not_before
    if not_before is not None and not any(day >= not_before for day in request.days):
        last_due = day_words(not_before - timedelta(days=1))
        return f"its action plan has actions due until {last_due}: no school day of the window is later"
    with_room = [auditor for auditor in fresh if ledger.has_room(auditor)]
    if not with_room:
        return "every eligible auditor is fully booked on the school days they work"
    ranked = sorted(with_room, key=lambda auditor: (ledger.total[auditor.id], ledger.rng.random()))
    for auditor in ranked:
        when = ledger.best_day(auditor, school_days, school_slots, not_before)
        if when is not None:
            day, slot = when
            ledger.book(auditor, day, slot)
            grade = _child_grade(want, request.seed)
            return PlannedContact(
                want.school.id, want.channel, want.sequence, want.scenario.id, auditor.id, day, slot, grade
            )
    return "every eligible auditor is fully booked on the school days they work"
