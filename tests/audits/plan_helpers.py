"""A closed round of four schools whose scorecards are ready to publish: enough for action plans.

School A does well (no plan), B scores below the alert threshold, C does well overall but one
email failed a critical item, D is in the round with no counted contact. Each of A, B and C has a
principal; the district has a leader. The scorecards are rows without PDFs: publishing reads
nothing else.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from audits.models import Channel, ContactStatus, Role, Round, School, Scorecard, User
from tests.audits.scoring_helpers import ScoringWorld, build_world
from tests.conftest import PASSWORD_HASH
from tests.reports.scorecard_helpers import GOOD, POOR, at, tipped_rubric

PHONE, EMAIL = Channel.PHONE, Channel.EMAIL
CRITICAL_EMAIL = {**GOOD, "answered": 0.0}


@dataclass
class PlanWorld:
    """The district, its round ready to publish, a leader and the schools' principals."""

    scoring: ScoringWorld
    round: Round
    leader: User
    principals: dict[str, User]  # by school letter: A, B, C

    @property
    def good(self) -> School:
        """School A: every contact at full marks."""
        return self.scoring.schools[0]

    @property
    def low(self) -> School:
        """School B: an overall below the alert threshold."""
        return self.scoring.schools[1]

    @property
    def critical(self) -> School:
        """School C: a good overall, but an email that failed a critical item."""
        return self.scoring.schools[2]

    @property
    def silent(self) -> School:
        """School D: in the round, no counted contact."""
        return self.scoring.schools[3]


def _user(session: Session, role: Role, email: str, name: str, **fields: object) -> User:
    user = User(email=email, role=role, name=name, password_hash=PASSWORD_HASH, **fields)
    session.add(user)
    return user


def fake_scorecard(session: Session, round_: Round, school: School) -> Scorecard:
    """A built scorecard row for ``school`` (no PDF behind it)."""
    card = Scorecard(
        token=secrets.token_urlsafe(24),
        round_id=round_.id,
        school_id=school.id,
        inputs_hash="0" * 64,
        content_hash=secrets.token_hex(32),
        path=f"scorecards/{secrets.token_hex(8)}.pdf",
        size=1,
    )
    session.add(card)
    return card


def build_plan_world(session: Session) -> PlanWorld:
    """Build and commit the world (see the module's docstring)."""
    scoring = build_world(session, schools=4)
    for channel in (PHONE, EMAIL):
        scoring.rubrics[channel] = tipped_rubric(session, channel)
    round_ = scoring.round("Fall 2026 round", date(2026, 10, 5))
    a, b, c, d = scoring.schools
    day = at(date(2026, 10, 5))
    scoring.contact(round_, a, PHONE, GOOD, started_at=day)
    scoring.contact(round_, a, EMAIL, GOOD, started_at=day)
    scoring.contact(round_, b, PHONE, POOR, started_at=day)
    scoring.contact(round_, b, EMAIL, POOR, started_at=day)
    scoring.contact(round_, c, PHONE, GOOD, started_at=day)
    scoring.contact(round_, c, EMAIL, CRITICAL_EMAIL, started_at=day)
    scoring.contact(round_, d, PHONE, GOOD, started_at=day, status=ContactStatus.SUBMITTED)  # not counted
    district = scoring.district
    leader = _user(session, Role.LEADER, "lead@example.org", "Lee Leader", district=district)
    principals = {
        letter: _user(
            session,
            Role.PRINCIPAL,
            f"principal.{letter.lower()}@example.org",
            f"Principal {letter}",
            district=district,
            schools=[school],
        )
        for letter, school in zip("ABC", (a, b, c), strict=False)
    }
    for school in (a, b, c, d):
        fake_scorecard(session, round_, school)
    session.commit()
    return PlanWorld(scoring, round_, leader, principals)
