"""Account links: the single-use, expiring links by email that let a person set their password.

An invitation lets an invited person (inactive, no password yet) choose a password and
switches the account on; a password reset lets an active person replace a forgotten one.
The link carries ``secrets.token_urlsafe(32)``; only its SHA-256 is kept, so the database
cannot give a working link away. Issuing a link revokes the person's earlier live links of
the same purpose; redeeming one sets the password (``audits.accounts.set_password``: long,
uncommon, and every sign-in ends) and marks it used. Functions flush; the caller commits.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from audits.accounts import set_password
from audits.errors import ConflictError, NotFoundError
from audits.models import AccountLink, LinkPurpose, User
from audits.sign_in_policy import password_sign_in_allowed
from audits.timeutil import utcnow

INVITATION_LIFETIME = timedelta(days=7)
PASSWORD_RESET_LIFETIME = timedelta(minutes=60)
DEFAULT_LIFETIMES = {
    LinkPurpose.INVITATION: INVITATION_LIFETIME,
    LinkPurpose.PASSWORD_RESET: PASSWORD_RESET_LIFETIME,
}
MAX_TOKEN_LENGTH = 200

UNKNOWN = "This link is not valid. Check that you copied all of it from the email."
EXPIRED = "This link has expired."
USED = "This link has already been used."
REVOKED = "This link was withdrawn: a newer one was sent, or the account was switched off."
DEACTIVATED = "This account is switched off."
DISTRICT_ACCOUNT_ONLY = (
    "Your district signs in to Touchpoint with its own accounts, not passwords: "
    "use the district account button on the sign-in page."
)


def hash_link_token(plaintext: str) -> str:
    """The stored form of a link's token: its SHA-256 as 64 hex digits."""
    return hashlib.sha256(plaintext.encode()).hexdigest()


def live_links(session: Session, user: User, purpose: LinkPurpose, now: datetime) -> list[AccountLink]:
    """``user``'s links of ``purpose`` that still work at ``now``."""
    return list(
        session.scalars(
            select(AccountLink).where(
                AccountLink.user_id == user.id,
                AccountLink.purpose == purpose,
                AccountLink.used_at.is_(None),
                AccountLink.revoked_at.is_(None),
                AccountLink.expires_at > now,
            )
        )
    )


def revoke_links(session: Session, user: User, purpose: LinkPurpose, now: datetime | None = None) -> int:
    """Revoke every live link of ``purpose`` of ``user``; return how many there were."""
    now = now or utcnow()
    links = live_links(session, user, purpose, now)
    for link in links:
        link.revoked_at = now
    session.flush()
    return len(links)


def issue_link(
    session: Session,
    user: User,
    purpose: LinkPurpose,
    by: User | None = None,
    now: datetime | None = None,
    lifetime: timedelta | None = None,
) -> tuple[AccountLink, str]:
    """Create a link of ``purpose`` for ``user`` (revoking their earlier live ones); return it and its token.

    An invitation is only for a person who has not chosen a password yet; a reset only for an
    active account. ``by`` is who asked (``None``: the person themselves, or the command line).
    """
    now = now or utcnow()
    if purpose is LinkPurpose.INVITATION and not user.invitation_pending:
        raise ConflictError("user", f"{user.email} has already accepted an invitation or was switched off")
    if purpose is LinkPurpose.PASSWORD_RESET and not user.active:
        raise ConflictError("user", DEACTIVATED)
    revoke_links(session, user, purpose, now)
    plaintext = secrets.token_urlsafe(32)
    link = AccountLink(
        user_id=user.id,
        purpose=purpose,
        token_hash=hash_link_token(plaintext),
        created_at=now,
        expires_at=now + (lifetime or DEFAULT_LIFETIMES[purpose]),
        created_by_id=by.id if by is not None else None,
    )
    link.user = user
    session.add(link)
    session.flush()
    return link, plaintext


def check_link(
    session: Session, plaintext: str, purpose: LinkPurpose, now: datetime | None = None
) -> AccountLink:
    """The link ``plaintext`` opens, if it still works for ``purpose``; else a domain error saying why.

    Unknown (or of another purpose): ``NotFoundError``; expired, used, revoked, its account
    switched off, or its district signs in without passwords: ``ConflictError``.
    """
    now = now or utcnow()
    link = None
    if plaintext and len(plaintext) <= MAX_TOKEN_LENGTH:
        link = session.scalar(select(AccountLink).where(AccountLink.token_hash == hash_link_token(plaintext)))
    if link is None or link.purpose is not purpose:
        raise NotFoundError("link", UNKNOWN)
    if link.used_at is not None:
        raise ConflictError("link", USED)
    if link.revoked_at is not None:
        raise ConflictError("link", REVOKED)
    if now >= link.expires_at:
        raise ConflictError("link", EXPIRED)
    if purpose is LinkPurpose.PASSWORD_RESET and not link.user.active:
        raise ConflictError("link", DEACTIVATED)
    if not password_sign_in_allowed(link.user):
        # A password would be of no use; an invited person accepts by signing in with that account.
        raise ConflictError("link", DISTRICT_ACCOUNT_ONLY)
    if purpose is LinkPurpose.INVITATION and not link.user.invitation_pending:
        raise ConflictError("link", USED)
    return link


def accept_invitation(session: Session, user: User, now: datetime | None = None) -> bool:
    """The invited ``user`` has proved who they are: switch the account on and use up their invitation.

    Used when they set their password through the link (``redeem``) and when they sign in with
    their district account instead. Return ``False``, changing nothing, when no invitation of
    theirs still works (withdrawn or expired).
    """
    now = now or utcnow()
    links = live_links(session, user, LinkPurpose.INVITATION, now)
    if not links:
        return False
    for link in links:
        link.used_at = now
    user.active = True
    session.flush()
    return True


def redeem(
    session: Session, plaintext: str, purpose: LinkPurpose, new_password: str, now: datetime | None = None
) -> User:
    """Set the password through the link ``plaintext`` and use the link up; return its person.

    An invitation also switches the account on. Nothing changes when the link does not work
    (``check_link``'s errors) or the password is refused (``ValidationError`` on ``password``).
    """
    now = now or utcnow()
    link = check_link(session, plaintext, purpose, now)
    user = link.user
    set_password(session, user, new_password, now)
    if purpose is LinkPurpose.INVITATION:
        accept_invitation(session, user, now)  # uses this link up
    else:  # a reset answers for this person: any other reset link they asked for stops working
        link.used_at = now
        revoke_links(session, user, purpose, now)
    session.flush()
    return user
