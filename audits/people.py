"""Managing people: their role, a principal's schools, switching an account off and on, and
letting someone the sign-in throttle holds back try again.

Each function checks that ``actor`` may manage ``person`` (``audits.access``), refuses what the
rules forbid with a domain error, makes the change, and writes an entry in the audit log in the
same transaction (it flushes; the caller commits). Nobody changes their own role or switches
themselves off; a leader manages only their district's reviewers, auditors and principals and
gives only those roles.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, false, func, not_, or_, select
from sqlalchemy.orm import Session, selectinload

from audits import accounts, audit_log
from audits.access import Action, allowed
from audits.errors import ConflictError, NotAllowedError, ValidationError
from audits.fieldwork.status import assignment_done
from audits.models import Assignment, Role, Round, School, User, principal_schools
from audits.paging import Page, paginate
from audits.passwords import UNUSABLE_PREFIX
from audits.planning.progress import OPEN_STATUSES
from audits.throttle import SignInThrottle

# The roles a leader may give (and take away).
LEADER_ROLES = (Role.REVIEWER, Role.AUDITOR, Role.PRINCIPAL)


def roles_given_by(actor: User) -> tuple[Role, ...]:
    """The roles ``actor`` may give someone: every role for an administrator, else ``LEADER_ROLES``."""
    return tuple(Role) if actor.role is Role.ADMIN else LEADER_ROLES


@dataclass(frozen=True)
class PeopleFilter:
    """What the users page narrows its list to: words of a name or email, a role, a school, a status."""

    search: str = ""
    role: Role | None = None
    school_id: int | None = None
    status: str | None = None  # one of STATUSES; None: everyone


# A person's status on the users page: signed in at least once or able to, switched off, or
# invited and not yet arrived (inactive, never signed in, no password chosen).
STATUSES = ("active", "invited", "deactivated")


def status_of(person: User) -> str:
    """``person``'s status, one of ``STATUSES``."""
    if person.active:
        return "active"
    return "invited" if person.invitation_pending else "deactivated"


def find_people(
    session: Session, viewer: User, wanted: PeopleFilter, page: int = 1, per_page: int = 50
) -> Page[User]:
    """The people ``viewer`` manages, narrowed by ``wanted``, by name then email.

    An administrator sees everyone; a leader their district's reviewers, auditors and
    principals; anyone else nobody.
    """
    stmt = select(User).options(selectinload(User.schools), selectinload(User.district))
    if viewer.role is Role.LEADER and viewer.district_id is not None:
        stmt = stmt.where(User.district_id == viewer.district_id, User.role.in_(LEADER_ROLES))
    elif viewer.role is not Role.ADMIN:
        stmt = stmt.where(false())
    words = wanted.search.strip().lower()
    if words:
        stmt = stmt.where(
            or_(
                func.lower(User.name).contains(words, autoescape=True),
                func.lower(User.email).contains(words, autoescape=True),
            )
        )
    if wanted.role is not None:
        stmt = stmt.where(User.role == wanted.role)
    if wanted.school_id is not None:
        linked = select(principal_schools.c.user_id).where(principal_schools.c.school_id == wanted.school_id)
        stmt = stmt.where(User.id.in_(linked))
    invited = and_(
        User.active.is_(False),
        User.last_login_at.is_(None),
        User.password_hash.startswith(UNUSABLE_PREFIX, autoescape=True),
    )
    if wanted.status == "active":
        stmt = stmt.where(User.active.is_(True))
    elif wanted.status == "invited":
        stmt = stmt.where(invited)
    elif wanted.status == "deactivated":
        stmt = stmt.where(User.active.is_(False), not_(invited))
    shown_name = func.lower(func.coalesce(func.nullif(User.name, ""), User.email))
    return paginate(session, stmt.order_by(shown_name, User.id), page, per_page)


def _check_may_manage(actor: User, person: User) -> None:
    if not allowed(actor, Action.MANAGE_PEOPLE, person):
        raise NotAllowedError(None, f"you may not manage the account of {person.display_name}")


def _school_names(schools: Sequence[School]) -> list[str]:
    return sorted(school.name for school in schools)


def _check_schools(person: User, schools: Sequence[School], field: str) -> None:
    if not schools:
        raise ValidationError(field, "a principal must be linked to at least one school")
    if any(school.district_id != person.district_id for school in schools):
        raise ValidationError(field, "a principal's schools must be in their district")


def change_role(
    session: Session, actor: User, person: User, role: Role, schools: Sequence[School] = ()
) -> None:
    """Give ``person`` the ``role``; a new principal needs ``schools``, anyone else loses theirs."""
    _check_may_manage(actor, person)
    if actor.id == person.id:
        raise NotAllowedError("role", "you cannot change your own role")
    if role not in roles_given_by(actor):
        raise NotAllowedError("role", f"only an administrator may make someone a {role.label.lower()}")
    if role is person.role:
        return
    if role is not Role.ADMIN and person.district_id is None:
        raise ValidationError("role", "an administrator has no district, so cannot take a district's role")
    before, before_schools = person.role, _school_names(person.schools)
    details: dict[str, object] = {"role": [before.value, role.value]}
    if role is Role.PRINCIPAL:
        _check_schools(person, schools, "schools")
        person.schools = list(schools)
    else:
        person.schools = []
    if role is Role.ADMIN and person.district_id is not None:
        details["district_id"] = [person.district_id, None]
        district = person.district
        person.district_id = None
    else:
        district = person.district
    person.role = role
    after_schools = _school_names(person.schools)
    if after_schools != before_schools:
        details["schools"] = [before_schools, after_schools]
    audit_log.record(session, actor, audit_log.USER_ROLE_CHANGED, person, district, **details)


def set_schools(session: Session, actor: User, person: User, schools: Sequence[School]) -> None:
    """Link the principal ``person`` to ``schools`` (at least one, all of their district)."""
    _check_may_manage(actor, person)
    if person.role is not Role.PRINCIPAL:
        raise ConflictError("schools", "only principals are linked to schools")
    _check_schools(person, schools, "schools")
    before, after = _school_names(person.schools), _school_names(schools)
    if before == after:
        return
    person.schools = list(schools)
    audit_log.record(session, actor, audit_log.USER_SCHOOLS_CHANGED, person, schools=[before, after])


def deactivate(session: Session, actor: User, person: User, now: datetime | None = None) -> None:
    """Switch ``person`` off: their sign-ins end now, their API tokens stop working; their work stays."""
    _check_may_manage(actor, person)
    if actor.id == person.id:
        raise NotAllowedError(None, "you cannot deactivate yourself")
    if not person.active:
        raise ConflictError(None, f"{person.display_name} is already deactivated")
    ended = accounts.deactivate(session, person, now)
    audit_log.record(
        session, actor, audit_log.USER_DEACTIVATED, person, active=[True, False], sign_ins_ended=ended
    )


def unfinished_assignments(session: Session, person: User) -> int:
    """How many assignments of scheduled or in-field rounds ``person`` holds that are not done yet.

    What deactivating an auditor leaves undone until a leader reassigns it (the confirmation says so).
    """
    return (
        session.scalar(
            select(func.count(Assignment.id))
            .join(Round, Round.id == Assignment.round_id)
            .where(Assignment.auditor_id == person.id, Round.status.in_(OPEN_STATUSES), ~assignment_done())
        )
        or 0
    )


def reactivate(session: Session, actor: User, person: User) -> None:
    """Switch ``person`` back on: they may sign in again with their password (tokens they kept work again).

    The district account they signed in with before is forgotten: the administrator vouches for
    whoever holds the email address now (``audits.single_sign_on``).
    """
    _check_may_manage(actor, person)
    if person.active:
        raise ConflictError(None, f"{person.display_name} is already active")
    person.active = True
    # Whoever holds the address now may sign in with its district account, even a new one.
    person.district_account_issuer = person.district_account_subject = None
    audit_log.record(session, actor, audit_log.USER_REACTIVATED, person, active=[False, True])


def let_sign_in_again(session: Session, actor: User, person: User, throttle: SignInThrottle) -> None:
    """Forget the failed sign-ins counted against ``person``'s email: the throttle holds them back no more."""
    _check_may_manage(actor, person)
    throttle.forget(person.email)
    audit_log.record(session, actor, audit_log.USER_SIGN_IN_THROTTLE_CLEARED, person)
