"""The audit log: record who changed what about a person, and list it back newest first.

``record`` is called in the same transaction as the change it describes (it flushes, the
caller commits), so the entry and the change are kept or lost together. ``details`` say what
changed, as ``[before, after]`` pairs or plain facts; never a password, a hash or a token.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from audits.models import AuditEntry, District, User
from audits.paging import Page, paginate
from audits.timeutil import utcnow

# The short codes of the actions recorded today.
USER_DEACTIVATED = "user.deactivated"
USER_REACTIVATED = "user.reactivated"
USER_ROLE_CHANGED = "user.role_changed"
USER_SCHOOLS_CHANGED = "user.schools_changed"
USER_SIGN_IN_THROTTLE_CLEARED = "user.sign_in_throttle_cleared"
USER_INVITED = "user.invited"
USER_INVITATION_RESENT = "user.invitation_resent"
USER_INVITATION_WITHDRAWN = "user.invitation_withdrawn"
USER_TWO_STEP_ON = "user.two_step_on"
USER_TWO_STEP_OFF = "user.two_step_off"
USER_RECOVERY_CODES_RENEWED = "user.recovery_codes_renewed"
USER_TWO_STEP_RESET = "user.two_step_reset"
DISTRICT_SIGN_IN_CHANGED = "district.sign_in_changed"
STAFF_IMPORTED = "district.staff_imported"
SCHOOLS_IMPORTED = "schools.imported"
SCHOOLS_IMPORT_UNDONE = "schools.import_undone"
SCHOOLS_DIRECTORY_IMPORTED = "schools.directory_imported"
ROUND_CLOSED = "round.closed"
ROUND_REOPENED = "round.reopened"
# Each action in the words the audit log page shows, in the order its filter lists them.
ACTIONS = {
    USER_INVITED: "Invited",
    USER_INVITATION_RESENT: "Invitation sent again",
    USER_INVITATION_WITHDRAWN: "Invitation withdrawn",
    USER_DEACTIVATED: "Deactivated",
    USER_REACTIVATED: "Reactivated",
    USER_ROLE_CHANGED: "Role changed",
    USER_SCHOOLS_CHANGED: "Schools changed",
    USER_SIGN_IN_THROTTLE_CLEARED: "Let sign in again",
    USER_TWO_STEP_ON: "Two-step sign-in turned on",
    USER_TWO_STEP_OFF: "Two-step sign-in turned off",
    USER_RECOVERY_CODES_RENEWED: "New recovery codes",
    USER_TWO_STEP_RESET: "Two-step sign-in reset",
    DISTRICT_SIGN_IN_CHANGED: "Sign-in settings changed",
    STAFF_IMPORTED: "Staff imported",
    SCHOOLS_IMPORTED: "Schools imported (NCES file)",
    SCHOOLS_DIRECTORY_IMPORTED: "School directory imported",
    SCHOOLS_IMPORT_UNDONE: "School import undone",
    ROUND_CLOSED: "Round closed",
    ROUND_REOPENED: "Round reopened",
}
# Words that must never be kept in an entry's details.
_SECRET_WORDS = ("password", "hash", "token", "secret")


def record(
    session: Session,
    actor: User | None,
    action: str,
    subject: User | None = None,
    district: District | None = None,
    **details: Any,
) -> AuditEntry:
    """Add an entry: ``actor`` (``None``: the command line) took ``action`` on ``subject``; flush.

    The district defaults to the subject's. Details whose name speaks of a password, hash,
    token or secret are refused (``ValueError``): the log is read by people who must not see them.
    """
    refused = [name for name in details if any(word in name.lower() for word in _SECRET_WORDS)]
    if refused:
        raise ValueError(f"the audit log keeps no secrets: {', '.join(sorted(refused))}")
    district_id = district.id if district is not None else (subject.district_id if subject else None)
    entry = AuditEntry(
        at=utcnow(),
        actor_id=actor.id if actor is not None else None,
        action=action,
        subject_user_id=subject.id if subject is not None else None,
        district_id=district_id,
        details=details,
    )
    session.add(entry)
    session.flush()
    return entry


def entries(
    session: Session,
    *,
    action: str | None = None,
    subject_id: int | None = None,
    district_id: int | None = None,
    page: int = 1,
    per_page: int = 50,
) -> Page[AuditEntry]:
    """Entries newest first, optionally only of ``action``, about ``subject_id``, in ``district_id``."""
    stmt = (
        select(AuditEntry)
        .options(selectinload(AuditEntry.actor), selectinload(AuditEntry.subject))
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    )
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    if subject_id is not None:
        stmt = stmt.where(AuditEntry.subject_user_id == subject_id)
    if district_id is not None:
        stmt = stmt.where(AuditEntry.district_id == district_id)
    return paginate(session, stmt, page, per_page)
