"""Accounts: creating users, signing in (throttled, never locked), passwords and switching accounts off."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from audits.errors import ValidationError
from audits.models import AccountLink, District, LoginFailure, Role, School, User
from audits.passwords import (
    hash_password,
    password_problem,
    spend_equal_time,
    unusable_password,
    verify_password,
)
from audits.sign_in_policy import password_sign_in_allowed
from audits.sign_ins import DEACTIVATED, PASSWORD_CHANGED, end_every_sign_in
from audits.throttle import SignInThrottle, wait_words
from audits.timeutil import utcnow

BAD_CREDENTIALS = "Email or password is incorrect."
DISTRICT_ACCOUNT_ONLY = "Your district signs in with {account}: use the button above."


@dataclass
class NewUser:
    """What it takes to create an account."""

    email: str
    role: Role
    password: str | None  # ``None``: an invited person, inactive until they choose one
    name: str = ""
    district_id: int | None = None
    school_ids: list[int] = field(default_factory=list)


def normalise_email(email: str) -> str:
    """Return ``email`` validated and lower-cased, or raise ``ValidationError`` on ``email``."""
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as error:
        raise ValidationError("email", str(error)) from error


def create_user(session: Session, new: NewUser) -> User:
    """Validate ``new`` and add the user to ``session`` (the caller commits)."""
    problems: list[tuple[str | None, str]] = []
    email = ""
    try:
        email = normalise_email(new.email)
    except ValidationError as error:
        problems.extend(error.problems)
    if email and session.scalar(select(User.id).where(User.email == email)) is not None:
        problems.append(("email", f"a user with the email {email} already exists"))
    if new.password is not None and (problem := password_problem(new.password)):
        problems.append(("password", problem))
    if new.role is not Role.ADMIN and new.district_id is None:
        problems.append(("district", f"a {new.role.label.lower()} must belong to a district"))
    if new.district_id is not None and session.get(District, new.district_id) is None:
        problems.append(("district", "no such district"))
    schools = list(session.scalars(select(School).where(School.id.in_(new.school_ids))))
    if new.role is Role.PRINCIPAL and not schools:
        problems.append(("school", "a principal must be linked to at least one school"))
    if new.role is not Role.PRINCIPAL and new.school_ids:
        problems.append(("school", "only principals are linked to schools"))
    if any(school.district_id != new.district_id for school in schools):
        problems.append(("school", "a principal's schools must be in their district"))
    if problems:
        raise ValidationError.many(problems)
    user = User(
        email=email,
        name=new.name.strip(),
        role=new.role,
        password_hash=unusable_password() if new.password is None else hash_password(new.password),
        active=new.password is not None,
        district_id=new.district_id,
        schools=schools,
    )
    session.add(user)
    session.flush()
    return user


def authenticate(
    session: Session,
    email: str,
    password: str,
    throttle: SignInThrottle,
    address: str = "",
    now: datetime | None = None,
    district_account: str = "your district account",
) -> User:
    """Return the user whose credentials these are, or raise ``ValidationError``.

    Failures are counted by ``throttle`` (the email and ``address`` together, each alone);
    while it says to wait, no password is checked. Every answer is the same for an unknown
    email, a deactivated account and a wrong password, and costs the same time. A known
    user's failures are also recorded (``LoginFailure``); the caller commits in both cases.

    A person whose district switched password sign-in off is told to use ``district_account``
    (the sign-in button's words) only once their password proved correct: the answer tells
    nothing about an address to someone who does not know its password, and nobody is
    signed in. That is no failure to count, nor a success that clears the count.
    """
    now = now or utcnow()
    wait = throttle.wait_seconds(email, address)
    if wait:
        spend_equal_time(password)
        raise ValidationError(None, f"Too many sign-in attempts. Wait {wait_words(wait)} and try again.")
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not user.active or not verify_password(user.password_hash, password):
        if user is None or not user.active:
            spend_equal_time(password)
        else:
            session.add(LoginFailure(user_id=user.id, at=now))
        throttle.failed(email, address)
        raise ValidationError("password", BAD_CREDENTIALS)
    if not password_sign_in_allowed(user):
        raise ValidationError(None, DISTRICT_ACCOUNT_ONLY.format(account=district_account))
    throttle.succeeded(email, address)
    user.last_login_at = now
    return user


def set_password(session: Session, user: User, password: str, now: datetime | None = None) -> None:
    """Replace ``user``'s password (it must be long and uncommon) and sign them out everywhere."""
    problem = password_problem(password)
    if problem:
        raise ValidationError("password", problem)
    user.password_hash = hash_password(password)
    end_every_sign_in(session, user, PASSWORD_CHANGED, now)


def change_password(
    session: Session, user: User, current: str, new: str, now: datetime | None = None
) -> None:
    """The person changes their own password: the current one first, then ``set_password``."""
    if not verify_password(user.password_hash, current):
        raise ValidationError("current_password", "this is not your current password")
    if new == current:
        raise ValidationError("password", "choose a password different from the current one")
    set_password(session, user, new, now)


def deactivate(session: Session, user: User, now: datetime | None = None) -> int:
    """Switch an account off: it cannot sign in, its sessions end at once, its tokens stop working.

    Its unused invitation and password-reset links are revoked too, so none can switch it back on.
    Return how many live sign-ins ended.
    """
    now = now or utcnow()
    user.active = False
    session.execute(
        update(AccountLink)
        .where(
            AccountLink.user_id == user.id, AccountLink.used_at.is_(None), AccountLink.revoked_at.is_(None)
        )
        .values(revoked_at=now)
    )
    return end_every_sign_in(session, user, DEACTIVATED, now)
