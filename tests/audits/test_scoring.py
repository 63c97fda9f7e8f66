"""The scoring rules, checked against hand-computed figures."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from audits.models import Channel, ContactStatus, CriticalPolicy, Outcome, Response
from audits.models import Contact as ContactModel
from audits.scoring.engine import SchoolScore, rank_schools, round_scores, school_trend
from audits.scoring.queries import contact_scores
from tests.audits.scoring_helpers import NA, build_world, scoring_rubric

PHONE, EMAIL, VISIT = Channel.PHONE, Channel.EMAIL, Channel.VISIT
GOOD = {"answered": 1.0, "named": 1.0, "courtesy": 0.75, "accuracy": 0.5, "note": None}  # 5+2+3+3 = 13 of 17
PERFECT = {"answered": 1.0, "named": 1.0, "courtesy": 1.0, "accuracy": 1.0}  # 17 of 17
HALF = {"answered": 1.0, "named": 0.0, "courtesy": 0.5, "accuracy": 0.5}  # 10 of 17


def scores_by_contact(session: Session, round_id: int) -> dict[int, float | None]:
    return {row.contact_id: row.score for row in session.execute(contact_scores([round_id]))}


def test_contact_score_is_item_weighted_and_ignores_na_and_text(session: Session) -> None:
    world = build_world(session)
    round_ = world.round("Spring", date(2027, 2, 1))
    full = world.contact(round_, world.schools[0], PHONE, GOOD)
    with_na = world.contact(round_, world.schools[0], PHONE, {**GOOD, "courtesy": NA})  # 10 of 13
    nothing = world.contact(round_, world.schools[1], PHONE, {"answered": NA, "note": None})
    scores = scores_by_contact(session, round_.id)
    assert scores[full.id] == pytest.approx(100 * 13 / 17)
    assert scores[with_na.id] == pytest.approx(100 * 10 / 13)
    assert scores[nothing.id] is None  # nothing possible: no score


def test_only_approved_reached_or_unreached_contacts_count(session: Session) -> None:
    world = build_world(session)
    round_ = world.round("Spring", date(2027, 2, 1))
    counted = world.contact(round_, world.schools[0], PHONE, GOOD)
    world.contact(round_, world.schools[0], PHONE, GOOD, status=ContactStatus.SUBMITTED)
    world.contact(round_, world.schools[0], PHONE, GOOD, status=ContactStatus.RETURNED)
    world.contact(round_, world.schools[0], PHONE, {}, outcome=Outcome.BUSY)  # an earlier failed attempt
    unreached = world.contact(round_, world.schools[0], PHONE, {}, outcome=Outcome.NO_ANSWER, unreached=True)
    assert set(scores_by_contact(session, round_.id)) == {counted.id, unreached.id}
    assert scores_by_contact(session, round_.id)[unreached.id] == 0.0


def test_critical_failure_flags_or_zeroes(session: Session) -> None:
    world = build_world(session)
    round_ = world.round("Spring", date(2027, 2, 1))
    zero_rubric = scoring_rubric(session, PHONE, CriticalPolicy.ZERO)
    failed = {**GOOD, "answered": 0.0}  # 8 of 17
    flagged = world.contact(round_, world.schools[0], PHONE, failed)
    zeroed = world.contact(round_, world.schools[1], PHONE, failed, rubric=zero_rubric)
    na_critical = world.contact(round_, world.schools[2], PHONE, {**GOOD, "answered": NA})
    rows = {row.contact_id: row for row in session.execute(contact_scores([round_.id]))}
    assert rows[flagged.id].score == pytest.approx(100 * 8 / 17)
    assert rows[flagged.id].critical_failure == 1
    assert rows[zeroed.id].score == 0.0
    assert rows[na_critical.id].critical_failure == 0
    scores = round_scores(session, round_)
    assert scores.school(world.schools[0].id).critical_failures == 1  # type: ignore[union-attr]
    assert scores.district.critical_failures == 2


def test_school_channel_overall_sections_and_reach(session: Session) -> None:
    world = build_world(session)
    round_ = world.round("Spring", date(2027, 2, 1))
    a = world.schools[0]
    world.contact(round_, a, PHONE, GOOD)  # 76.47
    world.contact(
        round_, a, PHONE, {"answered": 1.0, "named": 0.0, "courtesy": 1.0, "accuracy": 1.0}
    )  # 15/17
    world.contact(round_, a, PHONE, {}, outcome=Outcome.NO_ANSWER, unreached=True)  # 0
    world.contact(round_, a, VISIT, {"answered": 1.0, "named": 1.0, "courtesy": 1.0, "accuracy": 1.0})  # 100
    school = round_scores(session, round_).school(a.id)
    assert school is not None
    phone = (100 * 13 / 17 + 100 * 15 / 17 + 0) / 3
    assert school.channels["phone"].score == pytest.approx(phone)
    assert school.channels["visit"].score == pytest.approx(100)
    assert "email" not in school.channels
    assert school.overall == pytest.approx((phone + 100) / 2)  # a mean of channels, not of contacts
    assert (school.contacts, school.reached) == (4, 3)
    assert school.channels["phone"].reach_rate == pytest.approx(2 / 3)
    # Sections pool earned and possible over the school's contacts (the unreached one adds nothing).
    assert school.sections["greeting"] == pytest.approx(100 * (7 + 5 + 7) / (7 + 7 + 7))
    assert school.sections["service"] == pytest.approx(100 * (6 + 10 + 10) / 30)


def test_district_figures_rank_and_change(session: Session) -> None:
    world = build_world(session, schools=4)
    autumn = world.round("Autumn", date(2026, 10, 1))
    spring = world.round("Spring", date(2027, 2, 1))
    a, b, c, d = world.schools
    world.contact(autumn, a, PHONE, HALF)
    world.contact(spring, a, PHONE, PERFECT)
    world.contact(spring, b, PHONE, HALF)
    world.contact(spring, c, PHONE, HALF)
    world.contact(spring, d, PHONE, {}, outcome=Outcome.NO_ANSWER, unreached=True)
    scores = round_scores(session, spring)
    by_name = {s.name: s for s in scores.schools}
    assert [by_name[n].rank for n in ("School A", "School B", "School C", "School D")] == [1, 2, 2, 4]
    assert by_name["School A"].change == pytest.approx(100 - 100 * 10 / 17)
    assert by_name["School B"].change is None  # no earlier round
    values = [100, 100 * 10 / 17, 100 * 10 / 17, 0]
    assert scores.district.overall.mean == pytest.approx(sum(values) / 4)
    assert scores.district.overall.median == pytest.approx(100 * 10 / 17)
    assert scores.district.channels["phone"].median == pytest.approx(100 * 10 / 17)
    assert scores.district.sections["greeting"].count == 3
    assert [value for _, value in school_trend(session, a)] == [pytest.approx(100 * 10 / 17), 100.0]


def test_change_falls_back_to_each_schools_own_latest_earlier_round(session: Session) -> None:
    """Rule 10: the district's latest earlier round first; a school it did not score looks further back."""
    world = build_world(session, schools=4)
    autumn = world.round("Autumn", date(2026, 10, 1))
    winter = world.round("Winter", date(2026, 12, 1))
    spring = world.round("Spring", date(2027, 2, 1))
    a, b, c, d = world.schools
    world.contact(autumn, a, PHONE, PERFECT)
    world.contact(winter, a, PHONE, HALF)  # A's latest earlier round is winter
    world.contact(autumn, b, PHONE, HALF)  # B was not audited in winter: autumn counts
    world.contact(autumn, c, PHONE, HALF)
    world.contact(winter, c, PHONE, {"answered": NA, "named": NA, "courtesy": NA, "accuracy": NA})
    world.contact(winter, d, PHONE, PERFECT, status=ContactStatus.SUBMITTED)  # not approved: no score
    for school in world.schools:
        world.contact(spring, school, PHONE, PERFECT)
    by_name = {s.name: s for s in round_scores(session, spring).schools}
    assert by_name["School A"].previous == pytest.approx(100 * 10 / 17)
    assert by_name["School B"].previous == pytest.approx(100 * 10 / 17)
    # C's winter contact has nothing possible, so winter gave C no overall: autumn counts.
    assert by_name["School C"].previous == pytest.approx(100 * 10 / 17)
    assert by_name["School D"].previous is None
    assert by_name["School D"].change is None
    assert by_name["School A"].change == pytest.approx(100 - 100 * 10 / 17)
    # The winter round's own change looks back to autumn.
    winter_by_name = {s.name: s for s in round_scores(session, winter).schools}
    assert winter_by_name["School A"].change == pytest.approx(100 * 10 / 17 - 100)
    assert round_scores(session, autumn).district.previous_overall.count == 0


def test_section_scores_can_be_left_out_and_nothing_else_changes(session: Session) -> None:
    world = build_world(session, schools=3)
    autumn = world.round("Autumn", date(2026, 10, 1))
    spring = world.round("Spring", date(2027, 2, 1))
    for number, school in enumerate(world.schools):
        world.contact(autumn, school, PHONE, GOOD)
        world.contact(spring, school, PHONE, GOOD if number else {"answered": 1.0, "named": 0.0})
        world.contact(spring, school, EMAIL, GOOD, response_business_hours=float(number))
    full = round_scores(session, spring)
    lean = round_scores(session, spring, sections=False)
    assert all(school.sections for school in full.schools) and full.district.sections
    assert not any(school.sections for school in lean.schools) and not lean.district.sections
    for school in full.schools:
        school.sections, school.section_contacts = {}, {}
    full.district.sections = {}
    assert lean == full


def test_timing_figures(session: Session) -> None:
    world = build_world(session)
    round_ = world.round("Spring", date(2027, 2, 1))
    a = world.schools[0]
    world.contact(round_, a, PHONE, GOOD, rings=2, hold_seconds=30)
    world.contact(round_, a, PHONE, GOOD, rings=6, hold_seconds=90)
    world.contact(round_, a, EMAIL, GOOD, response_business_hours=3.0)
    world.contact(round_, a, EMAIL, GOOD, response_business_hours=10.0)
    world.contact(round_, a, EMAIL, GOOD, response_business_hours=20.0)
    scores = round_scores(session, round_)
    school = scores.school(a.id)
    assert school is not None
    assert school.channels["phone"].mean_rings == 4
    assert school.channels["phone"].mean_hold_seconds == 60
    assert school.median_email_hours == 10.0
    assert scores.district.median_email_hours == 10.0
    assert scores.district.channel_totals["phone"].mean_rings == 4


def test_rank_ties_skip() -> None:
    schools = [
        SchoolScore(i, str(i), f"S{i}", "elementary", overall=o) for i, o in enumerate([90, 80, 80, 70, None])
    ]
    rank_schools(schools)
    assert [s.rank for s in schools] == [1, 2, 2, 4, None]


def test_the_number_of_queries_does_not_grow_with_schools(session: Session) -> None:
    from sqlalchemy import event

    world = build_world(session, schools=12)
    round_ = world.round("Spring", date(2027, 2, 1))
    earlier = world.round("Autumn", date(2026, 10, 1))
    counts = []
    for size in (3, 12):
        for school in world.schools[:size]:
            world.contact(round_, school, PHONE, GOOD, response_business_hours=2.0)
            world.contact(earlier, school, EMAIL, GOOD)
        statements: list[str] = []

        def count(*args: object, seen: list[str] = statements) -> None:
            seen.append("x")

        event.listen(session.get_bind(), "before_cursor_execute", count)
        round_scores(session, round_)
        event.remove(session.get_bind(), "before_cursor_execute", count)
        counts.append(len(statements))
    assert counts[0] == counts[1] <= 7  # six grouped queries and the contact scores of rule 13


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    answers=st.fixed_dictionaries(
        {
            "answered": st.sampled_from([0.0, 1.0, NA]),
            "named": st.sampled_from([0.0, 1.0, NA]),
            "courtesy": st.sampled_from([0.0, 0.25, 0.5, 0.75, 1.0, NA]),
            "accuracy": st.sampled_from([0.0, 0.5, 1.0]),
        }
    ),
    extra_na=st.sampled_from(["named", "courtesy"]),
)
def test_scores_stay_within_bounds_and_na_changes_nothing_it_should_not(
    session: Session, answers: dict[str, float | str], extra_na: str
) -> None:
    world = build_world(session, schools=1)
    round_ = world.round("Spring", date(2027, 2, 1))
    school = world.schools[0]
    full = world.contact(round_, school, PHONE, answers)
    without = world.contact(round_, school, PHONE, {k: v for k, v in answers.items() if k != extra_na})
    marked = world.contact(round_, school, PHONE, {**answers, extra_na: NA})
    rows = {row.contact_id: row for row in session.execute(contact_scores([round_.id]))}
    for row in rows.values():
        assert row.score is None or 0.0 <= row.score <= 100.0
    # Marking an item N/A is the same as leaving it out: it never moves the score by itself.
    assert rows[marked.id].score == rows[without.id].score
    assert rows[full.id].score is None or 0 <= rows[full.id].score <= 100
    section = round_scores(session, round_).school(school.id)
    assert section is not None
    assert all(0.0 <= value <= 100.0 for value in section.sections.values())
    session.execute(delete(Response))
    session.execute(delete(ContactModel))
    assert session.scalar(select(ContactModel.id)) is None
