"""Invitation and password-reset links: issued once, good once, until they expire or are revoked."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from audits.account_links import (
    DEACTIVATED,
    EXPIRED,
    REVOKED,
    UNKNOWN,
    USED,
    check_link,
    hash_link_token,
    issue_link,
    redeem,
)
from audits.accounts import NewUser, deactivate
from audits.errors import ConflictError, NotAllowedError, NotFoundError, ValidationError
from audits.invitations import invite, resend, withdraw
from audits.models import AccountLink, District, LinkPurpose, Role, School, SignIn, User
from audits.passwords import verify_password
from audits.sign_ins import start_sign_in

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CHOSEN = "quiet harbour lantern 42"
RESET = LinkPurpose.PASSWORD_RESET
INVITATION = LinkPurpose.INVITATION


def _invitee(session: Session, district: District, **fields: object) -> tuple[User, str]:
    new = NewUser(
        "New.Reviewer@Example.org", Role.REVIEWER, None, name="Nia Reviewer", district_id=district.id
    )
    user, _, plaintext = invite(session, None, new, now=NOW)
    session.commit()
    return user, plaintext


def test_an_invitation_creates_an_inactive_account_that_no_password_opens(
    session: Session, make_district: Callable[..., District]
) -> None:
    user, plaintext = _invitee(session, make_district())
    assert not user.active and user.invitation_pending
    assert not verify_password(user.password_hash, "")
    link = session.scalars(select(AccountLink)).one()
    assert link.token_hash == hash_link_token(plaintext) and plaintext not in link.token_hash
    assert link.expires_at == NOW + timedelta(days=7)


def test_redeeming_an_invitation_sets_the_password_and_switches_the_account_on(
    session: Session, make_district: Callable[..., District]
) -> None:
    user, plaintext = _invitee(session, make_district())
    assert redeem(session, plaintext, INVITATION, CHOSEN, NOW + timedelta(days=6)) is user
    assert user.active and not user.invitation_pending
    assert verify_password(user.password_hash, CHOSEN)
    with pytest.raises(ConflictError) as caught:
        redeem(session, plaintext, INVITATION, "another quiet lantern 77", NOW + timedelta(days=6))
    assert caught.value.reason == USED
    assert verify_password(user.password_hash, CHOSEN)


def test_a_link_refuses_once_expired_and_for_the_other_purpose_and_unknown_tokens(
    session: Session, make_district: Callable[..., District]
) -> None:
    user, plaintext = _invitee(session, make_district())
    with pytest.raises(ConflictError) as caught:
        redeem(session, plaintext, INVITATION, CHOSEN, NOW + timedelta(days=7))
    assert caught.value.reason == EXPIRED
    for token, purpose in ((plaintext, RESET), ("x" * 43, INVITATION), ("", INVITATION), ("y" * 500, RESET)):
        with pytest.raises(NotFoundError) as unknown:
            redeem(session, token, purpose, CHOSEN, NOW)
        assert unknown.value.reason == UNKNOWN
    assert not user.active and user.invitation_pending


def test_a_weak_password_is_refused_next_to_the_field_and_the_link_stays_good(
    session: Session, make_district: Callable[..., District]
) -> None:
    user, plaintext = _invitee(session, make_district())
    for weak in ("short", "password1234"):
        with pytest.raises(ValidationError) as caught:
            redeem(session, plaintext, INVITATION, weak, NOW)
        assert caught.value.field == "password"
    assert check_link(session, plaintext, INVITATION, NOW).used_at is None
    assert not user.active


def test_a_new_link_revokes_the_earlier_one_of_the_same_purpose(
    session: Session, make_user: Callable[..., User], make_district: Callable[..., District]
) -> None:
    user = make_user(Role.REVIEWER, make_district())
    _, first = issue_link(session, user, RESET, now=NOW)
    _, second = issue_link(session, user, RESET, now=NOW + timedelta(minutes=5))
    with pytest.raises(ConflictError) as caught:
        check_link(session, first, RESET, NOW + timedelta(minutes=6))
    assert caught.value.reason == REVOKED
    link = check_link(session, second, RESET, NOW + timedelta(minutes=6))
    assert link.expires_at == NOW + timedelta(minutes=65)


def test_a_reset_ends_every_sign_in_and_spends_the_link(
    session: Session, make_user: Callable[..., User], make_district: Callable[..., District]
) -> None:
    user = make_user(Role.REVIEWER, make_district())
    start_sign_in(session, user)
    _, plaintext = issue_link(session, user, RESET, now=NOW)
    redeem(session, plaintext, RESET, CHOSEN, NOW + timedelta(minutes=30))
    assert verify_password(user.password_hash, CHOSEN)
    assert all(
        s.ended_at is not None for s in session.scalars(select(SignIn).where(SignIn.user_id == user.id))
    )
    with pytest.raises(ConflictError):
        redeem(session, plaintext, RESET, "another quiet lantern 77", NOW + timedelta(minutes=31))


def test_a_deactivated_person_gets_no_reset_and_their_links_stop(
    session: Session, make_user: Callable[..., User], make_district: Callable[..., District]
) -> None:
    user = make_user(Role.REVIEWER, make_district())
    _, plaintext = issue_link(session, user, RESET, now=NOW)
    deactivate(session, user, NOW + timedelta(minutes=1))
    with pytest.raises(ConflictError) as caught:
        redeem(session, plaintext, RESET, CHOSEN, NOW + timedelta(minutes=2))
    assert caught.value.reason == REVOKED
    with pytest.raises(ConflictError) as refused:
        issue_link(session, user, RESET, now=NOW)
    assert refused.value.reason == DEACTIVATED


def test_a_reset_link_of_a_person_switched_off_later_refuses(
    session: Session, make_user: Callable[..., User], make_district: Callable[..., District]
) -> None:
    user = make_user(Role.REVIEWER, make_district())
    _, plaintext = issue_link(session, user, RESET, now=NOW)
    user.active = False  # switched off some other way than ``deactivate``
    with pytest.raises(ConflictError) as caught:
        check_link(session, plaintext, RESET, NOW)
    assert caught.value.reason == DEACTIVATED


def test_a_withdrawn_invitation_refuses_and_a_resent_one_works(
    session: Session, make_district: Callable[..., District]
) -> None:
    user, plaintext = _invitee(session, make_district())
    assert withdraw(session, None, user, NOW) == 1
    with pytest.raises(ConflictError):
        redeem(session, plaintext, INVITATION, CHOSEN, NOW)
    _, fresh = resend(session, None, user, NOW)
    redeem(session, fresh, INVITATION, CHOSEN, NOW)
    assert user.active
    with pytest.raises(ConflictError):
        resend(session, None, user, NOW)  # nothing waits any more


def test_leaders_invite_only_reviewers_auditors_and_principals_of_their_district(
    session: Session,
    make_user: Callable[..., User],
    make_district: Callable[..., District],
    make_school: Callable[..., School],
) -> None:
    district, other = make_district(), make_district()
    leader = make_user(Role.LEADER, district)
    school = make_school(district)
    for role in (Role.ADMIN, Role.LEADER):
        with pytest.raises(NotAllowedError):
            invite(session, leader, NewUser(f"{role}@example.org", role, None, district_id=district.id), NOW)
    with pytest.raises(NotAllowedError):
        invite(session, leader, NewUser("away@example.org", Role.REVIEWER, None, district_id=other.id), NOW)
    principal, _, _ = invite(
        session,
        leader,
        NewUser("pal@example.org", Role.PRINCIPAL, None, district_id=district.id, school_ids=[school.id]),
        NOW,
    )
    assert principal.schools == [school] and principal.invitation_pending
    reviewer = make_user(Role.REVIEWER, other)
    with pytest.raises(NotAllowedError):
        resend(session, leader, reviewer, NOW)
