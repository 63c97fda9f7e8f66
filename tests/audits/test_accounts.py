"""Creating accounts and signing in, without a web client."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from audits.accounts import LockoutPolicy, NewUser, authenticate, create_user, set_password
from audits.errors import ValidationError
from audits.models import District, Role, School, User
from audits.passwords import verify_password
from audits.timeutil import utcnow


def test_create_user_hashes_the_password_and_normalises_the_email(
    session: Session, make_district: Callable[..., District]
) -> None:
    district = make_district()
    user = create_user(
        session, NewUser("Reviewer@Example.ORG", Role.REVIEWER, "long-enough-pw", district_id=district.id)
    )
    assert user.email == "reviewer@example.org"
    assert user.password_hash.startswith("$argon2id$")
    assert "long-enough-pw" not in user.password_hash
    assert verify_password(user.password_hash, "long-enough-pw")


def test_create_user_reports_every_problem_at_once(
    session: Session, make_district: Callable[..., District], make_school: Callable[..., School]
) -> None:
    with pytest.raises(ValidationError) as caught:
        create_user(session, NewUser("not-an-email", Role.PRINCIPAL, "short"))
    fields = [field for field, _ in caught.value.problems]
    assert fields == ["email", "password", "district", "school"]


def test_create_user_refuses_a_duplicate_email(session: Session, make_user: Callable[..., User]) -> None:
    make_user(Role.ADMIN, email="admin@example.org")
    with pytest.raises(ValidationError) as caught:
        create_user(session, NewUser("ADMIN@example.org", Role.ADMIN, "long-enough-pw"))
    assert caught.value.problems == [("email", "a user with the email admin@example.org already exists")]


def test_principal_school_must_be_in_their_district(
    session: Session, make_district: Callable[..., District], make_school: Callable[..., School]
) -> None:
    home, away = make_district(), make_district()
    school = make_school(away)
    with pytest.raises(ValidationError) as caught:
        create_user(
            session,
            NewUser(
                "p@example.org", Role.PRINCIPAL, "long-enough-pw", district_id=home.id, school_ids=[school.id]
            ),
        )
    assert caught.value.problems == [("school", "a principal's schools must be in their district")]


def test_lockout_uses_the_policy_and_the_clock(session: Session, make_user: Callable[..., User]) -> None:
    user = make_user(Role.ADMIN, email="a@example.org")
    policy = LockoutPolicy(max_failures=3, minutes=10)
    start = utcnow()
    for attempt in range(3):
        with pytest.raises(ValidationError):
            authenticate(session, "a@example.org", "wrong", policy, now=start + timedelta(seconds=attempt))
    assert user.locked_until == start + timedelta(seconds=2, minutes=10)
    with pytest.raises(ValidationError) as caught:
        authenticate(
            session, "a@example.org", "correct-horse-battery", policy, now=start + timedelta(minutes=5)
        )
    assert "locked" in caught.value.reason
    later = start + timedelta(minutes=11)
    assert authenticate(session, "a@example.org", "correct-horse-battery", policy, now=later) is user
    assert user.last_login_at == later


def test_set_password_enforces_length_and_unlocks(session: Session, make_user: Callable[..., User]) -> None:
    user = make_user(Role.ADMIN, locked_until=utcnow() + timedelta(minutes=5))
    with pytest.raises(ValidationError):
        set_password(user, "short")
    set_password(user, "a-new-long-password")
    assert user.locked_until is None
    assert verify_password(user.password_hash, "a-new-long-password")
