"""Signing in with a district account (OpenID Connect): whose Touchpoint account an answer opens.

The web layer (``app.single_sign_on``) runs the protocol with Authlib: state, nonce, PKCE and
the ID token's signature, issuer, audience and expiry are checked there, before this module
sees the token's claims. Here: the claims name a person only by a verified email; that email
must belong to an existing account (signing in never creates one), switched on or waiting for
its invitation, in a district that lists the email's domain. An invited person who signs in
this way has accepted the invitation: the account is switched on and the link is used up.
The provider's issuer and subject are kept on the account, so that the same email coming
later from another account of that provider (the address given to someone else) is refused.
Functions flush; the caller commits.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from audits.account_links import accept_invitation
from audits.errors import NotAllowedError
from audits.models import User
from audits.sign_in_policy import email_domain, single_sign_on_allowed
from audits.timeutil import utcnow

NO_EMAIL = "Your district account did not share an email address, so it cannot sign you in to Touchpoint."
UNVERIFIED = (
    "Your district account's email address is not verified, so it cannot sign you in to Touchpoint. "
    "Ask your district's IT department to verify it, or sign in with your password."
)
UNKNOWN = (
    "No Touchpoint account uses {email}. No account is created by signing in: "
    "ask your district's Touchpoint administrator for an invitation."
)
DEACTIVATED = (
    "The Touchpoint account of {email} is switched off. Ask your district's Touchpoint administrator."
)
DOMAIN_NOT_LISTED = (
    "Your district does not sign in to Touchpoint with {domain} accounts. "
    "Sign in with your password, or ask your district's Touchpoint administrator."
)
ANOTHER_ACCOUNT = (
    "{email} is now a different {provider} account from the one that signed in to Touchpoint before, "
    "so it does not open that Touchpoint account. Ask your district's Touchpoint administrator: "
    "switching the account off and on again lets the new one in."
)
INVITATION_GONE = (
    "Your invitation to Touchpoint was withdrawn or has expired. "
    "Ask your district's Touchpoint administrator for a new one."
)


@dataclass(frozen=True)
class DistrictAccount:
    """What a verified ID token says about the person: its subject and email."""

    issuer: str
    subject: str
    email: str
    email_verified: bool

    @classmethod
    def from_claims(cls, claims: Mapping[str, Any]) -> DistrictAccount:
        """Read the ``sub``, ``email`` and ``email_verified`` claims (some providers send ``"true"``)."""
        verified = claims.get("email_verified")
        return cls(
            issuer=str(claims.get("iss") or ""),
            subject=str(claims.get("sub") or ""),
            email=str(claims.get("email") or "").strip().lower(),
            email_verified=verified is True or (isinstance(verified, str) and verified.lower() == "true"),
        )


def sign_in_with_district_account(
    session: Session,
    account: DistrictAccount,
    now: datetime | None = None,
    provider: str = "district",
) -> User:
    """Return the person ``account`` signs in, after accepting their invitation if one is waiting.

    Refusals are ``NotAllowedError`` on ``account`` with words the person can act on; nothing
    changes then. On success the person's ``last_login_at`` is ``now`` and the account's issuer
    and subject are kept: a later answer for the same email from the same issuer but another
    subject (the address given to someone else) is refused. ``provider`` names it in words.
    """
    now = now or utcnow()
    if not account.email:
        raise NotAllowedError("account", NO_EMAIL)
    if not account.email_verified:
        raise NotAllowedError("account", UNVERIFIED)
    user = session.scalar(select(User).where(User.email == account.email))
    if user is None:
        raise NotAllowedError("account", UNKNOWN.format(email=account.email))
    invited = user.invitation_pending
    if not user.active and not invited:
        raise NotAllowedError("account", DEACTIVATED.format(email=account.email))
    if not single_sign_on_allowed(user):
        raise NotAllowedError("account", DOMAIN_NOT_LISTED.format(domain=email_domain(account.email)))
    if (
        user.district_account_subject
        and user.district_account_issuer == account.issuer
        and user.district_account_subject != account.subject
    ):
        raise NotAllowedError("account", ANOTHER_ACCOUNT.format(email=account.email, provider=provider))
    if invited and not accept_invitation(session, user, now):
        raise NotAllowedError("account", INVITATION_GONE)
    user.last_login_at = now
    user.district_account_issuer, user.district_account_subject = account.issuer, account.subject
    session.flush()
    return user
