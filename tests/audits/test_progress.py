"""Round and auditor assignment lists, and the due-date groups (the progress board: test_board.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy.orm import Session

from audits.models import Channel, District, Role, Round, RoundStatus, School, Slot, User
from audits.planning.progress import (
    AssignmentFilter,
    due_groups,
    next_up,
    open_assignments,
    round_assignments,
    rounds_overview,
)
from audits.planning.rounds import move_round
from tests.audits.round_samples import make_round, make_scenario, publish_rubrics


@pytest.fixture
def district(make_district: Callable[..., District]) -> District:
    return make_district("Duval")


@pytest.fixture
def auditors(make_user: Callable[..., User], district: District) -> list[User]:
    return [make_user(Role.AUDITOR, district=district, name=f"Auditor {n}") for n in range(3)]


@pytest.fixture
def schools(make_school: Callable[..., School], district: District) -> list[School]:
    return [make_school(district, name=name) for name in ("Beta Elementary", "Alpha Elementary")]


def _scheduled(session: Session, district: District) -> Round:
    publish_rubrics(session)
    phone = [make_scenario(session, district, "phone-a"), make_scenario(session, district, "phone-b")]
    email = [make_scenario(session, district, "email-a", Channel.EMAIL)]
    return make_round(session, district, {Channel.PHONE: (2, phone), Channel.EMAIL: (1, email)}, commit=True)


def test_the_round_list_filters_and_orders_by_day_then_slot(
    session: Session, district: District, auditors: list[User], schools: list[School]
) -> None:
    round_ = _scheduled(session, district)
    everything = round_assignments(session, round_)
    keys = [(a.due_day, list(Slot).index(a.slot)) for a in everything]
    assert keys == sorted(keys)
    first = everything[0]
    mine = round_assignments(session, round_, AssignmentFilter(auditor_id=first.auditor_id))
    assert mine and all(a.auditor_id == first.auditor_id for a in mine)
    emails = round_assignments(session, round_, AssignmentFilter(channel=Channel.EMAIL))
    assert len(emails) == 2
    alpha = round_assignments(session, round_, AssignmentFilter(school_id=schools[1].id))
    assert {a.school.name for a in alpha} == {"Alpha Elementary"}
    that_day = round_assignments(session, round_, AssignmentFilter(day=first.due_day))
    assert all(a.due_day == first.due_day for a in that_day)


def test_an_auditor_sees_open_rounds_only(
    session: Session, district: District, auditors: list[User], schools: list[School]
) -> None:
    round_ = _scheduled(session, district)
    counts = {auditor.id: len(open_assignments(session, auditor)) for auditor in auditors}
    assert sum(counts.values()) == 6
    busiest = max(auditors, key=lambda auditor: counts[auditor.id])
    assert len(open_assignments(session, busiest, 1)) == 1
    move_round(session, round_, RoundStatus.IN_FIELD)
    assert len(open_assignments(session, busiest)) == counts[busiest.id]
    move_round(session, round_, RoundStatus.CLOSED)
    assert open_assignments(session, busiest) == []


def test_the_overview_counts_assignments_per_round(
    session: Session,
    district: District,
    auditors: list[User],
    schools: list[School],
    make_district: Callable[..., District],
) -> None:
    round_ = _scheduled(session, district)
    overview = rounds_overview(session, district.id)
    assert [(row.round.id, row.assignments) for row in overview] == [(round_.id, 6)]
    assert rounds_overview(session, make_district("Empty").id) == []
    assert len(rounds_overview(session, None)) == 1


def test_due_groups_put_the_work_in_the_order_to_do_it(
    session: Session, district: District, auditors: list[User], schools: list[School]
) -> None:
    round_ = _scheduled(session, district)  # due Mon Feb 1 to Fri Feb 5, and Mon Feb 8, 2027
    assignments = round_assignments(session, round_)
    groups = due_groups(assignments, date(2027, 2, 3), next_day=date(2027, 2, 4))
    days = [(g.key, g.title, sorted(a.due_day.day for a in g.assignments)) for g in groups]
    assert days == [
        ("overdue", "Overdue", [1, 2]),
        ("today", "Due today", [3]),
        ("next", "Next school day: Thursday, February 4", [4]),
        ("later", "Week of Monday, February 1", [5]),
        ("later", "Week of Monday, February 8", [8]),
    ]
    assert next_up(groups, 3) == sorted(assignments, key=lambda a: a.due_day)[:3]


def test_returned_work_comes_first_and_done_work_last_whatever_the_day(
    session: Session, district: District, auditors: list[User], schools: list[School]
) -> None:
    round_ = _scheduled(session, district)
    assignments = round_assignments(session, round_)
    latest = max(assignments, key=lambda a: a.due_day)
    earliest = min(assignments, key=lambda a: a.due_day)
    groups = due_groups(assignments, date(2027, 2, 3), done={earliest.id}, returned={latest.id})
    assert (groups[0].key, groups[0].assignments) == ("returned", [latest])
    assert groups[0].title == "Returned to you"
    assert (groups[-1].key, groups[-1].assignments) == ("done", [earliest])
    assert next_up(groups, 2)[0] is latest and earliest not in next_up(groups, len(assignments))


def test_on_a_friday_the_next_school_day_is_monday(
    session: Session, district: District, auditors: list[User], schools: list[School]
) -> None:
    round_ = _scheduled(session, district)
    groups = due_groups(round_assignments(session, round_), date(2027, 2, 5))
    assert [(g.title, [a.due_day.day for a in g.assignments]) for g in groups[1:]] == [
        ("Due today", [5]),
        ("Next school day: Monday, February 8", [8]),
    ]


def test_done_assignments_are_grouped_apart(
    session: Session, district: District, auditors: list[User], schools: list[School]
) -> None:
    round_ = _scheduled(session, district)
    assignments = round_assignments(session, round_)
    done = {assignments[0].id}
    groups = due_groups(assignments, date(2027, 2, 3), done)
    assert groups[-1].title == "Done" and groups[-1].assignments == [assignments[0]]
    assert all(assignments[0] not in g.assignments for g in groups[:-1])
