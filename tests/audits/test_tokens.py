"""Personal access tokens: only a hash is kept, revoked tokens and inactive users stop working."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from audits.errors import ConflictError, ValidationError
from audits.models import District, Role, User
from audits.timeutil import utcnow
from audits.tokens import authenticate_token, create_token, find_token, list_tokens, revoke_token


@pytest.fixture
def leader(make_user: Callable[..., User], make_district: Callable[..., District]) -> User:
    return make_user(Role.LEADER, make_district())


def test_a_new_token_is_shown_once_and_stored_as_a_hash(session: Session, leader: User) -> None:
    token, plaintext = create_token(session, leader, "  Reporting  ")
    session.commit()
    assert plaintext.startswith("tp_") and len(plaintext) == 46
    assert token.token_hash == hashlib.sha256(plaintext.encode()).hexdigest()
    assert plaintext not in token.token_hash
    assert token.prefix == plaintext[:10]
    assert (token.name, token.user_id, token.revoked_at, token.last_used_at) == (
        "Reporting",
        leader.id,
        None,
        None,
    )
    second, other = create_token(session, leader, "")
    assert other != plaintext and second.token_hash != token.token_hash


def test_authenticate_gives_the_user_and_notes_the_last_use(session: Session, leader: User) -> None:
    token, plaintext = create_token(session, leader, "ci")
    session.commit()
    now = utcnow()
    assert authenticate_token(session, plaintext, now=now).user is leader  # type: ignore[union-attr]
    assert token.last_used_at == now
    # Within a minute the stamp is left alone, so reads do not write every time.
    assert authenticate_token(session, plaintext, now=now + timedelta(seconds=30)).user is leader  # type: ignore[union-attr]
    assert token.last_used_at == now
    later = now + timedelta(minutes=5)
    authenticate_token(session, plaintext, now=later)
    assert token.last_used_at == later


@pytest.mark.parametrize("guess", ["", "tp_", "tp_wrong", "Bearer tp_x", "x" * 50, "tp_" + "a" * 500])
def test_wrong_tokens_authenticate_nobody(session: Session, leader: User, guess: str) -> None:
    create_token(session, leader, "ci")
    session.commit()
    assert authenticate_token(session, guess) is None


def test_a_revoked_token_or_a_deactivated_user_stops_working(
    session: Session, leader: User, make_user: Callable[..., User]
) -> None:
    token, plaintext = create_token(session, leader, "old")
    revoke_token(token, leader)
    session.commit()
    assert token.revoked_at is not None and not token.active
    assert authenticate_token(session, plaintext) is None
    first = token.revoked_at
    revoke_token(token, leader)  # revoking again changes nothing
    assert token.revoked_at == first

    auditor = make_user(Role.AUDITOR, leader.district)
    _, auditor_plaintext = create_token(session, auditor, "phone")
    auditor.active = False
    session.commit()
    assert authenticate_token(session, auditor_plaintext) is None


def test_only_the_owner_revokes_or_finds_a_token(
    session: Session, leader: User, make_user: Callable[..., User]
) -> None:
    token, _ = create_token(session, leader, "mine")
    other = make_user(Role.LEADER, leader.district)
    session.commit()
    with pytest.raises(ValidationError) as caught:
        revoke_token(token, other)
    assert caught.value.field == "token"
    assert find_token(session, other, token.id) is None
    assert find_token(session, leader, token.id) is token
    assert find_token(session, leader, token.id + 1000) is None


def test_tokens_are_listed_newest_first_with_revoked_ones(session: Session, leader: User) -> None:
    now = utcnow()
    old, _ = create_token(session, leader, "old", now=now - timedelta(days=2))
    new, _ = create_token(session, leader, "new", now=now)
    revoke_token(old, leader)
    session.commit()
    assert list_tokens(session, leader) == [new, old]


def test_names_are_checked_and_deactivated_accounts_get_no_tokens(session: Session, leader: User) -> None:
    with pytest.raises(ValidationError) as caught:
        create_token(session, leader, "x" * 101)
    assert caught.value.field == "name"
    leader.active = False
    with pytest.raises(ConflictError) as caught:
        create_token(session, leader, "ci")
    assert caught.value.field == "user"
