"""The permission rules, without a web client."""

from __future__ import annotations

from collections.abc import Callable

from audits.access import Action, allowed
from audits.models import District, Role, School, User


def test_rules_scope_by_district_and_school(
    make_district: Callable[..., District], make_school: Callable[..., School], make_user: Callable[..., User]
) -> None:
    home, away = make_district(), make_district()
    mine, theirs = make_school(home), make_school(away)
    principal = make_user(Role.PRINCIPAL, district=home, schools=[mine])
    leader = make_user(Role.LEADER, district=home)
    admin = make_user(Role.ADMIN)
    auditor = make_user(Role.AUDITOR, district=home)

    assert allowed(principal, Action.VIEW_SCHOOL, mine)
    assert not allowed(principal, Action.VIEW_SCHOOL, theirs)
    assert not allowed(principal, Action.EDIT_SCHOOL, mine)
    assert allowed(leader, Action.EDIT_SCHOOL, mine)
    assert not allowed(leader, Action.EDIT_SCHOOL, theirs)
    assert allowed(leader, Action.IMPORT_SCHOOLS, home)
    assert not allowed(leader, Action.IMPORT_SCHOOLS, away)
    assert not allowed(principal, Action.IMPORT_SCHOOLS, home)
    assert allowed(admin, Action.EDIT_SCHOOL, theirs)
    assert allowed(admin, Action.MANAGE_USERS)
    assert not allowed(leader, Action.MANAGE_USERS)
    assert allowed(admin, Action.INVITE_USERS) and allowed(leader, Action.INVITE_USERS)
    assert not allowed(auditor, Action.INVITE_USERS) and not allowed(principal, Action.INVITE_USERS)
    assert allowed(leader, Action.INVITE_USERS, home) and not allowed(leader, Action.INVITE_USERS, away)
    assert not allowed(auditor, Action.LIST_SCHOOLS)
    assert not allowed(None, Action.LIST_SCHOOLS)


def test_deactivated_user_is_allowed_nothing(
    make_district: Callable[..., District], make_user: Callable[..., User]
) -> None:
    admin = make_user(Role.ADMIN, active=False)
    assert not allowed(admin, Action.LIST_SCHOOLS)


def test_leaders_manage_only_their_districts_non_leaders(
    make_district: Callable[..., District], make_user: Callable[..., User]
) -> None:
    home, away = make_district(), make_district()
    admin = make_user(Role.ADMIN)
    leader = make_user(Role.LEADER, district=home)
    assert allowed(leader, Action.MANAGE_PEOPLE)
    assert allowed(leader, Action.MANAGE_PEOPLE, make_user(Role.REVIEWER, district=home))
    assert not allowed(leader, Action.MANAGE_PEOPLE, make_user(Role.LEADER, district=home))
    assert not allowed(leader, Action.MANAGE_PEOPLE, make_user(Role.AUDITOR, district=away))
    assert not allowed(leader, Action.MANAGE_PEOPLE, admin)
    assert allowed(admin, Action.MANAGE_PEOPLE, leader)
    assert not allowed(make_user(Role.REVIEWER, district=home), Action.MANAGE_PEOPLE)
    assert allowed(leader, Action.VIEW_AUDIT_LOG, home) and not allowed(leader, Action.VIEW_AUDIT_LOG, away)
