"""Inviting people: who may invite whom, and creating the invited account with its first link.

An invited person is a ``User`` created inactive with no usable password
(``User.invitation_pending``); following the invitation's link lets them choose one and
switches the account on (``audits.account_links.redeem``). Administrators invite anyone;
district leaders invite reviewers, auditors and principals of their own district.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from audits import audit_log
from audits.access import Action, allowed
from audits.account_links import issue_link, live_links, revoke_links
from audits.accounts import NewUser, create_user
from audits.errors import ConflictError, NotAllowedError
from audits.models import AccountLink, District, LinkPurpose, Role, User
from audits.timeutil import utcnow

# The roles a district leader may invite into their district.
LEADER_INVITES = (Role.REVIEWER, Role.AUDITOR, Role.PRINCIPAL)


def roles_invitable_by(actor: User) -> list[Role]:
    """The roles ``actor`` may invite people to (none if they may not invite)."""
    if not allowed(actor, Action.INVITE_USERS):
        return []
    return list(Role) if actor.role is Role.ADMIN else list(LEADER_INVITES)


def may_manage_invitation(actor: User, invited: User) -> bool:
    """Whether ``actor`` may resend or revoke ``invited``'s invitation."""
    if invited.role not in roles_invitable_by(actor):
        return False
    if actor.role is Role.ADMIN:
        return True
    return invited.district is not None and allowed(actor, Action.INVITE_USERS, invited.district)


def invite(
    session: Session,
    actor: User | None,
    new: NewUser,
    now: datetime | None = None,
    lifetime: timedelta | None = None,
) -> tuple[User, AccountLink, str]:
    """Create the invited account ``new`` (its password is ignored) and its invitation link.

    ``actor`` ``None`` is the command line, which may invite anyone. Returns the person, the
    link and its token, which belongs in the invitation email only.
    """
    if actor is not None:
        if new.role not in roles_invitable_by(actor):
            raise NotAllowedError("role", f"you may not invite a {new.role.label.lower()}")
        if actor.role is not Role.ADMIN:
            district = session.get(District, new.district_id) if new.district_id is not None else None
            if district is None or not allowed(actor, Action.INVITE_USERS, district):
                raise NotAllowedError("district", "you may invite people to your own district only")
    new.password = None
    user = create_user(session, new)
    link, plaintext = send_invitation(session, actor, user, now=now, lifetime=lifetime)
    return user, link, plaintext


def send_invitation(
    session: Session,
    actor: User | None,
    invited: User,
    now: datetime | None = None,
    lifetime: timedelta | None = None,
) -> tuple[AccountLink, str]:
    """The first invitation link of ``invited``, an account created invited (by ``invite`` or a
    staff import), written in the audit log; the token belongs in the invitation email only."""
    link, plaintext = issue_link(
        session, invited, LinkPurpose.INVITATION, by=actor, now=now, lifetime=lifetime
    )
    audit_log.record(session, actor, audit_log.USER_INVITED, invited, role=invited.role.value)
    return link, plaintext


def resend(
    session: Session,
    actor: User | None,
    invited: User,
    now: datetime | None = None,
    lifetime: timedelta | None = None,
) -> tuple[AccountLink, str]:
    """A fresh invitation link for ``invited`` (the earlier one stops working)."""
    if actor is not None and not may_manage_invitation(actor, invited):
        raise NotAllowedError("user", "you may not invite this person")
    if not invited.invitation_pending:
        raise ConflictError("user", f"{invited.email} has no invitation waiting")
    issued = issue_link(session, invited, LinkPurpose.INVITATION, by=actor, now=now, lifetime=lifetime)
    audit_log.record(session, actor, audit_log.USER_INVITATION_RESENT, invited)
    return issued


def withdraw(session: Session, actor: User | None, invited: User, now: datetime | None = None) -> int:
    """Revoke ``invited``'s live invitation links (the account stays, inactive); return how many."""
    if actor is not None and not may_manage_invitation(actor, invited):
        raise NotAllowedError("user", "you may not invite this person")
    if not invited.invitation_pending:
        raise ConflictError("user", f"{invited.email} has no invitation waiting")
    withdrawn = revoke_links(session, invited, LinkPurpose.INVITATION, now or utcnow())
    audit_log.record(session, actor, audit_log.USER_INVITATION_WITHDRAWN, invited)
    return withdrawn


def waiting_invitations(
    session: Session, actor: User, now: datetime | None = None
) -> list[tuple[User, AccountLink | None]]:
    """The people ``actor`` invited (or may manage) who have not accepted yet, each with their live link."""
    now = now or utcnow()
    roles = roles_invitable_by(actor)
    query = select(User).where(User.active.is_(False), User.last_login_at.is_(None), User.role.in_(roles))
    if actor.role is not Role.ADMIN:
        query = query.where(User.district_id == actor.district_id)
    people = [user for user in session.scalars(query.order_by(User.email)) if user.invitation_pending]
    return [(user, invitation_waiting(session, user, now)) for user in people]


def invitation_waiting(session: Session, invited: User, now: datetime | None = None) -> AccountLink | None:
    """``invited``'s live invitation link, if one is waiting to be followed."""
    links = live_links(session, invited, LinkPurpose.INVITATION, now or utcnow())
    return links[0] if links else None
