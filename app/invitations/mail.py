"""The invitation and password-reset emails, written to the outbox with the change they follow."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app, render_template

from app.extensions import db
from app.links import public_base_url
from audits.importers.staff import Imported
from audits.models import User
from audits.outbox import enqueue
from audits.sign_in_policy import password_sign_in_allowed, single_sign_on_allowed
from config import single_sign_on_configured

INVITATION = "invitation"
PASSWORD_RESET = "password_reset"
INVITATION_SUBJECT = "You are invited to Touchpoint"
RESET_SUBJECT = "Reset your Touchpoint password"
DISTRICT_ACCOUNT_SUBJECT = "Signing in to Touchpoint"


def link_url(path: str) -> str:
    """The absolute address of ``path`` on the public site (``app.links.public_base_url``)."""
    return public_base_url() + path


def _enqueue(topic: str, user: User, subject: str, template: str, **context: object) -> None:
    text = render_template(f"invitations/{template}.txt", user=user, **context)
    html = render_template(f"invitations/{template}.html", user=user, **context)
    enqueue(db.session, topic, user.email, subject, text, html)


def queue_invitation(user: User, plaintext: str, expires_at: datetime, inviter: User | None) -> None:
    """Write the invitation email holding the link with ``plaintext`` (the caller commits and kicks)."""
    url = link_url(f"/invitations/{plaintext}")
    _enqueue(
        INVITATION,
        user,
        INVITATION_SUBJECT,
        "invitation_email",
        url=url,
        expires_at=expires_at,
        inviter=inviter,
        **_district_account(user),
    )


def _district_account(user: User) -> dict[str, object]:
    """Whether ``user`` may sign in with their district account, and whether only that way.

    ``provider``: the account's name in words ("Google"), or ``""`` when they may not;
    ``password_sign_in``: whether a password works for them too; ``login_url``: the sign-in page.
    """
    may = single_sign_on_configured(current_app.config) and single_sign_on_allowed(user)
    return {
        "provider": current_app.config["OIDC_PROVIDER_NAME"] if may else "",
        "password_sign_in": password_sign_in_allowed(user) or not may,
        "login_url": link_url("/login"),
    }


def invitation_lifetime() -> timedelta:
    """How long an invitation link works (``INVITATION_DAYS``)."""
    return timedelta(days=current_app.config["INVITATION_DAYS"])


def queue_invitations(imported: Imported, inviter: User | None) -> None:
    """Write the invitation email of each person a staff import invited (the caller commits and kicks)."""
    for user, link, plaintext in imported.invitations:
        queue_invitation(user, plaintext, link.expires_at, inviter)


def queue_reset(user: User, plaintext: str, expires_at: datetime) -> None:
    """Write the password-reset email holding the link with ``plaintext`` (the caller commits and kicks)."""
    url = link_url(f"/password/reset/{plaintext}")
    _enqueue(PASSWORD_RESET, user, RESET_SUBJECT, "reset_email", url=url, expires_at=expires_at)


def queue_district_account_reminder(user: User) -> None:
    """Answer a reset request of someone whose district signs in without passwords: use its accounts."""
    _enqueue(
        PASSWORD_RESET,
        user,
        DISTRICT_ACCOUNT_SUBJECT,
        "district_account_email",
        url=link_url("/login"),
        provider=current_app.config["OIDC_PROVIDER_NAME"],
    )
