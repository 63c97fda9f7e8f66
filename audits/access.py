"""Who may do what: the one permission check every view goes through.

``allowed(user, action, target)`` answers for a signed-in user; the web layer
turns a ``False`` into 403. Targets are scoped: a leader acts within their own
district, a principal only on the schools linked to them.
"""

from __future__ import annotations

from enum import StrEnum

from audits.models import District, Role, School, User


class Action(StrEnum):
    """Everything a person can ask Touchpoint to do."""

    LIST_SCHOOLS = "list_schools"
    VIEW_SCHOOL = "view_school"
    EDIT_SCHOOL = "edit_school"
    IMPORT_SCHOOLS = "import_schools"
    MANAGE_USERS = "manage_users"
    MANAGE_DISTRICT = "manage_district"
    VIEW_RUBRICS = "view_rubrics"
    MANAGE_RUBRICS = "manage_rubrics"
    VIEW_SCENARIOS = "view_scenarios"
    MANAGE_SCENARIOS = "manage_scenarios"


# Which roles may take each action at all; scoping to the target comes after.
_ROLES: dict[Action, frozenset[Role]] = {
    Action.LIST_SCHOOLS: frozenset({Role.ADMIN, Role.LEADER, Role.REVIEWER, Role.PRINCIPAL}),
    Action.VIEW_SCHOOL: frozenset({Role.ADMIN, Role.LEADER, Role.REVIEWER, Role.PRINCIPAL}),
    Action.EDIT_SCHOOL: frozenset({Role.ADMIN, Role.LEADER}),
    Action.IMPORT_SCHOOLS: frozenset({Role.ADMIN, Role.LEADER}),
    Action.MANAGE_USERS: frozenset({Role.ADMIN}),
    Action.MANAGE_DISTRICT: frozenset({Role.ADMIN, Role.LEADER}),
    Action.VIEW_RUBRICS: frozenset({Role.ADMIN, Role.LEADER, Role.REVIEWER}),
    Action.MANAGE_RUBRICS: frozenset({Role.ADMIN}),
    Action.VIEW_SCENARIOS: frozenset({Role.ADMIN, Role.LEADER, Role.REVIEWER}),
    # Leaders manage their district's scenarios; the shared library (no district) is the admin's.
    Action.MANAGE_SCENARIOS: frozenset({Role.ADMIN, Role.LEADER}),
}


def allowed(user: User | None, action: Action, target: School | District | None = None) -> bool:
    """Return whether ``user`` may take ``action`` on ``target`` (``None`` for no target)."""
    if user is None or not user.active or user.role not in _ROLES[action]:
        return False
    if user.role is Role.ADMIN or target is None:
        return True
    if isinstance(target, School):
        if user.role is Role.PRINCIPAL:
            return any(school.id == target.id for school in user.schools)
        return target.district_id == user.district_id
    if isinstance(target, District):
        return user.role is not Role.PRINCIPAL and target.id == user.district_id
    raise TypeError(f"no access rule for targets of type {type(target).__name__}")
