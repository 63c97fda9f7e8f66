"""The progress board: each assignment's status on a day, one row per school, filters and counts."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta

from sqlalchemy import event
from sqlalchemy.orm import Session

from audits.models import Channel, Round, RoundStatus
from audits.planning.board import (
    Board,
    BoardFilter,
    BoardStatus,
    progress_board,
    status_counts,
)
from tests.audits.board_helpers import TODAY, build_board

S = BoardStatus


@contextmanager
def counted(session: Session) -> Iterator[list[str]]:
    """The SQL statements run inside the block."""
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(session.get_bind(), "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(session.get_bind(), "before_cursor_execute", count)


def _cells(board: Board) -> dict[str, dict[str, list[str]]]:
    """The board as ``{school: {channel: [status, …]}}``, empty cells left out."""
    return {
        row.school_name: {
            channel.value: [entry.status.value for entry in entries]
            for channel, entries in row.cells.items()
            if entries
        }
        for row in board.rows
    }


def test_each_assignment_stands_in_one_status_and_each_school_is_one_row(session: Session) -> None:
    built = build_board(session)
    round_ = built.fieldwork.round
    session.refresh(round_)
    assert round_.channels == []  # loaded (the world plans no quotas): the board's query is then the only one
    with counted(session) as statements:
        board = progress_board(session, round_, TODAY)
    assert len(statements) == 1
    assert board.channels == [Channel.PHONE, Channel.EMAIL, Channel.VISIT]
    assert _cells(board) == {
        "Abess Park Elementary": {"phone": ["review"], "email": ["approved"], "visit": ["overdue"]},
        "Beta Middle": {"phone": ["due_today", "returned"], "email": ["later"]},
        "Gamma High": {"phone": ["returned"]},
    }
    assert board.counts == {
        S.APPROVED: 1,
        S.REVIEW: 1,
        S.RETURNED: 2,
        S.OVERDUE: 1,
        S.DUE_TODAY: 1,
        S.LATER: 1,
    }
    assert (board.total, board.shown, board.done) == (7, 7, 2)
    assert [name for _, name in board.auditors] == ["Avery", "other@example.org"]

    abess, beta, gamma = board.rows
    call, email, visit = (
        abess.cells[channel][0] for channel in (Channel.PHONE, Channel.EMAIL, Channel.VISIT)
    )
    assert (call.attempt, call.contact_id, call.unreached) == (2, built.abess_call.id, False)
    assert (email.attempt, email.unreached) == (1, True)
    assert (visit.attempt, visit.contact_id, visit.draft) == (1, None, False)  # opened, never submitted
    today, returned = beta.cells[Channel.PHONE]
    assert (today.attempt, today.contact_id, today.sequence) == (0, None, 1)
    assert (returned.contact_id, returned.sequence) == (built.beta_returned.id, 2)
    later = beta.cells[Channel.EMAIL][0]
    assert (later.draft, later.contact_id, later.due_day) == (True, None, TODAY + timedelta(days=2))
    assert gamma.cells[Channel.PHONE][0].contact_id == built.gamma_reopened.id
    assert gamma.cells[Channel.VISIT] == []


def test_the_same_work_a_week_later_is_overdue_unless_done_or_returned(session: Session) -> None:
    built = build_board(session)
    board = progress_board(session, built.fieldwork.round, TODAY + timedelta(days=7))
    assert board.counts == {
        S.APPROVED: 1,
        S.REVIEW: 1,
        S.RETURNED: 2,
        S.OVERDUE: 3,
        S.DUE_TODAY: 0,
        S.LATER: 0,
    }
    before = progress_board(session, built.fieldwork.round, date(2027, 1, 25))
    assert (before.counts[S.LATER], before.counts[S.OVERDUE]) == (3, 0)


def test_filters_narrow_the_rows_and_the_counts_ignore_only_the_status(session: Session) -> None:
    built = build_board(session)
    round_ = built.fieldwork.round

    returned = progress_board(session, round_, TODAY, BoardFilter(status="returned"))
    assert _cells(returned) == {"Beta Middle": {"phone": ["returned"]}, "Gamma High": {"phone": ["returned"]}}
    assert returned.counts[S.APPROVED] == 1 and returned.total == 7 and returned.shown == 2

    done = progress_board(session, round_, TODAY, BoardFilter(status="done"))
    assert _cells(done) == {"Abess Park Elementary": {"phone": ["review"], "email": ["approved"]}}

    phones = progress_board(session, round_, TODAY, BoardFilter(channel=Channel.PHONE))
    assert phones.channels == [Channel.PHONE] and phones.round_channels == [
        Channel.PHONE,
        Channel.EMAIL,
        Channel.VISIT,
    ]
    assert phones.counts == {
        S.APPROVED: 0,
        S.REVIEW: 1,
        S.RETURNED: 2,
        S.OVERDUE: 0,
        S.DUE_TODAY: 1,
        S.LATER: 0,
    }
    assert [row.school_name for row in phones.rows] == ["Abess Park Elementary", "Beta Middle", "Gamma High"]

    other = progress_board(session, round_, TODAY, BoardFilter(auditor_id=built.fieldwork.other_auditor.id))
    assert _cells(other) == {"Gamma High": {"phone": ["returned"]}} and other.total == 1

    beta = progress_board(session, round_, TODAY, BoardFilter(school_text="  bEtA "))
    assert [row.school_name for row in beta.rows] == ["Beta Middle"] and beta.total == 3
    overdue_at_beta = progress_board(
        session, round_, TODAY, BoardFilter(status="overdue", school_text="beta")
    )
    assert overdue_at_beta.rows == [] and overdue_at_beta.total == 3

    assert BoardFilter(status="bogus").statuses() is None and not BoardFilter(status="bogus").narrowed
    assert BoardFilter(school_text="x").narrowed


def test_status_counts_count_every_round_in_one_query(session: Session) -> None:
    built = build_board(session)
    round_ = built.fieldwork.round
    empty = Round(
        district_id=round_.district_id,
        name="Empty",
        first_day=TODAY,
        last_day=TODAY + timedelta(days=20),
        status=RoundStatus.SCHEDULED,
    )
    session.add(empty)
    session.commit()
    ids = [round_.id, empty.id]
    with counted(session) as statements:
        counts = status_counts(session, ids, TODAY)
    assert len(statements) == 1
    assert counts[round_.id] == progress_board(session, round_, TODAY).counts
    assert counts[empty.id] == dict.fromkeys(BoardStatus, 0)
    assert status_counts(session, [], TODAY) == {}


def test_a_board_reads_statuses_in_words() -> None:
    assert [status.label for status in BoardStatus] == [
        "Approved",
        "Waiting for review",
        "Returned to auditor",
        "Overdue",
        "Due today",
        "Due later",
    ]
    assert [status for status in BoardStatus if status.done] == [S.APPROVED, S.REVIEW]
