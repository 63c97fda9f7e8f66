"""Personal access tokens for the JSON API: create, list, revoke, and authenticate a bearer token.

A token is ``tp_`` followed by 43 random URL-safe characters. Only its SHA-256
is stored, with a short display prefix so people can tell their tokens apart;
the plaintext is shown once, when the token is created. A token can do what its
user can, no more, within its scope (read only, or read and write), until it expires
(``DEFAULT_DAYS`` unless its owner chose otherwise) or is revoked.
Functions add or change objects and flush; the caller commits once.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from audits.errors import ConflictError, ValidationError
from audits.models import ApiToken, TokenScope, User
from audits.timeutil import utcnow

TOKEN_PREFIX = "tp_"
DISPLAY_CHARS = 10  # "tp_" and the first seven random characters
MAX_NAME = 100
MAX_TOKEN_LENGTH = 200
# ``last_used_at`` is refreshed at most this often, so reads do not write on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)
DEFAULT_DAYS = 90
MAX_DAYS = 365


def hash_token(plaintext: str) -> str:
    """The stored form of a token: its SHA-256 as 64 hex digits."""
    return hashlib.sha256(plaintext.encode()).hexdigest()


def create_token(
    session: Session,
    user: User,
    name: str,
    now: datetime | None = None,
    scope: TokenScope = TokenScope.READ_WRITE,
    days: int = DEFAULT_DAYS,
) -> tuple[ApiToken, str]:
    """Create a token for ``user`` that lasts ``days``; return it and its plaintext, which is never stored."""
    name = (name or "").strip()
    if len(name) > MAX_NAME:
        raise ValidationError("name", f"keep the name under {MAX_NAME} characters")
    if not 1 <= days <= MAX_DAYS:
        raise ValidationError("days", f"choose from 1 to {MAX_DAYS} days")
    if not user.active:
        raise ConflictError("user", "a deactivated account cannot hold tokens")
    now = now or utcnow()
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        name=name,
        token_hash=hash_token(plaintext),
        prefix=plaintext[:DISPLAY_CHARS],
        created_at=now,
        scope=scope,
        expires_at=now + timedelta(days=days),
    )
    token.user = user
    session.add(token)
    session.flush()
    return token, plaintext


def list_tokens(session: Session, user: User) -> list[ApiToken]:
    """Every token of ``user``, revoked ones included, newest first."""
    return list(
        session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user.id)
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def find_token(session: Session, user: User, token_id: int) -> ApiToken | None:
    """``user``'s token with ``token_id``, or ``None`` when there is none or it is someone else's."""
    token = session.get(ApiToken, token_id)
    return token if token is not None and token.user_id == user.id else None


def revoke_token(token: ApiToken, user: User, now: datetime | None = None) -> None:
    """Revoke ``token`` for good; revoking a revoked token changes nothing."""
    if token.user_id != user.id:
        raise ValidationError("token", "only the token's owner can revoke it")
    if token.revoked_at is None:
        token.revoked_at = now or utcnow()


def authenticate_token(session: Session, plaintext: str, now: datetime | None = None) -> ApiToken | None:
    """The live token (not revoked, not expired, its user active), or ``None``; notes when it was used."""
    if not plaintext.startswith(TOKEN_PREFIX) or len(plaintext) > MAX_TOKEN_LENGTH:
        return None
    token = session.scalar(
        select(ApiToken)
        .where(ApiToken.token_hash == hash_token(plaintext), ApiToken.revoked_at.is_(None))
        .options(joinedload(ApiToken.user))
    )
    now = now or utcnow()
    if token is None or not token.user.active or not token.live(now):
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        token.last_used_at = now
    return token
