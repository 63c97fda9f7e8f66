"""Signed-in sessions that end: on sign-out, a password change, deactivation, or a timeout.

A browser's cookie holds a random secret; only its SHA-256 is kept, in a ``SignIn`` row.
A request is signed in only while that row is live: not ended, used within the idle
timeout and younger than the absolute timeout. Ending the row ends the session wherever
its cookie is replayed. Functions add or change objects and flush; the caller commits.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from audits.models import SignIn, User
from audits.timeutil import utcnow

# ``last_seen_at`` is moved on at most this often, so reading pages does not write on every request.
SEEN_RESOLUTION = timedelta(minutes=1)
SIGNED_OUT = "signed_out"
SIGNED_OUT_EVERYWHERE = "signed_out_everywhere"
PASSWORD_CHANGED = "password_changed"
DEACTIVATED = "deactivated"
IDLE = "idle"
EXPIRED = "expired"


@dataclass(frozen=True)
class SessionPolicy:
    """How long a sign-in lasts: ``idle`` since its last request, ``longest`` since it began."""

    idle: timedelta = timedelta(hours=2)
    longest: timedelta = timedelta(hours=12)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def held_by(sign_in: SignIn, secret: str) -> bool:
    """Whether ``secret`` (from a cookie) is the one of ``sign_in``: the browser asking is that sign-in."""
    return hmac.compare_digest(sign_in.token_hash, _hash(secret))


def start_sign_in(
    session: Session, user: User, user_agent: str = "", address: str = "", now: datetime | None = None
) -> str:
    """Record a new sign-in of ``user``; return the secret for its cookie (only its hash is kept)."""
    now = now or utcnow()
    secret = secrets.token_urlsafe(32)
    session.add(
        SignIn(
            user_id=user.id,
            token_hash=_hash(secret),
            created_at=now,
            last_seen_at=now,
            user_agent=user_agent[:200],
            address=address[:45],
        )
    )
    session.flush()
    return secret


def live_sign_in(
    session: Session, secret: str, user_id: int, policy: SessionPolicy, now: datetime | None = None
) -> SignIn | None:
    """The live sign-in whose cookie holds ``secret`` for ``user_id``, or ``None``.

    A sign-in past its idle or absolute timeout is ended here (so it says why); a live one
    notes when it was last used.
    """
    now = now or utcnow()
    found = session.scalar(select(SignIn).where(SignIn.token_hash == _hash(secret)))
    if found is None or found.user_id != user_id or found.ended_at is not None:
        return None
    if now - found.created_at > policy.longest:
        end_sign_in(found, EXPIRED, now)
        return None
    if now - found.last_seen_at > policy.idle:
        end_sign_in(found, IDLE, now)
        return None
    if now - found.last_seen_at >= SEEN_RESOLUTION:
        found.last_seen_at = now
    return found


def end_sign_in(sign_in: SignIn, reason: str, now: datetime | None = None) -> None:
    """End one sign-in (its cookie stops working), saying why."""
    if sign_in.ended_at is None:
        sign_in.ended_at = now or utcnow()
        sign_in.end_reason = reason


def end_sign_in_of(session: Session, secret: str, reason: str, now: datetime | None = None) -> None:
    """End the sign-in whose cookie holds ``secret``, if there is one."""
    found = session.scalar(select(SignIn).where(SignIn.token_hash == _hash(secret)))
    if found is not None:
        end_sign_in(found, reason, now)


def end_every_sign_in(session: Session, user: User, reason: str, now: datetime | None = None) -> int:
    """End every live sign-in of ``user`` (each of their browsers is signed out); return how many."""
    result = session.execute(
        update(SignIn)
        .where(SignIn.user_id == user.id, SignIn.ended_at.is_(None))
        .values(ended_at=now or utcnow(), end_reason=reason)
        .execution_options(synchronize_session="fetch")
    )
    return int(getattr(result, "rowcount", 0) or 0)


def live_sign_ins(
    session: Session, user: User, policy: SessionPolicy, now: datetime | None = None
) -> list[SignIn]:
    """``user``'s sign-ins that still work, newest first (for the account page)."""
    now = now or utcnow()
    found = session.scalars(
        select(SignIn)
        .where(SignIn.user_id == user.id, SignIn.ended_at.is_(None))
        .order_by(SignIn.last_seen_at.desc(), SignIn.id.desc())
    )
    return [
        sign_in
        for sign_in in found
        if now - sign_in.created_at <= policy.longest and now - sign_in.last_seen_at <= policy.idle
    ]
