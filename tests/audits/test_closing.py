"""Closing a round (what it ends, said first) and reopening one closed by mistake (administrators)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from audits import audit_log
from audits.errors import ConflictError, ErrorKind, NotAllowedError, ValidationError
from audits.fieldwork.contacts import start_contact, submit
from audits.models import (
    Assignment,
    AuditEntry,
    Channel,
    Role,
    RoundStatus,
    Slot,
    User,
)
from audits.planning.closing import (
    MAX_REASON_LENGTH,
    close_round,
    closing_preview,
    reopen_round,
    reopening_preview,
    round_history,
    unstarted_assignments,
)
from audits.planning.rounds import move_round
from tests.audits.fieldwork_helpers import REACHED_CALL, Fieldwork, build_fieldwork
from tests.conftest import TEST_NOW

TODAY = date(2027, 2, 10)  # the district's date the leader closes on


@pytest.fixture
def world(session: Session) -> Fieldwork:
    """The in-field spring round: three assignments due Feb 2, and two more due after ``TODAY``."""
    world = build_fieldwork(session)
    for sequence, day in ((2, date(2027, 2, 15)), (3, date(2027, 2, 22))):
        session.add(
            Assignment(
                round_id=world.round.id, school_id=world.school.id, scenario_id=world.phone.scenario_id,
                auditor_id=world.other_auditor.id, channel=Channel.PHONE, sequence=sequence, due_day=day,
                slot=Slot.AFTERNOON,
            )
        )  # fmt: skip
    session.commit()
    return world


@pytest.fixture
def admin(make_user: Callable[..., User]) -> User:
    return make_user(Role.ADMIN, name="Ada Admin")


@pytest.fixture
def leader(make_user: Callable[..., User], world: Fieldwork) -> User:
    return make_user(Role.LEADER, district=world.district, name="Lee Leader")


def _started(session: Session, world: Fieldwork) -> None:
    """The phone call made and submitted; the email started (a draft); the visit untouched."""
    call = start_contact(session, world.phone, world.auditor)
    submit(session, call, REACHED_CALL, world.auditor, world.calendar, now=TEST_NOW)
    start_contact(session, world.email, world.auditor)
    session.commit()


def test_the_preview_lists_what_closing_ends_and_counts_what_stays(
    session: Session, world: Fieldwork
) -> None:
    _started(session, world)
    preview = closing_preview(session, world.round, TODAY)
    assert [a.id for a in preview.unstarted] == [a.id for a in unstarted_assignments(session, world.round)]
    assert world.visit in preview.unstarted and world.phone not in preview.unstarted
    assert world.email not in preview.unstarted  # a draft is started work
    assert len(preview.unstarted) == 3 and len(preview.overdue) == 1 and len(preview.upcoming) == 2
    assert [a.due_day for a in preview.unstarted] == [date(2027, 2, 2), date(2027, 2, 15), date(2027, 2, 22)]
    assert (preview.in_hand, preview.waiting_review, preview.approved) == (1, 1, 0)
    assert preview.auditors == 2
    session.rollback()
    assert world.round.status is RoundStatus.IN_FIELD  # a preview changes nothing


def test_closing_keeps_the_unstarted_assignments_as_they_were_and_stops_new_contacts(
    session: Session, world: Fieldwork, leader: User
) -> None:
    _started(session, world)
    event = close_round(session, world.round, leader, seen=world.round.revision)
    session.commit()
    assert world.round.status is RoundStatus.CLOSED and world.round.closed_at is not None
    assert (event.from_status, event.to_status, event.actor_id) == (
        RoundStatus.IN_FIELD, RoundStatus.CLOSED, leader.id,
    )  # fmt: skip
    assert {entry["id"] for entry in event.assignments} == {
        a.id for a in unstarted_assignments(session, world.round)
    }
    visit = next(entry for entry in event.assignments if entry["id"] == world.visit.id)
    assert visit == {
        "id": world.visit.id,
        "auditor_id": world.auditor.id,
        "due_day": "2027-02-02",
        "slot": "afternoon",
    }
    with pytest.raises(ConflictError, match="accepts no new contacts"):
        start_contact(session, world.visit, world.auditor)
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == audit_log.ROUND_CLOSED)).one()
    assert entry.details == {"round": "Spring", "unstarted_assignments_closed": 3}
    assert entry.district_id == world.district.id and entry.actor_id == leader.id


def test_reopening_restores_the_closed_assignments_to_what_they_were(
    session: Session, world: Fieldwork, leader: User, admin: User
) -> None:
    _started(session, world)
    close_round(session, world.round, leader)
    session.commit()
    # Whatever touched an assignment while the round was closed, reopening puts back what the close kept.
    world.visit.due_day, world.visit.slot, world.visit.auditor_id = date(2027, 3, 1), Slot.MORNING, leader.id
    session.commit()
    preview = reopening_preview(session, world.round, TODAY)
    assert len(preview.assignments) == 3 and len(preview.overdue) == 1  # the visit's Feb 2 has passed
    assert preview.closed_by is not None and preview.closed_by.actor_id == leader.id

    event = reopen_round(
        session, world.round, admin, "  Closed a week early by mistake  ", world.round.revision
    )
    session.commit()
    assert world.round.status is RoundStatus.IN_FIELD and world.round.closed_at is None
    assert (world.visit.due_day, world.visit.slot, world.visit.auditor_id) == (
        date(2027, 2, 2), Slot.AFTERNOON, world.auditor.id,
    )  # fmt: skip
    assert event.reason == "Closed a week early by mistake" and len(event.assignments) == 3
    assert start_contact(session, world.visit, world.auditor).attempt == 1  # open again
    history = round_history(session, world.round)
    assert [(e.from_status, e.to_status) for e in history] == [
        (RoundStatus.CLOSED, RoundStatus.IN_FIELD), (RoundStatus.IN_FIELD, RoundStatus.CLOSED),
    ]  # fmt: skip
    assert history[0].actor is not None and history[0].actor.name == "Ada Admin"
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == audit_log.ROUND_REOPENED)).one()
    assert entry.details == {
        "round": "Spring", "reason": "Closed a week early by mistake", "assignments_reopened": 3,
    }  # fmt: skip


@pytest.mark.parametrize("reason", ["", "   \n ", "x" * (MAX_REASON_LENGTH + 1)])
def test_a_reason_is_required_to_reopen(
    session: Session, world: Fieldwork, leader: User, admin: User, reason: str
) -> None:
    close_round(session, world.round, leader)
    session.commit()
    with pytest.raises(ValidationError) as refused:
        reopen_round(session, world.round, admin, reason)
    assert refused.value.kind is ErrorKind.VALIDATION and refused.value.field == "reason"
    session.rollback()
    assert world.round.status is RoundStatus.CLOSED
    assert [e.to_status for e in round_history(session, world.round)] == [RoundStatus.CLOSED]


def test_only_an_active_administrator_reopens(
    session: Session, world: Fieldwork, leader: User, admin: User, make_user: Callable[..., User]
) -> None:
    close_round(session, world.round, leader)
    session.commit()
    for who in (leader, world.reviewer, make_user(Role.ADMIN, active=False)):
        with pytest.raises(NotAllowedError, match="only an administrator") as refused:
            reopen_round(session, world.round, who, "Closed by mistake")
        assert refused.value.kind is ErrorKind.NOT_ALLOWED
    # Nor by the plain status move, whoever asks.
    with pytest.raises(ConflictError, match="only an administrator can reopen"):
        move_round(session, world.round, RoundStatus.IN_FIELD, actor=admin)
    session.rollback()
    assert world.round.status is RoundStatus.CLOSED


def test_only_a_closed_round_from_the_page_just_seen_reopens(
    session: Session, world: Fieldwork, leader: User, admin: User
) -> None:
    with pytest.raises(ConflictError, match="this needs a closed round"):
        reopen_round(session, world.round, admin, "Not closed")
    session.rollback()
    close_round(session, world.round, leader)
    session.commit()
    with pytest.raises(ConflictError, match="changed since you opened it"):
        reopen_round(session, world.round, admin, "From an old page", seen=world.round.revision - 1)
    session.rollback()
    move_round(session, world.round, RoundStatus.PUBLISHED, actor=leader)
    session.commit()
    with pytest.raises(ConflictError, match="published round cannot be reopened"):
        reopen_round(session, world.round, admin, "Too late")


def test_a_round_closed_before_its_history_kept_assignments_reopens_what_nobody_started(
    session: Session, world: Fieldwork, admin: User
) -> None:
    move_round(session, world.round, RoundStatus.CLOSED)  # the command line, the demo: no list kept
    session.commit()
    event = reopen_round(session, world.round, admin, "Reopened for the make-up visits")
    assert len(event.assignments) == 5 and event.actor_id == admin.id
