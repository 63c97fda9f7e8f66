"""The progress board, round and auditor assignment lists, and the due-date groups."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from audits.models import Channel, District, Role, Round, RoundStatus, School, Slot, User
from audits.planning.progress import (
    AssignmentFilter,
    due_groups,
    next_up,
    open_assignments,
    progress_totals,
    round_assignments,
    round_progress,
    rounds_overview,
)
from audits.planning.rounds import move_round
from tests.audits.round_samples import make_round, make_scenario, publish_rubrics
from tests.conftest import TEST_NOW


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


def test_the_board_counts_per_school_and_channel_in_one_query(
    session: Session, district: District, auditors: list[User], schools: list[School]
) -> None:
    round_ = _scheduled(session, district)
    session.refresh(round_)
    statements: list[str] = []
    listen = event.listens_for(session.get_bind(), "before_cursor_execute")

    @listen
    def _count(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    rows = round_progress(session, round_, today=date(2027, 2, 1))
    event.remove(session.get_bind(), "before_cursor_execute", _count)
    assert len(statements) == 1
    assert [(row.school_name, row.channel, row.assigned) for row in rows] == [
        ("Alpha Elementary", Channel.EMAIL, 1),
        ("Alpha Elementary", Channel.PHONE, 2),
        ("Beta Elementary", Channel.EMAIL, 1),
        ("Beta Elementary", Channel.PHONE, 2),
    ]
    assert all(row.overdue == 0 and row.submitted == 0 and row.approved == 0 for row in rows)
    totals = progress_totals(rows)
    assert (totals.assigned, totals.overdue, totals.schools) == (6, 0, 2)


def test_overdue_counts_what_is_due_before_today(
    session: Session, district: District, auditors: list[User], schools: list[School]
) -> None:
    round_ = _scheduled(session, district)
    assignments = round_assignments(session, round_)
    cutoff = sorted(a.due_day for a in assignments)[3]
    expected = sum(1 for a in assignments if a.due_day < cutoff)
    rows = round_progress(session, round_, today=cutoff)
    assert progress_totals(rows).overdue == expected > 0
    after = round_progress(session, round_, today=date(2027, 3, 1))
    assert progress_totals(after).overdue == 6


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


def test_the_board_counts_latest_attempts_and_leaves_done_work_out_of_overdue(session: Session) -> None:
    from audits.fieldwork.contacts import approve, retry, return_contact, start_contact, submit
    from tests.audits.fieldwork_helpers import REACHED_CALL, attempt, build_fieldwork

    world = build_fieldwork(session)
    auditor, calendar = world.auditor, world.calendar
    busy = start_contact(session, world.phone, auditor)
    submit(session, busy, attempt("busy", "2027-02-02T09:15"), auditor, calendar, now=TEST_NOW)
    approve(session, busy, world.reviewer)
    submit(
        session, retry(session, world.phone, auditor), REACHED_CALL, auditor, calendar, now=TEST_NOW
    )  # attempt 2 waits
    email = start_contact(session, world.email, auditor)
    submit(
        session,
        email,
        attempt("no_reply", "2027-02-02T10:00", sent_text="Hi"),
        auditor,
        calendar,
        now=TEST_NOW,
    )
    approve(session, email, world.reviewer)  # unreached, approved: done
    start_contact(session, world.visit, auditor)  # a draft: not done
    session.commit()
    session.refresh(world.round)
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(session.get_bind(), "before_cursor_execute", count)
    rows = round_progress(session, world.round, today=date(2027, 3, 1))
    event.remove(session.get_bind(), "before_cursor_execute", count)
    assert len(statements) == 1
    counts = {row.channel: (row.assigned, row.submitted, row.approved, row.overdue) for row in rows}
    assert counts == {Channel.PHONE: (1, 1, 0, 0), Channel.EMAIL: (1, 0, 1, 0), Channel.VISIT: (1, 0, 0, 1)}

    latest = start_contact(session, world.phone, auditor)
    return_contact(session, latest, world.reviewer, "Check the rings")  # back with the auditor: open again
    rows = round_progress(session, world.round, today=date(2027, 3, 1))
    assert {row.channel: row.overdue for row in rows}[Channel.PHONE] == 1
    assert {row.channel: row.submitted for row in rows}[Channel.PHONE] == 0
    assert progress_totals(rows).approved == 1


def test_done_assignments_are_grouped_apart(
    session: Session, district: District, auditors: list[User], schools: list[School]
) -> None:
    round_ = _scheduled(session, district)
    assignments = round_assignments(session, round_)
    done = {assignments[0].id}
    groups = due_groups(assignments, date(2027, 2, 3), done)
    assert groups[-1].title == "Done" and groups[-1].assignments == [assignments[0]]
    assert all(assignments[0] not in g.assignments for g in groups[:-1])
