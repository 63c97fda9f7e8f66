"""The planner's rules, checked on hand-made cases and on random districts (hypothesis)."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audits.grades import grades_between
from audits.models import Channel, Slot
from audits.planning.planner import (
    ChannelQuota,
    Plan,
    PlanAuditor,
    PlanRequest,
    PlanScenario,
    PlanSchool,
    fitting,
    plan_round,
)
from audits.planning.slots import school_days

MONDAY = date(2027, 2, 1)
LEVELS = ["elementary", "middle", "high", "other"]
ALL_GRADES = list(grades_between("PK", "12"))
# Grade spans of real schools, by the level NCES gives them; "other" includes unknown grades.
SPANS = {
    "PK-05": grades_between("PK", "05"),
    "KG-08": grades_between("KG", "08"),
    "06-08": grades_between("06", "08"),
    "05-08": grades_between("05", "08"),
    "09-12": grades_between("09", "12"),
    "06-12": grades_between("06", "12"),
    "unknown": (),
    "KG-12": grades_between("KG", "12"),
}
LEVEL_SPANS = {
    "elementary": ["PK-05", "KG-08"],
    "middle": ["06-08", "05-08"],
    "high": ["09-12"],
    "other": ["unknown", "06-12", "KG-12"],
}


def _request(
    schools: int = 10,
    auditors: int = 8,
    phone: int = 2,
    email: int = 1,
    visit: int = 0,
    spanish_speakers: int = 2,
    seed: int = 7,
    days: int = 15,
) -> PlanRequest:
    phone_scenarios = (
        PlanScenario(1, Channel.PHONE),
        PlanScenario(2, Channel.PHONE),
        PlanScenario(3, Channel.PHONE, "es"),
    )
    email_scenarios = (PlanScenario(4, Channel.EMAIL), PlanScenario(5, Channel.EMAIL))
    visit_scenarios = (PlanScenario(6, Channel.VISIT),)
    return PlanRequest(
        schools=tuple(
            PlanSchool(i, LEVELS[i % 3], SPANS[LEVEL_SPANS[LEVELS[i % 3]][0]]) for i in range(1, schools + 1)
        ),
        auditors=tuple(
            PlanAuditor(100 + i, frozenset({"en", "es"}) if i < spanish_speakers else frozenset({"en"}))
            for i in range(auditors)
        ),
        quotas=(
            ChannelQuota(Channel.PHONE, phone, phone_scenarios),
            ChannelQuota(Channel.EMAIL, email, email_scenarios),
            ChannelQuota(Channel.VISIT, visit, visit_scenarios),
        ),
        days=tuple(school_days(MONDAY, MONDAY + timedelta(days=days - 1), [MONDAY + timedelta(days=2)])),
        slots=tuple(Slot),
        seed=seed,
    )


def check_rules(request: PlanRequest, plan: Plan) -> None:
    """Assert every planner rule for every contact of ``plan``."""
    auditors = {auditor.id: auditor for auditor in request.auditors}
    schools = {school.id: school for school in request.schools}
    scenarios = {s.id: s for quota in request.quotas for s in quota.scenarios}
    # 1. quotas: placed + unplaced == quota, per school and channel, sequences 1..quota exactly once
    for quota in request.quotas:
        for school in request.schools:
            sequences = sorted(
                [c.sequence for c in plan.contacts if (c.school_id, c.channel) == (school.id, quota.channel)]
                + [
                    u.sequence
                    for u in plan.unplaced
                    if (u.school_id, u.channel) == (school.id, quota.channel)
                ]
            )
            assert sequences == list(range(1, quota.per_school + 1))
    daily: Counter[tuple[int, date]] = Counter()
    seen: set[tuple[int, int]] = set()
    for contact in plan.contacts:
        auditor = auditors[contact.auditor_id]
        scenario = scenarios[contact.scenario_id]
        assert scenario.channel is contact.channel
        assert scenario.language in auditor.languages  # 3. language
        assert contact.school_id not in auditor.conflicts  # 4. conflicts
        assert (contact.auditor_id, contact.school_id) not in seen  # 4. lockout
        seen.add((contact.auditor_id, contact.school_id))
        assert contact.day in request.days  # 6. school days only
        assert contact.day.weekday() in auditor.weekdays
        assert contact.slot in request.slots
        school = schools[contact.school_id]
        assert contact.channel in school.channels  # 2. reachable: an address on file for the channel
        assert not scenario.levels or school.level in scenario.levels  # 2. the scenario suits the level
        if scenario.grades:  # 2. ... and the school serves a grade it is about, the child's among them
            assert set(scenario.grades) & set(school.grades)
            assert contact.child_grade in scenario.grades
        if scenario.needs_grade or scenario.grades:
            assert contact.child_grade in school.grades
        daily[(contact.auditor_id, contact.day)] += 1
    assert all(count <= auditors[auditor_id].max_per_day for (auditor_id, _), count in daily.items())  # 5.
    # 2. a school the channel cannot reach, or that no scenario fits, gets the reason in the unplaced list
    for missing in plan.unplaced:
        school = schools[missing.school_id]
        if missing.channel not in school.channels:
            lacks = ("phone number", "email address", "street address")
            assert any(f"no {what} on file" in missing.reason for what in lacks)
            assert missing.scenario_id is None
    # 2. comparability: same level, channel and fitting scenarios -> same scenario mix (placed or not)
    mixes: dict[tuple[str, Channel, frozenset[int]], set[tuple[int, ...]]] = defaultdict(set)
    fitting_ids = {
        (school.id, quota.channel): frozenset(s.id for s in quota.scenarios if fitting(s, school))
        for quota in request.quotas
        for school in request.schools
    }
    levels = {school.id: school.level for school in request.schools}
    by_school: dict[tuple[int, Channel], list[int]] = defaultdict(list)
    for contact in plan.contacts:
        by_school[(contact.school_id, contact.channel)].append(contact.scenario_id)
    for missing in plan.unplaced:
        if missing.scenario_id is not None:
            by_school[(missing.school_id, missing.channel)].append(missing.scenario_id)
    for (school_id, channel), ids in by_school.items():
        mixes[(levels[school_id], channel, fitting_ids[(school_id, channel)])].add(tuple(sorted(ids)))
    assert all(len(variants) == 1 for variants in mixes.values())
    assert all(u.reason for u in plan.unplaced)


def test_a_feasible_round_is_placed_completely_and_balanced() -> None:
    request = _request(spanish_speakers=4)
    plan = plan_round(request)
    check_rules(request, plan)
    assert plan.unplaced == []
    assert len(plan.contacts) == 10 * 3
    loads = plan.per_auditor()
    assert max(loads.values()) - min(loads.values()) <= 1
    assert set(loads) == {auditor.id for auditor in request.auditors}


def test_scarce_speakers_take_the_spanish_contacts_and_the_rest_is_balanced() -> None:
    request = _request()  # 10 Spanish calls, only two Spanish speakers: 5 each is unavoidable
    plan = plan_round(request)
    assert plan.unplaced == []
    loads = plan.per_auditor()
    assert loads[100] == loads[101] == 5
    others = [loads[auditor.id] for auditor in request.auditors[2:]]
    assert max(others) - min(others) <= 1


def test_one_schools_contacts_fall_on_different_days_and_slots() -> None:
    request = _request(schools=6, phone=2, email=2, visit=1)
    plan = plan_round(request)
    for school in request.schools:
        mine = [c for c in plan.contacts if c.school_id == school.id]
        assert len({c.day for c in mine}) == len(mine)
        assert len({c.slot for c in mine}) == min(len(mine), len(Slot))


def test_the_same_seed_gives_the_same_plan_and_another_seed_another() -> None:
    assert plan_round(_request(seed=3)) == plan_round(_request(seed=3))
    assert plan_round(_request(seed=3)).contacts != plan_round(_request(seed=4)).contacts


def test_without_a_spanish_speaker_the_spanish_contacts_are_listed_with_the_reason() -> None:
    request = _request(spanish_speakers=0, phone=3)
    plan = plan_round(request)
    check_rules(request, plan)
    assert len(plan.unplaced) == 10  # every school's Spanish phone call
    assert {u.reason for u in plan.unplaced} == {"no auditor speaks Spanish"}
    assert {u.scenario_id for u in plan.unplaced} == {3}


def test_too_few_auditors_for_the_lockout_rule_is_explained() -> None:
    request = _request(auditors=2, phone=2, email=1, spanish_speakers=2)
    plan = plan_round(request)
    check_rules(request, plan)
    assert len(plan.contacts) == 20
    assert {u.reason for u in plan.unplaced} == {
        "every eligible auditor already contacts this school in this round (lockout rule)"
    }


def test_an_empty_window_places_nothing_and_says_why() -> None:
    request = _request(days=0)
    plan = plan_round(request)
    assert plan.contacts == []
    assert {u.reason for u in plan.unplaced} == {"no school days in the round's window"}


def test_a_channel_without_scenarios_is_reported() -> None:
    base = _request(email=0)
    request = PlanRequest(
        base.schools,
        base.auditors,
        (*base.quotas, ChannelQuota(Channel.VISIT, 1, ())),
        base.days,
        base.slots,
        1,
    )
    plan = plan_round(request)
    assert {u.reason for u in plan.unplaced} == {"no visit scenario chosen for this round"}


@st.composite
def requests(draw: st.DrawFn) -> PlanRequest:
    """Random districts, calendars, auditor pools and quotas."""
    school_count = draw(st.integers(1, 25))
    schools = tuple(
        PlanSchool(
            i,
            level,
            SPANS[draw(st.sampled_from(LEVEL_SPANS[level]))],
            frozenset(draw(st.sets(st.sampled_from(list(Channel)), min_size=1))),
        )
        for i in range(1, school_count + 1)
        for level in [draw(st.sampled_from(LEVELS))]
    )
    auditors = tuple(
        PlanAuditor(
            1000 + i,
            languages=frozenset(draw(st.sets(st.sampled_from(["en", "es", "vi"]), min_size=1))),
            max_per_day=draw(st.integers(1, 5)),
            weekdays=frozenset(draw(st.sets(st.integers(0, 4), min_size=1))),
            conflicts=frozenset(draw(st.sets(st.integers(1, school_count), max_size=3))),
        )
        for i in range(draw(st.integers(0, 12)))
    )
    scenario_id = iter(range(1, 100))
    quotas = tuple(
        ChannelQuota(
            channel,
            draw(st.integers(0, 3)),
            tuple(
                PlanScenario(
                    next(scenario_id),
                    channel,
                    draw(st.sampled_from(["en", "en", "es", "vi"])),
                    frozenset(draw(st.sets(st.sampled_from(ALL_GRADES), max_size=4))),
                    frozenset(draw(st.sets(st.sampled_from(["elementary", "middle", "high"]), max_size=2))),
                    needs_grade=draw(st.booleans()),
                )
                for _ in range(draw(st.integers(0, 3)))
            ),
        )
        for channel in Channel
    )
    first = date(2027, 1, 4) + timedelta(days=draw(st.integers(0, 60)))
    last = first + timedelta(days=draw(st.integers(0, 30)))
    closures = draw(st.lists(st.dates(first, last), max_size=5))
    slots = tuple(draw(st.sets(st.sampled_from(list(Slot)), min_size=1)))
    return PlanRequest(
        schools,
        auditors,
        quotas,
        tuple(school_days(first, last, closures)),
        slots,
        draw(st.integers(0, 10**6)),
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(requests())
def test_every_rule_holds_for_random_rounds(request: PlanRequest) -> None:
    plan = plan_round(request)
    check_rules(request, plan)
    assert plan_round(request) == plan  # deterministic


@settings(max_examples=100, deadline=None)
@given(
    schools=st.integers(1, 40),
    auditors=st.integers(6, 15),
    phone=st.integers(0, 3),
    email=st.integers(0, 2),
    seed=st.integers(0, 1000),
)
def test_unconstrained_load_differs_by_at_most_one(
    schools: int, auditors: int, phone: int, email: int, seed: int
) -> None:
    request = _request(
        schools=schools,
        auditors=auditors,
        phone=phone,
        email=email,
        spanish_speakers=auditors,
        seed=seed,
        days=40,
    )
    plan = plan_round(request)
    assert plan.unplaced == []
    loads = [plan.per_auditor().get(auditor.id, 0) for auditor in request.auditors]
    assert max(loads) - min(loads) <= 1


def test_a_school_no_scenario_fits_or_no_address_reaches_is_listed_with_the_reason() -> None:
    elementary = PlanSchool(
        1, "elementary", grades_between("PK", "05"), frozenset({Channel.PHONE, Channel.VISIT})
    )
    middle = PlanSchool(2, "middle", grades_between("06", "08"), frozenset(Channel))
    counselor = PlanScenario(
        10, Channel.VISIT, grades=frozenset(grades_between("06", "12")), needs_grade=True
    )
    enrol = PlanScenario(11, Channel.PHONE, needs_grade=True)
    meals = PlanScenario(12, Channel.EMAIL)
    request = PlanRequest(
        schools=(elementary, middle),
        auditors=tuple(PlanAuditor(100 + i) for i in range(3)),
        quotas=(
            ChannelQuota(Channel.PHONE, 1, (enrol,)),
            ChannelQuota(Channel.EMAIL, 1, (meals,)),
            ChannelQuota(Channel.VISIT, 1, (counselor,)),
        ),
        days=tuple(school_days(MONDAY, MONDAY + timedelta(days=11), [])),
        slots=tuple(Slot),
        seed=5,
    )
    plan = plan_round(request)
    assert sorted((u.school_id, u.channel, u.reason) for u in plan.unplaced) == [
        (1, Channel.EMAIL, "the school has no email address on file: add it on the school's page"),
        (1, Channel.VISIT, "no visit scenario of this round fits an elementary school serving grades PK–05"),
    ]
    grades = {(c.school_id, c.channel): c.child_grade for c in plan.contacts}
    assert grades[(1, Channel.PHONE)] in grades_between("PK", "05")
    assert grades[(2, Channel.VISIT)] in grades_between("06", "08")
    assert grades[(2, Channel.EMAIL)] is None  # the meals email asks no grade
