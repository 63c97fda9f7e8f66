"""Creating accounts, signing in (throttled), passwords and sign-ins that end, without a web client."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from audits.accounts import BAD_CREDENTIALS, NewUser, authenticate, change_password, create_user, deactivate
from audits.errors import ValidationError
from audits.models import District, LoginFailure, Role, School, User
from audits.passwords import password_problem, verify_password
from audits.sign_ins import SessionPolicy, live_sign_in, start_sign_in
from audits.throttle import SignInThrottle


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


def test_failed_sign_ins_slow_down_the_account_from_that_address_only(
    session: Session, make_user: Callable[..., User]
) -> None:
    user = make_user(Role.ADMIN, email="a@example.org")
    throttle = SignInThrottle()
    for _ in range(5):
        with pytest.raises(ValidationError) as caught:
            authenticate(session, "a@example.org", "wrong-password", throttle, "10.0.0.1")
        assert caught.value.problems == [("password", BAD_CREDENTIALS)]
    with pytest.raises(ValidationError) as caught:
        authenticate(session, "A@example.org ", "correct-horse-battery", throttle, "10.0.0.1")
    wait = r"Too many sign-in attempts\. Wait \d+ (seconds?|minutes?) and try again\."
    assert re.fullmatch(wait, caught.value.reason)
    # Someone failing on purpose from elsewhere does not keep the person out.
    assert authenticate(session, "a@example.org", "correct-horse-battery", throttle, "10.0.0.2") is user
    assert session.scalar(select(func.count()).select_from(LoginFailure)) == 5  # kept for the record


def test_an_unknown_email_is_answered_and_slowed_down_like_a_known_one(
    session: Session, make_user: Callable[..., User]
) -> None:
    make_user(Role.ADMIN, email="known@example.org")
    throttle = SignInThrottle()
    answers = []
    for email in ("known@example.org", "nobody@example.org"):
        for _ in range(6):
            with pytest.raises(ValidationError) as caught:
                authenticate(session, email, "wrong-password", throttle, "10.0.0.9")
            answers.append(re.sub(r"\d+", "N", caught.value.reason))
    assert answers[:6] == answers[6:]
    assert answers[0] == BAD_CREDENTIALS and answers[5].startswith("Too many sign-in attempts")


def test_a_success_forgets_the_failures_from_that_address(
    session: Session, make_user: Callable[..., User]
) -> None:
    user = make_user(Role.ADMIN, email="a@example.org")
    throttle = SignInThrottle()
    for _ in range(4):
        with pytest.raises(ValidationError):
            authenticate(session, "a@example.org", "wrong-password", throttle, "10.0.0.1")
    assert authenticate(session, "a@example.org", "correct-horse-battery", throttle, "10.0.0.1") is user
    assert throttle.wait_seconds("a@example.org", "10.0.0.1") == 0
    for _ in range(4):
        with pytest.raises(ValidationError):
            authenticate(session, "a@example.org", "wrong-password", throttle, "10.0.0.1")
    assert throttle.wait_seconds("a@example.org", "10.0.0.1") == 0  # four again, not eight


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short-pass", "must be at least 12 characters"),
        ("passwordpassword", "is too easy to guess"),
        ("123456789012", "is too easy to guess"),
        ("qwertyuiopas", "is too easy to guess"),
        ("x" * 201, "keep it under 200 characters"),
    ],
)
def test_short_and_common_passwords_are_refused(password: str, problem: str) -> None:
    assert (password_problem(password) or "").startswith(problem)


def test_a_long_uncommon_password_is_accepted() -> None:
    assert password_problem("correct-horse-battery") is None
    assert password_problem("a bright yellow kayak") is None


def test_changing_a_password_needs_the_current_one_and_signs_out_everywhere(
    session: Session, make_user: Callable[..., User]
) -> None:
    user = make_user(Role.ADMIN)
    first, second = start_sign_in(session, user), start_sign_in(session, user)
    policy = SessionPolicy()
    with pytest.raises(ValidationError) as caught:
        change_password(session, user, "not-my-password", "a-new-long-password")
    assert caught.value.field == "current_password"
    with pytest.raises(ValidationError) as caught:
        change_password(session, user, "correct-horse-battery", "qwertyuiopas")
    assert caught.value.field == "password"
    assert live_sign_in(session, first, user.id, policy) is not None
    change_password(session, user, "correct-horse-battery", "a-new-long-password")
    assert verify_password(user.password_hash, "a-new-long-password")
    assert live_sign_in(session, first, user.id, policy) is None
    assert live_sign_in(session, second, user.id, policy) is None


def test_deactivating_an_account_ends_its_sign_ins(session: Session, make_user: Callable[..., User]) -> None:
    user = make_user(Role.ADMIN)
    secret = start_sign_in(session, user)
    deactivate(session, user)
    assert not user.active
    assert live_sign_in(session, secret, user.id, SessionPolicy()) is None
    with pytest.raises(ValidationError):
        authenticate(session, user.email, "correct-horse-battery", SignInThrottle())


def test_sign_ins_end_when_idle_or_too_old(session: Session, make_user: Callable[..., User]) -> None:
    user = make_user(Role.ADMIN)
    start = datetime(2027, 2, 1, 9, tzinfo=UTC)
    policy = SessionPolicy(idle=timedelta(hours=2), longest=timedelta(hours=12))
    idle = start_sign_in(session, user, now=start)
    assert live_sign_in(session, idle, user.id, policy, now=start + timedelta(minutes=119)) is not None
    assert (
        live_sign_in(session, idle, user.id, policy, now=start + timedelta(hours=3, minutes=58)) is not None
    )
    assert live_sign_in(session, idle, user.id, policy, now=start + timedelta(hours=6)) is None
    busy = start_sign_in(session, user, now=start)
    for hour in range(1, 12):
        assert live_sign_in(session, busy, user.id, policy, now=start + timedelta(hours=hour)) is not None
    assert live_sign_in(session, busy, user.id, policy, now=start + timedelta(hours=12, minutes=1)) is None
    assert live_sign_in(session, busy, user.id + 1, policy, now=start) is None  # another user's cookie
