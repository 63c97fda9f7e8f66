"""The demo shows every state of the work on any date: term time, breaks, summer, weekends."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from audits.demo import DAYS_AFTER, DAYS_BEFORE, load_demo, school_principal_email, school_slug
from audits.demo_calendar import school_year_closures, season_name
from audits.double_scoring.agreement import round_agreement
from audits.double_scoring.flags import critical_differences
from audits.fieldwork.status import assignment_states
from audits.models import Channel, Contact, ContactStatus, DoubleScoring, Response, RoundStatus, School
from audits.planning.slots import school_days
from audits.scorecards import school_principals

# Thanksgiving Friday, Christmas Eve, the Fourth of July, a Saturday, spring break, a leap day in term.
DATES = [
    date(2026, 11, 27),
    date(2026, 12, 24),
    date(2027, 7, 4),
    date(2027, 2, 6),
    date(2027, 3, 17),
    date(2028, 2, 29),
]


@pytest.mark.parametrize("today", DATES, ids=str)
def test_the_demo_shows_every_state_whatever_the_date(session: Session, tmp_path: Path, today: date) -> None:
    result = load_demo(session, today=today, evidence_dir=tmp_path)
    session.flush()
    round_, earlier = result.round, result.earlier
    assert earlier is not None and round_.status is RoundStatus.IN_FIELD
    assert round_.first_day < today < round_.last_day
    assert round_.name == f"{season_name(round_.first_day)} front-office round"
    # The window counts school days, so the plan (and each assignment's state) is the same on any date.
    closed = [closure.day for closure in result.district.closures]
    assert len(school_days(round_.first_day, today - timedelta(days=1), closed)) == DAYS_BEFORE
    assert len(school_days(today + timedelta(days=1), round_.last_day, closed)) == DAYS_AFTER
    assert round_.first_day in school_days(round_.first_day, round_.first_day, closed)

    states = assignment_states(session, round_.assignments)
    past = [a for a in round_.assignments if a.due_day < today]
    assert len(past) >= 7 and all(a.due_day >= round_.first_day for a in past)
    keys = Counter(states[a.id].key for a in past)
    for key in ("approved", "submitted", "returned", "draft", "unreached"):
        assert keys[key] >= 1, (key, keys)
    assert {states[a.id].key for a in round_.assignments if a.due_day >= today} == {"not_started"}
    returned = next(states[a.id] for a in past if states[a.id].key == "returned")
    assert returned.comment, "a returned contact carries the reviewer's note"
    approved_channels = {a.channel for a in past if states[a.id].key == "approved"}
    assert approved_channels == {Channel.PHONE, Channel.EMAIL, Channel.VISIT}

    contacts = list(session.scalars(select(Contact)))
    assert any(c.critical_failure and c.status is ContactStatus.APPROVED for c in contacts)
    assert session.scalar(select(func.count()).select_from(Response).where(Response.na.is_(True)))

    # Blind double-scoring: the earlier round scored email threads twice; the round in the field its
    # first with a critical difference for its reviewer, leaving its latest (of two or more) for its
    # second auditor.
    scored_twice = round_agreement(session, earlier)
    assert scored_twice.scored == scored_twice.chosen >= 4 and scored_twice.line()
    first = session.scalars(
        select(DoubleScoring).where(DoubleScoring.round_id == round_.id).order_by(DoubleScoring.chosen_at)
    ).first()
    assert first is not None and critical_differences(session, first.contact)
    in_field = round_agreement(session, round_)
    assert in_field.scored >= 1 and in_field.chosen - in_field.scored == (in_field.chosen > 1)

    # The earlier round is closed, every contact approved, with one call never answered.
    assert earlier.status is RoundStatus.CLOSED and earlier.last_day < round_.first_day
    earlier_states = Counter(s.key for s in assignment_states(session, earlier.assignments).values())
    assert set(earlier_states) == {"approved", "unreached"}
    assert earlier_states["unreached"] == 1

    # Every school of both rounds has exactly one principal, named, with an example.org address.
    school_ids = {a.school_id for r in (round_, earlier) for a in r.assignments}
    principals = school_principals(session, school_ids)
    assert len(school_ids) == 12 and all(len(users) == 1 for users in principals.values())
    emails = [users[0].email for users in principals.values()]
    assert len(set(emails)) == 12 and all(email.endswith("@example.org") for email in emails)
    assert "principal@example.org" in emails and len({user.name for user in result.principals}) == 11


def test_school_principal_emails_name_the_school_and_stay_unique() -> None:
    park = School(name="ABESS PARK ELEMENTARY SCHOOL", nces_id="120048003173")
    assert school_slug(park.name) == "abess-park-elementary"
    assert school_slug("ANDREW A. ROBINSON ELEMENTARY SCHOOL") == "andrew-a-robinson-elementary"
    first = school_principal_email(park, set())
    assert first == "principal.abess-park-elementary@example.org"
    assert school_principal_email(park, {first}) == "principal.abess-park-elementary-120048003173@example.org"


def test_each_school_year_gets_its_breaks_by_rule() -> None:
    closures = dict(school_year_closures(2027))
    assert closures[date(2027, 9, 6)] == "Labor Day"
    assert closures[date(2027, 11, 25)] == "Thanksgiving break"  # the fourth Thursday
    assert closures[date(2027, 12, 20)] == closures[date(2027, 12, 31)] == "Winter break"
    assert closures[date(2028, 1, 17)] == "Martin Luther King Jr. Day"
    assert closures[date(2028, 2, 21)] == "Presidents' Day"
    assert closures[date(2028, 5, 29)] == "Memorial Day"
    assert all(day.weekday() < 5 for day in closures)
