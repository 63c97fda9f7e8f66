"""What approving a contact changes for its school: the engine's figures without and with it, by hand.

The scoring rubric (``tests/audits/scoring_helpers.py``): answered (5 points, critical), named (2,
N/A allowed), courtesy (4), accuracy (6), a text note; 17 points when nothing is N/A.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session

from audits.fieldwork.review_impact import ApprovalEffect, ContactCount, SchoolFigures, approval_effect
from audits.models import Channel, Contact, ContactStatus, Outcome, Round
from tests.audits.scoring_helpers import NA, ScoringWorld, build_world


@pytest.fixture
def world(session: Session) -> ScoringWorld:
    return build_world(session, schools=2)


@pytest.fixture
def spring(session: Session, world: ScoringWorld) -> Round:
    """School A: a phone call scoring 100 and a visit scoring 66.7, approved; school B: a call scoring 0."""
    round_ = world.round("Spring", date(2027, 3, 1))
    school_a, school_b = world.schools
    # 5 + 4 + 6 = 15 of 15 (named N/A): 100.
    world.contact(round_, school_a, Channel.PHONE, {"answered": 1, "named": NA, "courtesy": 1, "accuracy": 1})
    # 5 + 2 + 3 = 10 of 15: 66.67.
    world.contact(
        round_, school_a, Channel.VISIT, {"answered": 1, "named": NA, "courtesy": 0.5, "accuracy": 0.5}
    )
    world.contact(round_, school_b, Channel.PHONE, {"answered": 0, "named": 0, "courtesy": 0, "accuracy": 0})
    session.commit()
    return round_


BEFORE = SchoolFigures(
    overall=(100 + 200 / 3) / 2, channel_score=100.0, channel_contacts=1, channel_reached=1
)


def _status(session: Session, contact: Contact) -> ContactStatus:
    session.expire_all()
    found = session.get(Contact, contact.id)
    assert found is not None
    return found.status


def test_approving_a_critical_failure_lowers_the_school_and_adds_the_failure(
    session: Session, world: ScoringWorld, spring: Round
) -> None:
    # Not answered by a person (critical, 0 of 5), courtesy 2 of 4, accuracy 6 of 6: 8 of 15 = 53.33.
    waiting = world.contact(
        spring, world.schools[0], Channel.PHONE, {"answered": 0, "named": NA, "courtesy": 0.5, "accuracy": 1},
        status=ContactStatus.SUBMITTED,
    )  # fmt: skip
    session.commit()
    effect = approval_effect(session, waiting)
    assert effect.counted == ContactCount(pytest.approx(800 / 15), True)
    assert effect.without == BEFORE
    # Phone: (100 + 53.33) / 2 = 76.67; overall: (76.67 + 66.67) / 2 = 71.67; one critical failure.
    assert effect.including == SchoolFigures(
        overall=pytest.approx(((100 + 800 / 15) / 2 + 200 / 3) / 2),
        channel_score=pytest.approx((100 + 800 / 15) / 2),
        channel_contacts=2,
        channel_reached=2,
        critical_failures=1,
    )
    assert round(effect.including.overall or 0, 1) == 71.7
    assert effect.adds_critical_failure and effect.changes_anything
    assert _status(session, waiting) is ContactStatus.SUBMITTED  # nothing written


def test_approving_an_unreached_contact_scores_it_zero_and_lowers_the_reach(
    session: Session, world: ScoringWorld, spring: Round
) -> None:
    waiting = world.contact(
        spring, world.schools[0], Channel.PHONE, {}, status=ContactStatus.SUBMITTED,
        outcome=Outcome.NO_ANSWER, unreached=True,
    )  # fmt: skip
    session.commit()
    effect = approval_effect(session, waiting)
    assert effect.counted == ContactCount(0.0, False)
    # Phone: (100 + 0) / 2 = 50; overall (50 + 66.67) / 2 = 58.33; 1 of 2 calls reached.
    assert effect.including == SchoolFigures(
        overall=pytest.approx((50 + 200 / 3) / 2), channel_score=50.0, channel_contacts=2, channel_reached=1
    )
    assert not effect.adds_critical_failure


def test_an_earlier_failed_attempt_changes_nothing(
    session: Session, world: ScoringWorld, spring: Round
) -> None:
    waiting = world.contact(
        spring, world.schools[0], Channel.PHONE, {}, status=ContactStatus.SUBMITTED, outcome=Outcome.BUSY
    )
    session.commit()
    effect = approval_effect(session, waiting)
    assert effect == ApprovalEffect(None, without=BEFORE, including=BEFORE)
    assert not effect.changes_anything


def test_the_first_contact_of_a_channel_adds_the_channel(
    session: Session, world: ScoringWorld, spring: Round
) -> None:
    # Email: 5 + 2 + 4 + 0 = 11 of 17: 64.71. Overall: (100 + 66.67 + 64.71) / 3 = 77.12.
    waiting = world.contact(
        spring, world.schools[0], Channel.EMAIL, {"answered": 1, "named": 1, "courtesy": 1, "accuracy": 0},
        status=ContactStatus.REOPENED,
    )  # fmt: skip
    session.commit()
    effect = approval_effect(session, waiting)
    assert effect.counted == ContactCount(pytest.approx(1100 / 17), False)
    assert effect.without == SchoolFigures(overall=BEFORE.overall)
    assert effect.including == SchoolFigures(
        overall=pytest.approx((100 + 200 / 3 + 1100 / 17) / 3),
        channel_score=pytest.approx(1100 / 17),
        channel_contacts=1,
        channel_reached=1,
    )
    assert round(effect.including.overall or 0, 1) == 77.1


def test_for_an_approved_contact_what_approving_it_changed(
    session: Session, world: ScoringWorld, spring: Round
) -> None:
    # School B's only contact: without it the school has no score at all.
    approved = session.query(Contact).filter(Contact.earned_points == 0, Contact.possible_points == 17).one()
    effect = approval_effect(session, approved)
    assert effect.counted == ContactCount(0.0, True)
    assert effect.without == SchoolFigures()
    assert effect.including == SchoolFigures(
        overall=0.0, channel_score=0.0, channel_contacts=1, channel_reached=1, critical_failures=1
    )
    assert _status(session, approved) is ContactStatus.APPROVED


def test_the_session_stays_usable_and_unchanged(session: Session, world: ScoringWorld, spring: Round) -> None:
    waiting = world.contact(
        spring, world.schools[0], Channel.PHONE, {"answered": 1, "named": 1, "courtesy": 1, "accuracy": 1},
        status=ContactStatus.SUBMITTED,
    )  # fmt: skip
    session.commit()
    revision = waiting.revision
    approval_effect(session, waiting)
    waiting.draft = {"note": "still editable"}
    session.commit()
    session.expire_all()
    again = session.get(Contact, waiting.id)
    assert again is not None
    assert (again.status, again.revision, again.draft) == (
        ContactStatus.SUBMITTED,
        revision,
        {"note": "still editable"},
    )
