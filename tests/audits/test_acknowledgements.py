"""A principal acknowledges a published scorecard: the day's rules, who may, once, what the leader reads."""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from audits.acknowledgements import AcknowledgementEntry, acknowledge, acknowledgements, published_day
from audits.errors import ConflictError, NotAllowedError, ValidationError
from audits.models import Role, Round, School, Scorecard, ScorecardAcknowledgement, User
from audits.scorecards import scorecard_rows
from tests.audits.scoring_helpers import build_world

# Published at 03:00 UTC on Nov 3: still Nov 2 in New York, the district's day of the publication.
PUBLISHED_AT = datetime(2026, 11, 3, 3, tzinfo=UTC)
PUBLISHED_DAY = date(2026, 11, 2)
TODAY = date(2026, 11, 20)
NO_DAY = "enter the day you discussed the scorecard with your staff"
FUTURE = "the day cannot be in the future: today is Nov 20, 2026"


def stored_card(session: Session, round_: Round, school: School, published_at: datetime | None) -> Scorecard:
    """A scorecard row as a build stores it (the PDF itself plays no part in acknowledging)."""
    card = Scorecard(
        token=secrets.token_urlsafe(24), round_id=round_.id, school_id=school.id, inputs_hash="0" * 64,
        content_hash="0" * 64, path="x.pdf", size=1, published_at=published_at,
    )  # fmt: skip
    session.add(card)
    session.flush()
    return card


@pytest.fixture
def card_and_people(session: Session) -> tuple[Scorecard, User, User, User]:
    """A published scorecard of School A, its principal, the principal of School B, and a leader."""
    world = build_world(session, schools=2)
    round_ = world.round("Fall 2026 round", date(2026, 10, 5))
    a, b = world.schools
    card = stored_card(session, round_, a, PUBLISHED_AT)

    def person(role: Role, email: str, schools: list[School]) -> User:
        user = User(email=email, role=role, name=email.split("@")[0].title(), district_id=world.district.id,
                    password_hash="x", schools=schools)  # fmt: skip
        session.add(user)
        return user

    principal = person(Role.PRINCIPAL, "pat@example.org", [a])
    other = person(Role.PRINCIPAL, "bea@example.org", [b])
    leader = person(Role.LEADER, "lee@example.org", [])
    session.flush()
    return card, principal, other, leader


def test_the_publication_day_is_the_districts(card_and_people: tuple[Scorecard, User, User, User]) -> None:
    card = card_and_people[0]
    assert published_day(card) == PUBLISHED_DAY


def test_a_principal_acknowledges_once_with_the_day_and_a_note(
    session: Session, card_and_people: tuple[Scorecard, User, User, User]
) -> None:
    card, principal, _, _ = card_and_people
    entry = AcknowledgementEntry(PUBLISHED_DAY, "  Went through it with Ms. Reyes and the office team.  ")
    done = acknowledge(session, card, principal, entry, TODAY)
    assert (done.scorecard_id, done.user_id, done.discussed_on) == (card.id, principal.id, PUBLISHED_DAY)
    assert done.note == "Went through it with Ms. Reyes and the office team."
    assert acknowledgements(session, [card.id])[card.id] == [done]
    with pytest.raises(ConflictError, match=r"already recorded .* on Nov 2, 2026"):
        acknowledge(session, card, principal, AcknowledgementEntry(TODAY), TODAY)
    assert len(session.scalars(select(ScorecardAcknowledgement)).all()) == 1
    # The leader's scorecards page reads it beside the principal's opening.
    row = next(row for row in scorecard_rows(session, card.round) if row.scorecard is card)
    assert [opening.acknowledgement for opening in row.principals] == [done]
    assert row.acknowledged == [principal]


@pytest.mark.parametrize(
    ("entry", "problems"),
    [
        (AcknowledgementEntry(None), [("discussed_on", NO_DAY)]),
        (AcknowledgementEntry(date(2026, 11, 21)), [("discussed_on", FUTURE)]),
        (
            AcknowledgementEntry(date(2026, 11, 1)),
            [("discussed_on", "the day cannot be before the scorecard was published, on Nov 2, 2026")],
        ),
        (
            AcknowledgementEntry(date(2027, 1, 1), "x" * 1001),
            [
                ("discussed_on", FUTURE),
                ("note", "keep the note within 1000 characters (it has 1001)"),
            ],
        ),
    ],
    ids=["no day", "tomorrow", "before publication", "every problem at once"],
)  # fmt: skip
def test_a_day_outside_publication_to_today_is_refused(
    session: Session,
    card_and_people: tuple[Scorecard, User, User, User],
    entry: AcknowledgementEntry,
    problems: list[tuple[str, str]],
) -> None:
    card, principal, _, _ = card_and_people
    with pytest.raises(ValidationError) as refused:
        acknowledge(session, card, principal, entry, TODAY)
    assert refused.value.problems == problems
    assert session.scalars(select(ScorecardAcknowledgement)).all() == []


def test_only_the_schools_principal_acknowledges_a_published_scorecard(
    session: Session, card_and_people: tuple[Scorecard, User, User, User]
) -> None:
    card, principal, other, leader = card_and_people
    for person in (other, leader):
        with pytest.raises(NotAllowedError):
            acknowledge(session, card, person, AcknowledgementEntry(TODAY), TODAY)
    card.published_at = None
    with pytest.raises(ConflictError, match="not published"):
        acknowledge(session, card, principal, AcknowledgementEntry(TODAY), TODAY)
    assert session.scalars(select(ScorecardAcknowledgement)).all() == []
