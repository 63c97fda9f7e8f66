"""The leader's day at a glance: rounds under way with their counts, reviews waiting, schools missing
contact details, published scorecards their principals have not opened."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from sqlalchemy.orm import Session

from audits.leader_day import (
    MissingKind,
    UnopenedScorecards,
    leader_day,
    missing_data,
    unopened_scorecards,
    waiting_words,
)
from audits.models import (
    District,
    Level,
    Role,
    Round,
    RoundStatus,
    School,
    Scorecard,
    ScorecardView,
    User,
)
from audits.planning.board import BoardStatus
from tests.audits.board_helpers import TODAY, BoardWorld, build_board
from tests.conftest import TEST_NOW

S = BoardStatus


def _round(session: Session, world: BoardWorld, name: str, status: RoundStatus, days_ago: int) -> Round:
    first = TODAY - timedelta(days=days_ago)
    round_ = Round(
        district_id=world.fieldwork.district.id,
        name=name,
        first_day=first,
        last_day=first + timedelta(days=20),
        status=status,
    )
    session.add(round_)
    session.flush()
    return round_


def _scorecard(session: Session, round_: Round, school: School, published: bool) -> Scorecard:
    card = Scorecard(
        token=f"token-{round_.id}-{school.id}",
        round_id=round_.id,
        school_id=school.id,
        inputs_hash="i" * 64,
        content_hash="c" * 64,
        path=f"scorecards/{round_.id}-{school.id}.pdf",
        size=1000,
        published_at=TEST_NOW if published else None,
    )
    session.add(card)
    session.flush()
    return card


def test_the_day_counts_each_round_under_way_and_the_reviews_waiting(session: Session) -> None:
    world = build_board(session)
    district = world.fieldwork.district
    closed = _round(session, world, "Winter", RoundStatus.CLOSED, 60)
    draft = _round(session, world, "Summer", RoundStatus.DRAFT, -90)
    _round(session, world, "Autumn", RoundStatus.PUBLISHED, 120)
    planned = _round(session, world, "Spring 2", RoundStatus.SCHEDULED, -30)
    session.commit()

    day = leader_day(session, district, TODAY, TEST_NOW + timedelta(hours=50))
    # In the field first, then closed (scorecards to publish), then scheduled; drafts and published apart.
    assert [progress.round.name for progress in day.rounds] == ["Spring", "Winter", "Spring 2"]
    spring = day.rounds[0]
    assert spring.counts == {
        S.APPROVED: 1,
        S.REVIEW: 1,
        S.RETURNED: 2,
        S.OVERDUE: 1,
        S.DUE_TODAY: 1,
        S.LATER: 1,
    }
    assert (spring.total, spring.done, round(spring.done_share, 3)) == (7, 2, 0.286)
    assert day.rounds[1].round is closed and day.rounds[1].total == 0 and day.rounds[1].done_share == 0
    assert day.rounds[2].round is planned
    assert day.drafts == [draft]
    assert (day.round_count, day.published_rounds, day.school_count) == (5, 1, 3)
    # Only the call's second attempt waits (the returned and the reopened ones are back with auditors).
    assert day.reviews.count == 1
    assert day.reviews.oldest == world.abess_call.submitted_at == TEST_NOW
    assert day.review_wait == timedelta(hours=50) and waiting_words(day.review_wait) == "2 days"


def test_missing_details_name_first_the_schools_of_a_round_under_way(
    session: Session, make_school: Callable[..., School], make_user: Callable[..., User]
) -> None:
    world = build_board(session)
    district = world.fieldwork.district
    make_school(district, name="Delta Elementary", email=None, principal_name="Di", office_hours="8-4")
    make_school(district, name="Echo Closed", phone=None, email=None, active=False)
    make_user(Role.PRINCIPAL, district=district, schools=[world.fieldwork.school])
    # Abess Park lacks nothing; Beta Middle an email; Gamma High a phone and office hours; Delta an email;
    # every school but Abess Park a principal account. Echo is inactive: not counted.
    missing = {kind.key: kind for kind in missing_data(session, district.id)}
    assert missing == {
        "email": MissingKind("email", "without an email address", 2, 1, [(world.beta.id, "Beta Middle")]),
        "phone": MissingKind("phone", "without a phone number", 1, 1, [(world.gamma.id, "Gamma High")]),
        "principal_account": MissingKind(
            "principal_account",
            "without a principal account",
            3,
            2,
            [(world.beta.id, "Beta Middle"), (world.gamma.id, "Gamma High")],
        ),
        "office_hours": MissingKind(
            "office_hours", "without office hours", 1, 1, [(world.gamma.id, "Gamma High")]
        ),
    }
    assert "principal" not in missing  # every school has a principal's name


def test_unopened_scorecards_count_active_principals_of_published_schools(
    session: Session, make_user: Callable[..., User]
) -> None:
    world = build_board(session)
    district = world.fieldwork.district
    abess, beta, gamma = world.fieldwork.school, world.beta, world.gamma
    autumn = _round(session, world, "Autumn", RoundStatus.PUBLISHED, 120)
    older = _round(session, world, "Older", RoundStatus.PUBLISHED, 300)
    session.commit()
    opened = make_user(Role.PRINCIPAL, district=district, schools=[abess])
    make_user(Role.PRINCIPAL, district=district, schools=[abess], active=False)  # gone: not counted
    beta_first = make_user(Role.PRINCIPAL, district=district, schools=[beta])
    make_user(Role.PRINCIPAL, district=district, schools=[beta])
    make_user(Role.PRINCIPAL, district=district, schools=[gamma])
    abess_card = _scorecard(session, autumn, abess, published=True)
    _scorecard(session, autumn, beta, published=True)
    _scorecard(session, autumn, gamma, published=False)  # hidden: nobody can open it yet
    old_card = _scorecard(session, older, beta, published=True)
    session.add(ScorecardView(scorecard_id=abess_card.id, user_id=opened.id))
    session.add(ScorecardView(scorecard_id=old_card.id, user_id=beta_first.id))
    session.commit()

    found = unopened_scorecards(session, district.id)
    assert found == [
        UnopenedScorecards(
            autumn, published=2, principals=2, schools=[(beta.id, "Beta Middle")], school_count=1
        ),
        UnopenedScorecards(
            older, published=1, principals=1, schools=[(beta.id, "Beta Middle")], school_count=1
        ),
    ]
    day = leader_day(session, district, TODAY, TEST_NOW)
    assert day.unopened == found and day.published_rounds == 2


def test_a_new_district_has_an_empty_day(session: Session, make_district: Callable[..., District]) -> None:
    district = make_district("New ISD")
    day = leader_day(session, district, TODAY, TEST_NOW)
    assert (day.school_count, day.round_count, day.rounds, day.drafts) == (0, 0, [], [])
    assert (day.reviews.count, day.reviews.oldest, day.review_wait) == (0, None, None)
    assert (day.missing, day.unopened, day.published_rounds) == ([], [], 0)


def test_a_school_of_another_district_never_counts(
    session: Session, make_school: Callable[..., School], make_district: Callable[..., District]
) -> None:
    world = build_board(session)
    make_school(make_district("Elsewhere"), name="Far Away", phone=None, email=None, level=Level.HIGH)
    day = leader_day(session, world.fieldwork.district, TODAY, TEST_NOW)
    assert all("Far Away" not in [name for _, name in kind.schools] for kind in day.missing)
    assert {kind.key: kind.count for kind in day.missing}["phone"] == 1


def test_waiting_reads_in_hours_then_days() -> None:
    assert [
        waiting_words(timedelta(minutes=minutes))
        for minutes in (0, 59, 60, 23 * 60 + 59, 24 * 60, 49 * 60, 30 * 24 * 60)
    ] == ["under an hour", "under an hour", "1 hour", "23 hours", "1 day", "2 days", "30 days"]
