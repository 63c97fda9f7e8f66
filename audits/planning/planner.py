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
10. paired testing (``PlanRequest.pairs``): each school gets both members of each pair or neither,
   by two different auditors who speak each member's language, the second due exactly
   ``pair_spacing`` school days after the first when the auditors' days allow it (never fewer),
   at the same time of day where it can; which member goes first is drawn per school and pair
   from the seed (``PlannedContact.pair_position``). Pairs are placed before the other contacts,
   and every school left unpaired is listed with the reason (``Plan.unpaired``).
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from audits.formatting import day_words
from audits.models import Channel, Slot
from audits.scenario_fit import child_grades, misfit_reason
from audits.vocabulary import count_of, language_name

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
class PlanPair:
    """A scenario pair: member ``a`` (the reference) and ``b``, on one channel."""

    id: int
    a: PlanScenario
    b: PlanScenario

    @property
    def channel(self) -> Channel:
        """The channel both members use."""
        return self.a.channel


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
    # Paired testing (rule 10): the pairs every school gets both members of, and the school days
    # from the first member to the second.
    pairs: tuple[PlanPair, ...] = ()
    pair_spacing: int = 2


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
    # Paired testing: the pair, and 1 for the member sent first, 2 for the second.
    pair_id: int | None = None
    pair_position: int | None = None


@dataclass(frozen=True)
class UnpairedSchool:
    """A school that does not get a pair's two members, and why."""

    school_id: int
    pair_id: int
    reason: str


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
    unpaired: list[UnpairedSchool] = field(default_factory=list)

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
        self._speakers: dict[str, list[PlanAuditor]] = {}
        self._with_room: dict[str, list[PlanAuditor]] = {}

    def speakers(self, language: str) -> list[PlanAuditor]:
        """The auditors who speak ``language``, in the request's order."""
        found = self._speakers.get(language)
        if found is None:
            found = [auditor for auditor in self.request.auditors if language in auditor.languages]
            self._speakers[language] = found
        return found

    def speakers_with_room(self, language: str) -> list[PlanAuditor]:
        """The auditors who speak ``language`` and are not yet fully booked, in the request's order."""
        found = self._with_room.get(language)
        if found is None:
            found = [auditor for auditor in self.speakers(language) if self.has_room(auditor)]
            self._with_room[language] = found
        return found

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
        # The first day and slot with the smallest score, in the order of days then slots. A day on
        # which the school already has more contacts than the best so far cannot win (the score
        # leads with them), so it is skipped without scoring its slots.
        best: tuple[tuple[int, ...], date, Slot] | None = None
        auditor_id, most = auditor.id, auditor.max_per_day
        daily, day_load, slot_load = self.daily, self.day_load, self.slot_load
        slots = [(slot, school_slots.get(slot, 0)) for slot in self.request.slots]
        for day in self.workdays[auditor_id]:
            booked = daily.get((auditor_id, day), 0)
            if booked >= most:
                continue
            if not_before is not None and day < not_before:
                continue
            on_day = school_days.get(day, 0)
            if best is not None and on_day > best[0][0]:
                continue
            taken = self.auditor_slots.get((auditor_id, day), ())
            load = day_load.get(day, 0)
            for slot, at_slot in slots:
                score = (on_day, at_slot, slot in taken, booked, load, slot_load.get((day, slot), 0))
                if best is None or score < best[0]:
                    best = (score, day, slot)
        return None if best is None else (best[1], best[2])

    def _full(self, auditor: PlanAuditor, day: date) -> bool:
        return self.daily[(auditor.id, day)] >= auditor.max_per_day

    def pair_days(
        self,
        first: PlanAuditor,
        second: PlanAuditor,
        school_days: Counter[date],
        spacing: int,
        not_before: date | None = None,
    ) -> tuple[date, date, Slot] | None:
        """The days of a pair's first and second member (the second ``spacing`` school days after the
        first, or as little later as the auditors' days allow) and one slot for both (rule 10)."""
        index = {day: position for position, day in enumerate(self.request.days)}
        best: tuple[tuple[int, ...], date, date] | None = None
        for day in self.workdays[first.id]:
            if self._full(first, day) or (not_before is not None and day < not_before):
                continue
            later = [
                other
                for other in self.workdays[second.id]
                if index[other] >= index[day] + spacing and not self._full(second, other)
            ]
            if not later:
                continue
            then = later[0]
            score = (
                index[then] - index[day] - spacing,
                school_days[day] + school_days[then],
                self.daily[(first.id, day)] + self.daily[(second.id, then)],
                self.day_load[day] + self.day_load[then],
            )
            if best is None or score < best[0]:
                best = (score, day, then)
        if best is None:
            return None
        _, day, then = best
        taken_first, taken_second = self.auditor_slots[(first.id, day)], self.auditor_slots[(second.id, then)]
        slot = min(
            self.request.slots,
            key=lambda slot: (
                slot in taken_first or slot in taken_second,
                self.slot_load[(day, slot)] + self.slot_load[(then, slot)],
            ),
        )
        return day, then, slot

    def book(self, auditor: PlanAuditor, day: date, slot: Slot) -> None:
        self.total[auditor.id] += 1
        if not self.has_room(auditor):
            for found in self._with_room.values():
                found[:] = [other for other in found if self.has_room(other)]
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
        plan.unpaired.extend(
            UnpairedSchool(school.id, pair.id, reason) for school in request.schools for pair in request.pairs
        )
        return plan

    ledger = _Ledger(request, rng)
    # Most constrained contacts first (fewest auditors who could take them: language and
    # conflicts), so that scarce speakers are not used up by contacts anyone could make.
    order = {
        school.id: position
        for position, school in enumerate(rng.sample(request.schools, len(request.schools)))
    }
    # Auditors of each school's conflicts, so that counting the eligible ones does not walk every
    # auditor for every contact.
    conflicted: dict[int, list[PlanAuditor]] = defaultdict(list)
    for auditor in request.auditors:
        for school_id in auditor.conflicts:
            conflicted[school_id].append(auditor)
    eligible = {
        (want.school.id, want.scenario.language): len(ledger.speakers(want.scenario.language))
        - sum(1 for a in conflicted.get(want.school.id, ()) if want.scenario.language in a.languages)
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
    sequences = Counter(
        {
            (school_id, channel): max(want.sequence for want in wants if want.channel is channel)
            for school_id, wants in wanted_by_school.items()
            for channel in {want.channel for want in wants}
        }
    )
    for unplaced in plan.unplaced:
        key = (unplaced.school_id, unplaced.channel)
        sequences[key] = max(sequences[key], unplaced.sequence)
    for school in sorted(request.schools, key=lambda school: order[school.id]):
        for pair in request.pairs:
            placed_pair = _place_pair(
                pair, school, request, ledger, used[school.id], school_days[school.id], sequences
            )
            if isinstance(placed_pair, str):
                plan.unpaired.append(UnpairedSchool(school.id, pair.id, placed_pair))
                continue
            for contact in placed_pair:
                plan.contacts.append(contact)
                used[school.id].add(contact.auditor_id)
                school_days[school.id][contact.day] += 1
                school_slots[school.id][contact.slot] += 1
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
    plan.unpaired.sort(key=lambda u: (u.school_id, u.pair_id))
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
    school_id, total = want.school.id, ledger.total
    with_room = [
        auditor
        for auditor in ledger.speakers_with_room(want.scenario.language)
        if auditor.id not in used and school_id not in auditor.conflicts
    ]
    not_before = want.school.not_before
    if not with_room or (not_before is not None and not any(day >= not_before for day in request.days)):
        return _why_unplaced(want, request, ledger, used)
    # Least loaded first, ties drawn at random: one draw per auditor with room, in their order,
    # as sorting them by (load, draw) would take. The first is nearly always booked, so the
    # rest are sorted only when it is not.
    draw = ledger.rng.random
    keys = [(total[auditor.id], draw()) for auditor in with_room]
    first = keys.index(min(keys))
    when = ledger.best_day(with_room[first], school_days, school_slots, not_before)
    auditor = with_room[first]
    if when is None:
        for index in sorted(range(len(with_room)), key=keys.__getitem__)[1:]:
            auditor = with_room[index]
            when = ledger.best_day(auditor, school_days, school_slots, not_before)
            if when is not None:
                break
    if when is None:
        return "every eligible auditor is fully booked on the school days they work"
    day, slot = when
    ledger.book(auditor, day, slot)
    grade = _child_grade(want, request.seed)
    return PlannedContact(
        want.school.id, want.channel, want.sequence, want.scenario.id, auditor.id, day, slot, grade
    )


def _why_unplaced(want: _Wanted, request: PlanRequest, ledger: _Ledger, used: set[int]) -> str:
    """Why ``want`` cannot be placed, checked in the order the rules give the reasons."""
    language = want.scenario.language
    speakers = ledger.speakers(language)
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
    return "every eligible auditor is fully booked on the school days they work"


def pair_order(pair: PlanPair, school_id: int, seed: int) -> tuple[PlanScenario, PlanScenario]:
    """Which member of ``pair`` goes to the school first: drawn from the seed per school and pair."""
    draw = random.Random(f"{seed}:pair:{pair.id}:{school_id}")
    return (pair.a, pair.b) if draw.random() < 0.5 else (pair.b, pair.a)


def _pair_candidates(
    scenario: PlanScenario, school: PlanSchool, request: PlanRequest, ledger: _Ledger, used: set[int]
) -> list[PlanAuditor] | str:
    """The auditors who could play one member at ``school``, least loaded first, or why none can."""
    language = scenario.language
    speakers = [auditor for auditor in request.auditors if language in auditor.languages]
    if not speakers:
        return f"no auditor speaks {language_name(language)}"
    free = [auditor for auditor in speakers if school.id not in auditor.conflicts]
    if not free:
        return f"every {language_name(language)}-speaking auditor has a conflict with this school"
    fresh = [auditor for auditor in free if auditor.id not in used]
    if not fresh:
        return "every eligible auditor already contacts this school in this round (lockout rule)"
    with_room = [auditor for auditor in fresh if ledger.has_room(auditor)]
    if not with_room:
        return "every eligible auditor is fully booked on the school days they work"
    return sorted(with_room, key=lambda auditor: (ledger.total[auditor.id], ledger.rng.random()))


def _place_pair(
    pair: PlanPair,
    school: PlanSchool,
    request: PlanRequest,
    ledger: _Ledger,
    used: set[int],
    school_days: Counter[date],
    sequences: Counter[tuple[int, Channel]],
) -> tuple[PlannedContact, PlannedContact] | str:
    """Place both members of ``pair`` at ``school`` (rule 10), or return why the school is not paired."""
    channel = pair.channel
    if channel not in school.channels:
        return f"the school has no {_MISSING_FOR[channel]} on file: add it on the school's page"
    grades = fitting(pair.a, school)
    if not grades or not fitting(pair.b, school):
        return misfit_reason(channel.value, school.level, school.grades)
    spacing = request.pair_spacing
    if len(request.days) <= spacing:
        days = count_of(len(request.days), "school day")
        return f"the window has {days}: the two members cannot be {spacing} school days apart"
    first, second = pair_order(pair, school.id, request.seed)
    first_auditors = _pair_candidates(first, school, request, ledger, used)
    if isinstance(first_auditors, str):
        return first_auditors
    second_auditors = _pair_candidates(second, school, request, ledger, used)
    if isinstance(second_auditors, str):
        return second_auditors
    if {auditor.id for auditor in first_auditors} | {auditor.id for auditor in second_auditors} == {
        first_auditors[0].id
    }:
        return "the two members need two different auditors, and only one eligible auditor is free"
    for one in first_auditors:
        for other in second_auditors:
            if other.id == one.id:
                continue
            when = ledger.pair_days(one, other, school_days, spacing, school.not_before)
            if when is None:
                continue
            day, then, slot = when
            ledger.book(one, day, slot)
            ledger.book(other, then, slot)
            grade_draw = random.Random(f"{request.seed}:pair-grade:{pair.id}:{school.id}")
            grade = grade_draw.choice(grades) or None if (pair.a.needs_grade or pair.a.grades) else None
            base = sequences[(school.id, channel)]
            sequences[(school.id, channel)] = base + 2
            return (
                PlannedContact(school.id, channel, base + 1, first.id, one.id, day, slot, grade, pair.id, 1),
                PlannedContact(
                    school.id, channel, base + 2, second.id, other.id, then, slot, grade, pair.id, 2
                ),
            )
    return f"no two eligible auditors both have room {spacing} school days apart in the window"
