"""Managing people without a web client: roles, a principal's schools, switching off and on,
the sign-in throttle, and the audit log each change leaves."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy.orm import Session

from audits import audit_log, people
from audits.access import Action, allowed
from audits.errors import ConflictError, NotAllowedError, ValidationError
from audits.models import ApiToken, District, Role, School, SignIn, User
from audits.sign_ins import start_sign_in
from audits.throttle import SignInThrottle
from audits.tokens import authenticate_token, create_token


@pytest.fixture
def world(
    make_district: Callable[..., District], make_school: Callable[..., School], make_user: Callable[..., User]
) -> dict[str, object]:
    home, away = make_district(), make_district()
    school, other, foreign = make_school(home), make_school(home), make_school(away)
    return {
        "home": home,
        "school": school,
        "other": other,
        "foreign": foreign,
        "admin": make_user(Role.ADMIN),
        "leader": make_user(Role.LEADER, district=home),
        "other_leader": make_user(Role.LEADER, district=home),
        "foreign_leader": make_user(Role.LEADER, district=away),
        "auditor": make_user(Role.AUDITOR, district=home, name="Avery Auditor"),
        "foreign_auditor": make_user(Role.AUDITOR, district=away),
        "principal": make_user(Role.PRINCIPAL, district=home, schools=[school]),
        "reviewer": make_user(Role.REVIEWER, district=home),
    }


def test_who_may_manage_whom(world: dict[str, object]) -> None:
    admin, leader = world["admin"], world["leader"]
    assert isinstance(admin, User) and isinstance(leader, User)
    for name in ("auditor", "principal", "reviewer"):
        assert allowed(leader, Action.MANAGE_PEOPLE, world[name])  # type: ignore[arg-type]
    for name in ("admin", "other_leader", "foreign_auditor", "foreign_leader"):
        assert not allowed(leader, Action.MANAGE_PEOPLE, world[name])  # type: ignore[arg-type]
        assert allowed(admin, Action.MANAGE_PEOPLE, world[name])  # type: ignore[arg-type]
    for name in ("auditor", "principal", "reviewer"):
        assert not allowed(world[name], Action.MANAGE_PEOPLE)  # type: ignore[arg-type]
        assert not allowed(world[name], Action.VIEW_AUDIT_LOG)  # type: ignore[arg-type]
    assert allowed(leader, Action.VIEW_AUDIT_LOG, world["home"])  # type: ignore[arg-type]
    assert not allowed(world["foreign_leader"], Action.VIEW_AUDIT_LOG, world["home"])  # type: ignore[arg-type]


def test_a_leader_changes_roles_only_among_reviewer_auditor_principal(
    session: Session, world: dict[str, object]
) -> None:
    leader, auditor, school = world["leader"], world["auditor"], world["school"]
    assert isinstance(leader, User) and isinstance(auditor, User) and isinstance(school, School)
    people.change_role(session, leader, auditor, Role.REVIEWER)
    assert auditor.role is Role.REVIEWER
    with pytest.raises(NotAllowedError) as refused:
        people.change_role(session, leader, auditor, Role.LEADER)
    assert refused.value.field == "role"
    with pytest.raises(ValidationError) as no_school:
        people.change_role(session, leader, auditor, Role.PRINCIPAL)
    assert no_school.value.field == "schools"
    with pytest.raises(ValidationError):
        people.change_role(session, leader, auditor, Role.PRINCIPAL, [world["foreign"]])  # type: ignore[list-item]
    people.change_role(session, leader, auditor, Role.PRINCIPAL, [school])
    assert auditor.role is Role.PRINCIPAL and auditor.schools == [school]
    people.change_role(session, leader, auditor, Role.AUDITOR)
    assert auditor.schools == []
    with pytest.raises(NotAllowedError):
        people.change_role(session, leader, world["other_leader"], Role.AUDITOR)  # type: ignore[arg-type]
    with pytest.raises(NotAllowedError):
        people.change_role(session, leader, world["foreign_auditor"], Role.REVIEWER)  # type: ignore[arg-type]
    found = [
        (entry.action, entry.actor_id, entry.details)
        for entry in audit_log.entries(session, subject_id=auditor.id).rows
    ]
    assert found == [
        ("user.role_changed", leader.id, {"role": ["principal", "auditor"], "schools": [[school.name], []]}),
        ("user.role_changed", leader.id, {"role": ["reviewer", "principal"], "schools": [[], [school.name]]}),
        ("user.role_changed", leader.id, {"role": ["auditor", "reviewer"]}),
    ]


def test_nobody_changes_their_own_role_or_deactivates_themselves(
    session: Session, world: dict[str, object]
) -> None:
    admin = world["admin"]
    assert isinstance(admin, User)
    with pytest.raises(NotAllowedError) as own_role:
        people.change_role(session, admin, admin, Role.LEADER)
    assert own_role.value.field == "role"
    with pytest.raises(NotAllowedError):
        people.deactivate(session, admin, admin)
    assert admin.active and admin.role is Role.ADMIN
    assert audit_log.entries(session).total == 0


def test_an_admin_may_make_a_leader_and_an_admin(session: Session, world: dict[str, object]) -> None:
    admin, reviewer = world["admin"], world["reviewer"]
    assert isinstance(admin, User) and isinstance(reviewer, User)
    people.change_role(session, admin, reviewer, Role.LEADER)
    assert reviewer.role is Role.LEADER
    home_id = reviewer.district_id
    people.change_role(session, admin, reviewer, Role.ADMIN)
    assert reviewer.role is Role.ADMIN and reviewer.district_id is None
    with pytest.raises(ValidationError):
        people.change_role(session, admin, reviewer, Role.AUDITOR)  # an administrator has no district
    entry = audit_log.entries(session, action="user.role_changed").rows[0]
    assert entry.details == {"role": ["leader", "admin"], "district_id": [home_id, None]}
    assert entry.district_id == home_id


def test_a_principals_schools_are_of_their_district(session: Session, world: dict[str, object]) -> None:
    leader, principal, school, other = world["leader"], world["principal"], world["school"], world["other"]
    assert isinstance(principal, User) and isinstance(leader, User)
    people.set_schools(session, leader, principal, [school, other])  # type: ignore[list-item]
    assert {s.id for s in principal.schools} == {school.id, other.id}  # type: ignore[attr-defined]
    with pytest.raises(ValidationError) as empty:
        people.set_schools(session, leader, principal, [])
    assert empty.value.field == "schools"
    with pytest.raises(ValidationError):
        people.set_schools(session, leader, principal, [world["foreign"]])  # type: ignore[list-item]
    with pytest.raises(ConflictError):
        people.set_schools(session, leader, world["auditor"], [school])  # type: ignore[arg-type,list-item]
    [entry] = audit_log.entries(session, action="user.schools_changed").rows
    assert entry.details == {"schools": [[school.name], sorted([school.name, other.name])]}  # type: ignore[attr-defined]


def test_deactivate_ends_sign_ins_and_tokens_and_reactivate_lets_them_back(
    session: Session, world: dict[str, object]
) -> None:
    leader, auditor = world["leader"], world["auditor"]
    assert isinstance(leader, User) and isinstance(auditor, User)
    start_sign_in(session, auditor)
    _, plaintext = create_token(session, auditor, "phone")
    session.commit()
    people.deactivate(session, leader, auditor)
    session.commit()
    assert not auditor.active
    assert session.query(SignIn).filter(SignIn.user_id == auditor.id, SignIn.ended_at.is_(None)).count() == 0
    assert authenticate_token(session, plaintext) is None
    with pytest.raises(ConflictError):
        people.deactivate(session, leader, auditor)
    people.reactivate(session, leader, auditor)
    assert auditor.active
    assert session.query(ApiToken).filter_by(user_id=auditor.id).count() == 1  # what they had stays
    with pytest.raises(ConflictError):
        people.reactivate(session, leader, auditor)
    actions = [(e.action, e.details) for e in audit_log.entries(session, subject_id=auditor.id).rows]
    assert actions == [
        ("user.reactivated", {"active": [False, True]}),
        ("user.deactivated", {"active": [True, False], "sign_ins_ended": 1}),
    ]


def test_let_sign_in_again_forgets_the_throttles_counts_from_every_address(
    session: Session, world: dict[str, object]
) -> None:
    leader, auditor = world["leader"], world["auditor"]
    assert isinstance(leader, User) and isinstance(auditor, User)
    throttle = SignInThrottle()
    for address in ("10.0.0.1", "10.0.0.2"):
        for _ in range(5):
            throttle.failed(auditor.email, address)
    throttle.failed("someone.else@example.org", "10.0.0.1")
    assert throttle.wait_seconds(auditor.email, "10.0.0.1") > 0
    people.let_sign_in_again(session, leader, auditor, throttle)
    assert throttle.wait_seconds(auditor.email, "10.0.0.1") == 0
    assert throttle.wait_seconds(auditor.email, "10.0.0.2") == 0
    assert throttle.storage.events  # others' counts stay
    [entry] = audit_log.entries(session, subject_id=auditor.id).rows
    assert entry.action == "user.sign_in_throttle_cleared" and entry.actor_id == leader.id


def test_the_audit_log_keeps_no_secrets_and_filters(session: Session, world: dict[str, object]) -> None:
    auditor = world["auditor"]
    assert isinstance(auditor, User)
    with pytest.raises(ValueError, match="no secrets"):
        audit_log.record(session, None, "user.password_set", auditor, password_hash="x")
    audit_log.record(session, None, "user.deactivated", auditor)
    audit_log.record(session, None, "user.reactivated", auditor)
    assert [e.action for e in audit_log.entries(session).rows] == ["user.reactivated", "user.deactivated"]
    assert audit_log.entries(session, action="user.deactivated").total == 1
    assert audit_log.entries(session, district_id=auditor.district_id).total == 2
    assert audit_log.entries(session, district_id=auditor.district_id + 1).total == 0  # type: ignore[operator]
    assert audit_log.entries(session, per_page=1, page=2).rows[0].action == "user.deactivated"
