"""The invitation and password-reset emails, written to the outbox with the change they follow."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app, render_template

from app.extensions import db
from audits.importers.staff import Imported
from audits.models import User
from audits.outbox import enqueue

INVITATION = "invitation"
PASSWORD_RESET = "password_reset"
INVITATION_SUBJECT = "You are invited to Touchpoint"
RESET_SUBJECT = "Reset your Touchpoint password"


def link_url(path: str) -> str:
    """The absolute address of ``path`` on the public site (``PUBLIC_BASE_URL``)."""
    return current_app.config["PUBLIC_BASE_URL"] + path


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
    )


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
