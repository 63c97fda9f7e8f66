"""Accounts: creating users and signing in with a lockout after repeated failures."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from audits.errors import ValidationError
from audits.models import District, LoginFailure, Role, School, User
from audits.passwords import MIN_LENGTH, hash_password, spend_equal_time, verify_password
from audits.timeutil import utcnow

BAD_CREDENTIALS = "Email or password is incorrect."


@dataclass(frozen=True)
class LockoutPolicy:
    """How many failures within how many minutes lock an account, and for how long."""

    max_failures: int = 5
    minutes: int = 15


@dataclass
class NewUser:
    """What it takes to create an account."""

    email: str
    role: Role
    password: str
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
    if len(new.password) < MIN_LENGTH:
        problems.append(("password", f"must be at least {MIN_LENGTH} characters"))
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
        password_hash=hash_password(new.password),
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
    policy: LockoutPolicy | None = None,
    now: datetime | None = None,
) -> User:
    """Return the user whose credentials these are, or raise ``ValidationError``.

    Each wrong password is recorded; ``policy.max_failures`` of them within
    ``policy.minutes`` lock the account for ``policy.minutes``, during which even
    the right password is refused. The caller commits in both cases, so that
    failures are kept.
    """
    policy = policy or LockoutPolicy()
    now = now or utcnow()
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not user.active:
        spend_equal_time(password)
        raise ValidationError("password", BAD_CREDENTIALS)
    if user.locked_until is not None and user.locked_until > now:
        minutes = max(1, round((user.locked_until - now).total_seconds() / 60))
        raise ValidationError(
            None,
            f"Too many failed sign-ins. This account is locked; try again in {minutes} minute"
            f"{'s' if minutes != 1 else ''} or ask an administrator.",
        )
    if not verify_password(user.password_hash, password):
        session.add(LoginFailure(user_id=user.id, at=now))
        session.flush()
        window_start = now - timedelta(minutes=policy.minutes)
        recent = session.scalars(
            select(func.count())
            .select_from(LoginFailure)
            .where(LoginFailure.user_id == user.id, LoginFailure.at > window_start)
        ).one()
        if recent >= policy.max_failures:
            user.locked_until = now + timedelta(minutes=policy.minutes)
            session.execute(delete(LoginFailure).where(LoginFailure.user_id == user.id))
            raise ValidationError(
                None,
                f"Too many failed sign-ins. This account is locked for {policy.minutes} minutes.",
            )
        raise ValidationError("password", BAD_CREDENTIALS)
    session.execute(delete(LoginFailure).where(LoginFailure.user_id == user.id))
    user.locked_until = None
    user.last_login_at = now
    return user


def set_password(user: User, password: str) -> None:
    """Replace ``user``'s password, enforcing the minimum length."""
    if len(password) < MIN_LENGTH:
        raise ValidationError("password", f"must be at least {MIN_LENGTH} characters")
    user.password_hash = hash_password(password)
    user.locked_until = None
