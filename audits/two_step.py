"""Two-step sign-in: after the password, a code from an authenticator app (TOTP, RFC 6238).

A person turns it on by scanning the key the set-up page shows (``pending_key``) and typing
a code their app makes from it (``confirm``): only then is it on, and they get ten recovery
codes, shown once, for the day the phone is lost. A code is accepted within one 30-second
step either side of now (phones' clocks drift) and never twice: the key remembers the step
of the last code accepted and refuses that step and earlier ones. A recovery code works
once. The person may renew their recovery codes (the old ones stop working) and turn it off
with their password or a code, unless it is required of them (``required``); an
administrator or their leader resets it when the phone is lost (``reset``). Each change is
written to the audit log.

Recovery codes are 16 characters from a 32-symbol alphabet, 80 random bits each: only
their SHA-256 is kept. A slow hash (argon2, as for passwords) adds nothing against a
search of 2^80 codes, and a fast one lets a typed code be found by its hash in one indexed
look-up, instead of ten argon2 verifications (640 MiB of memory work) on every attempt.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import pyotp
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from audits import audit_log
from audits.access import Action, allowed
from audits.errors import ConflictError, NotAllowedError, ValidationError
from audits.models import RecoveryCode, Role, TwoStepKey, User
from audits.passwords import verify_password
from audits.sign_in_policy import two_step_required
from audits.timeutil import utcnow

ISSUER = "Touchpoint"  # the name authenticator apps show beside the code
DIGITS = 6
STEP_SECONDS = 30
WINDOW = 1  # steps accepted either side of now
RECOVERY_CODES = 10
RECOVERY_LENGTH = 16
# Capitals and digits without 0/O and 1/I, which people misread: 32 symbols, 5 bits each.
RECOVERY_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
FIELD = "code"
ENTER_CODE = "enter the 6-digit code your app shows, or one of your recovery codes"
_SEPARATORS = re.compile(r"[\s-]+")


class Method(StrEnum):
    """How a person gave their second step."""

    APP = "app"
    RECOVERY_CODE = "recovery_code"


def required(user: User, administrators_without_district: bool = False) -> bool:
    """Whether ``user`` must use two-step sign-in: their district requires it of its leaders
    (``sign_in_policy.two_step_required``), or they are an administrator without a district and
    the installation requires it of those (``ADMIN_TWO_STEP_REQUIRED``)."""
    if two_step_required(user):
        return True
    return administrators_without_district and user.role is Role.ADMIN and user.district_id is None


def key_of(session: Session, user: User) -> TwoStepKey | None:
    """``user``'s key, on or pending, or ``None``."""
    return session.scalar(select(TwoStepKey).where(TwoStepKey.user_id == user.id))


def is_on(session: Session, user: User) -> bool:
    """Whether ``user`` has two-step sign-in on (sign-in asks them for a code)."""
    key = key_of(session, user)
    return key is not None and key.enabled


def pending_key(session: Session, user: User, now: datetime | None = None) -> TwoStepKey:
    """The key ``user`` is setting up: the one already pending, or a new random one; flush.

    Refused (``ConflictError``) when two-step sign-in is already on.
    """
    key = key_of(session, user)
    if key is not None and key.enabled:
        raise ConflictError(None, "two-step sign-in is already on")
    if key is None:
        key = TwoStepKey(user_id=user.id, secret=pyotp.random_base32(), created_at=now or utcnow())
        session.add(key)
        session.flush()
    return key


def provisioning_uri(key: TwoStepKey, user: User) -> str:
    """The ``otpauth://`` address the QR code holds: the secret, the issuer and the person's email."""
    return _totp(key.secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def grouped(text: str, size: int = 4) -> str:
    """``text`` in groups of ``size`` characters separated by spaces, for people who type it."""
    return " ".join(text[i : i + size] for i in range(0, len(text), size))


def _totp(secret: str) -> pyotp.TOTP:
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS)


def _normalise(code: str) -> str:
    return _SEPARATORS.sub("", code).upper()


def _is_app_code(code: str) -> bool:
    return len(code) == DIGITS and code.isascii() and code.isdigit()


def _matching_step(key: TwoStepKey, code: str, now: datetime) -> int:
    """The step ``code`` belongs to, within the window; raise ``ValidationError`` if none or replayed."""
    totp = _totp(key.secret)
    current = totp.timecode(now)
    replayed = False
    for step in range(current - WINDOW, current + WINDOW + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            if key.last_used_step is not None and step <= key.last_used_step:
                replayed = True
                continue
            return step
    if replayed:
        raise ValidationError(FIELD, "this code was used already: wait for your app to show the next one")
    raise ValidationError(
        FIELD, "this code is not right: type the code your app shows now (check your phone's clock is right)"
    )


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def _new_codes(session: Session, user: User, now: datetime) -> list[str]:
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [
        "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH))
        for _ in range(RECOVERY_CODES)
    ]
    session.add_all(RecoveryCode(user_id=user.id, code_hash=_hash(code), created_at=now) for code in codes)
    session.flush()
    return [grouped(code, 4).replace(" ", "-") for code in codes]


def confirm(session: Session, user: User, code: str, now: datetime | None = None) -> list[str]:
    """Turn two-step sign-in on with a code from the pending key; return the new recovery codes.

    The codes are returned this once (only their hashes are kept). Refused with
    ``ValidationError`` on ``code`` when the code does not come from the key, and with
    ``ConflictError`` when nothing is pending.
    """
    now = now or utcnow()
    key = key_of(session, user)
    if key is None or key.enabled:
        raise ConflictError(FIELD, "there is no key being set up: start again from your account page")
    typed = _normalise(code)
    if not typed:
        raise ValidationError(FIELD, "enter the 6-digit code your app shows")
    if not _is_app_code(typed):
        raise ValidationError(FIELD, "the code is the 6 digits your app shows for Touchpoint")
    key.last_used_step = _matching_step(key, typed, now)
    key.enabled_at = now
    codes = _new_codes(session, user, now)
    audit_log.record(session, user, audit_log.USER_TWO_STEP_ON, user, two_step=[False, True])
    return codes


def check_code(session: Session, user: User, code: str, now: datetime | None = None) -> Method:
    """Accept a code from ``user``'s app, or one of their unused recovery codes (used up now); flush.

    Return which it was. A wrong, replayed or used code raises ``ValidationError`` on ``code``;
    a person without two-step sign-in on, ``ConflictError``.
    """
    now = now or utcnow()
    key = key_of(session, user)
    if key is None or not key.enabled:
        raise ConflictError(FIELD, "two-step sign-in is not on for this account")
    typed = _normalise(code)
    if not typed:
        raise ValidationError(FIELD, ENTER_CODE)
    if _is_app_code(typed):
        key.last_used_step = _matching_step(key, typed, now)
        session.flush()
        return Method.APP
    if len(typed) != RECOVERY_LENGTH:
        raise ValidationError(
            FIELD,
            "a code from your app has 6 digits, a recovery code 16 letters and digits: check what you typed",
        )
    found = session.scalar(
        select(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _hash(typed))
    )
    if found is None:
        raise ValidationError(FIELD, "this recovery code is not one of yours: check what you typed")
    if found.used_at is not None:
        raise ValidationError(FIELD, "this recovery code was used already: each works once")
    found.used_at = now
    session.flush()
    return Method.RECOVERY_CODE


@dataclass(frozen=True)
class Status:
    """What the account and person pages say about someone's two-step sign-in."""

    on: bool
    since: datetime | None
    recovery_codes_left: int
    required: bool


def status(session: Session, user: User, administrators_without_district: bool = False) -> Status:
    """``user``'s two-step sign-in: on since when, recovery codes unused, required of them or not."""
    key = key_of(session, user)
    left = session.scalar(
        select(func.count())
        .select_from(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    )
    return Status(
        on=key is not None and key.enabled,
        since=key.enabled_at if key is not None else None,
        recovery_codes_left=left or 0,
        required=required(user, administrators_without_district),
    )


def _prove(session: Session, user: User, proof: str, now: datetime) -> None:
    """Accept ``user``'s password or a current code as proof that it is them, or raise ``ValidationError``."""
    if not proof.strip():
        raise ValidationError("proof", "enter your password or a code from your app")
    if verify_password(user.password_hash, proof):
        return
    try:
        check_code(session, user, proof, now)
    except ValidationError as error:
        raise ValidationError(
            "proof", "this is neither your password nor a current code from your app"
        ) from error


def renew_recovery_codes(session: Session, user: User, proof: str, now: datetime | None = None) -> list[str]:
    """Give ``user`` ten new recovery codes (the old ones stop working) once ``proof`` shows it is them.

    ``proof`` is their password or a code; return the new codes, shown this once.
    """
    now = now or utcnow()
    if not is_on(session, user):
        raise ConflictError(None, "two-step sign-in is not on, so you have no recovery codes")
    _prove(session, user, proof, now)
    codes = _new_codes(session, user, now)
    audit_log.record(session, user, audit_log.USER_RECOVERY_CODES_RENEWED, user)
    return codes


def _remove(session: Session, user: User) -> None:
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    session.execute(delete(TwoStepKey).where(TwoStepKey.user_id == user.id))
    session.flush()


def turn_off(
    session: Session,
    user: User,
    proof: str,
    administrators_without_district: bool = False,
    now: datetime | None = None,
) -> None:
    """Turn ``user``'s two-step sign-in off once ``proof`` (password or code) shows it is them.

    Refused (``NotAllowedError``) while it is required of them.
    """
    now = now or utcnow()
    if not is_on(session, user):
        raise ConflictError(None, "two-step sign-in is already off")
    if required(user, administrators_without_district):
        raise NotAllowedError("proof", f"{required_reason(user)}, so it stays on")
    _prove(session, user, proof, now)
    _remove(session, user)
    audit_log.record(session, user, audit_log.USER_TWO_STEP_OFF, user, two_step=[True, False])


def required_reason(user: User) -> str:
    """Why two-step sign-in is required of ``user``, in a sentence."""
    if user.district is not None and two_step_required(user):
        role = user.role.label.lower()
        return f"{user.district.name} requires two-step sign-in of its {role}s"
    return "This installation requires two-step sign-in of administrators"


def reset(session: Session, actor: User, person: User) -> None:
    """Remove ``person``'s key and recovery codes (their phone is lost): the next sign-in asks for
    the password only, or sets a new key up when two-step sign-in is required of them.

    ``actor`` must manage ``person`` (an administrator, or their district's leader); not themselves.
    """
    if not allowed(actor, Action.MANAGE_PEOPLE, person):
        raise NotAllowedError(None, f"you may not manage the account of {person.display_name}")
    if actor.id == person.id:
        raise NotAllowedError(
            None, "you cannot reset your own two-step sign-in: turn it off on your account page"
        )
    key = key_of(session, person)
    if key is None:
        raise ConflictError(None, f"{person.display_name} has not set up two-step sign-in")
    was_on = key.enabled
    _remove(session, person)
    audit_log.record(session, actor, audit_log.USER_TWO_STEP_RESET, person, two_step=[was_on, False])
