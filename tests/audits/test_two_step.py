"""The rules of two-step sign-in, at chosen moments (``now=``): the window, replays, recovery
codes, renewing, turning off, what is required of whom, and resets."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from audits import audit_log, two_step
from audits.errors import ConflictError, NotAllowedError, ValidationError
from audits.models import AuditEntry, District, RecoveryCode, Role, TwoStepKey, User
from tests.conftest import PASSWORD

NOON = datetime(2027, 3, 1, 12, 0, 0, tzinfo=UTC)  # a step boundary: 12:00:00 starts a 30-second step


def code_at(key: TwoStepKey, moment: datetime) -> str:
    return pyotp.TOTP(key.secret).at(moment)


@pytest.fixture
def district(make_district: Callable[..., District]) -> District:
    return make_district("Duval")


@pytest.fixture
def person(make_user: Callable[..., User], district: District) -> User:
    return make_user(Role.REVIEWER, district, name="Rita Reviewer")


def turned_on(session: Session, person: User) -> tuple[TwoStepKey, list[str]]:
    key = two_step.pending_key(session, person, now=NOON)
    codes = two_step.confirm(session, person, code_at(key, NOON), now=NOON)
    return key, codes


def test_a_pending_key_is_kept_until_confirmed_and_shown_grouped(session: Session, person: User) -> None:
    key = two_step.pending_key(session, person, now=NOON)
    assert len(key.secret) == 32 and not key.enabled and not two_step.is_on(session, person)
    assert two_step.pending_key(session, person) is key
    assert two_step.grouped("ABCDEFGHIJ") == "ABCD EFGH IJ"
    uri = two_step.provisioning_uri(key, person)
    assert uri.startswith("otpauth://totp/Touchpoint:") and f"secret={key.secret}" in uri
    with pytest.raises(ValidationError) as refused:
        two_step.confirm(session, person, "12 34 56x", now=NOON)
    assert refused.value.field == "code"
    assert not key.enabled


def test_confirming_turns_it_on_with_ten_hashed_recovery_codes(session: Session, person: User) -> None:
    key, codes = turned_on(session, person)
    assert key.enabled_at == NOON and two_step.is_on(session, person)
    assert len(set(codes)) == 10 and all(len(code) == 19 and code.count("-") == 3 for code in codes)
    hashes = set(session.scalars(select(RecoveryCode.code_hash)))
    assert hashes == {hashlib.sha256(code.replace("-", "").encode()).hexdigest() for code in codes}
    entry = session.scalars(select(AuditEntry)).one()
    assert entry.action == audit_log.USER_TWO_STEP_ON and entry.details == {"two_step": [False, True]}
    with pytest.raises(ConflictError):
        two_step.pending_key(session, person)
    with pytest.raises(ConflictError):
        two_step.confirm(session, person, code_at(key, NOON), now=NOON)


@pytest.mark.parametrize(
    ("offset", "accepted"), [(-60, False), (-30, True), (0, True), (30, True), (60, False)]
)
def test_codes_one_step_either_side_of_now_are_accepted(
    session: Session, person: User, offset: int, accepted: bool
) -> None:
    key, _ = turned_on(session, person)
    later = NOON + timedelta(minutes=10)
    code = code_at(key, later + timedelta(seconds=offset))
    if accepted:
        assert two_step.check_code(session, person, code, now=later) is two_step.Method.APP
    else:
        with pytest.raises(ValidationError, match="this code is not right"):
            two_step.check_code(session, person, code, now=later)


def test_a_code_is_never_accepted_twice_nor_one_older_than_the_last(session: Session, person: User) -> None:
    key, _ = turned_on(session, person)
    with pytest.raises(ValidationError, match="used already"):  # the confirming code itself
        two_step.check_code(session, person, code_at(key, NOON), now=NOON + timedelta(seconds=10))
    later = NOON + timedelta(minutes=5)
    two_step.check_code(session, person, code_at(key, later + timedelta(seconds=30)), now=later)
    with pytest.raises(ValidationError, match="used already"):
        two_step.check_code(session, person, code_at(key, later), now=later)  # the step before the last used
    assert key.last_used_step == pyotp.TOTP(key.secret).timecode(later) + 1


def test_recovery_codes_work_once_however_typed(session: Session, person: User) -> None:
    _, codes = turned_on(session, person)
    assert two_step.check_code(session, person, codes[0].lower(), now=NOON) is two_step.Method.RECOVERY_CODE
    with pytest.raises(ValidationError, match="used already"):
        two_step.check_code(session, person, codes[0], now=NOON)
    assert two_step.check_code(session, person, f" {codes[1].replace('-', ' ')} ", now=NOON)
    with pytest.raises(ValidationError, match="not one of yours"):
        two_step.check_code(session, person, "2345-6789-ABCD-EFGH", now=NOON)
    with pytest.raises(ValidationError, match="6 digits"):
        two_step.check_code(session, person, "1234567", now=NOON)
    assert two_step.status(session, person).recovery_codes_left == 8


def test_someone_elses_recovery_code_does_not_work(
    session: Session, person: User, make_user: Callable[..., User], district: District
) -> None:
    _, codes = turned_on(session, person)
    other = make_user(Role.AUDITOR, district)
    turned_on(session, other)
    with pytest.raises(ValidationError, match="not one of yours"):
        two_step.check_code(session, other, codes[0], now=NOON)


def test_renewing_kills_the_old_codes_and_needs_proof(session: Session, person: User) -> None:
    _, old = turned_on(session, person)
    with pytest.raises(ValidationError) as refused:
        two_step.renew_recovery_codes(session, person, "wrong password", now=NOON)
    assert refused.value.field == "proof"
    new = two_step.renew_recovery_codes(session, person, PASSWORD, now=NOON)
    assert not set(new) & set(old)
    with pytest.raises(ValidationError, match="not one of yours"):
        two_step.check_code(session, person, old[0], now=NOON)
    assert two_step.check_code(session, person, new[0], now=NOON)
    assert audit_log.USER_RECOVERY_CODES_RENEWED in set(session.scalars(select(AuditEntry.action)))


def test_turning_off_needs_the_password_or_a_code(session: Session, person: User) -> None:
    key, _ = turned_on(session, person)
    with pytest.raises(ValidationError, match="neither your password nor a current code"):
        two_step.turn_off(session, person, "123456", now=NOON)
    later = NOON + timedelta(minutes=1)
    two_step.turn_off(session, person, code_at(key, later), now=later)
    assert not two_step.is_on(session, person) and session.scalar(select(RecoveryCode)) is None
    with pytest.raises(ConflictError):
        two_step.turn_off(session, person, PASSWORD)


def test_it_is_required_of_leaders_when_their_district_says_and_then_stays_on(
    session: Session, make_user: Callable[..., User], district: District
) -> None:
    leader = make_user(Role.LEADER, district)
    reviewer = make_user(Role.REVIEWER, district)
    admin = make_user(Role.ADMIN)
    assert not two_step.required(leader)
    district.two_step_required = True
    assert two_step.required(leader) and not two_step.required(reviewer)
    assert not two_step.required(admin) and two_step.required(admin, administrators_without_district=True)
    assert not two_step.required(reviewer, administrators_without_district=True)
    turned_on(session, leader)
    with pytest.raises(NotAllowedError, match="Duval requires two-step sign-in of its district leaders"):
        two_step.turn_off(session, leader, PASSWORD)
    assert two_step.is_on(session, leader)


def test_a_reset_is_for_those_who_manage_the_person_and_is_logged(
    session: Session, person: User, make_user: Callable[..., User], district: District, make_district
) -> None:
    turned_on(session, person)
    stranger = make_user(Role.LEADER, make_district("Elsewhere"))
    with pytest.raises(NotAllowedError):
        two_step.reset(session, stranger, person)
    with pytest.raises(NotAllowedError):
        two_step.reset(session, person, person)
    leader = make_user(Role.LEADER, district)
    two_step.reset(session, leader, person)
    assert session.scalar(select(TwoStepKey)) is None and session.scalar(select(RecoveryCode)) is None
    entry = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert entry is not None and entry.action == audit_log.USER_TWO_STEP_RESET
    assert (entry.actor_id, entry.subject_user_id, entry.details) == (
        leader.id,
        person.id,
        {"two_step": [True, False]},
    )
    with pytest.raises(ConflictError):
        two_step.reset(session, leader, person)


def test_the_audit_log_has_words_for_each_new_action() -> None:
    for action in (
        audit_log.USER_TWO_STEP_ON,
        audit_log.USER_TWO_STEP_OFF,
        audit_log.USER_RECOVERY_CODES_RENEWED,
        audit_log.USER_TWO_STEP_RESET,
    ):
        assert audit_log.ACTIONS[action]
