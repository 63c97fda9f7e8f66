"""Deleting call recordings after the retention period (and any recording that should not exist).

The domain says which recordings go and records that they went; the caller
deletes them at Twilio and removes the local files.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from audits.models import Assignment, Call, Contact, Round
from audits.telephony.calls import RECORDED_CODES


def recordings_to_delete(session: Session, now: datetime, retention_days: int) -> list[str]:
    """The SIDs of recordings older than ``retention_days``, or made where recording was not allowed.

    A round on legal hold keeps its recordings past the retention period (see ``audits.holds``);
    a recording that should never have been made goes all the same.
    """
    cutoff = now - timedelta(days=retention_days)
    return list(
        session.scalars(
            select(Call.recording_sid)
            .join(Contact, Call.contact_id == Contact.id)
            .join(Assignment, Contact.assignment_id == Assignment.id)
            .join(Round, Assignment.round_id == Round.id)
            .where(
                Call.recording_sid.is_not(None),
                Call.recording_deleted_at.is_(None),
                or_(
                    and_(Call.created_at < cutoff, Round.legal_hold_at.is_(None)),
                    Call.recording_policy.not_in(RECORDED_CODES),
                ),
            )
            .order_by(Call.id)
        )
    )


def recording_deleted(session: Session, recording_sid: str, now: datetime) -> list[str]:
    """Mark the recording ``recording_sid`` deleted; return the local files to remove."""
    calls = session.scalars(select(Call).where(Call.recording_sid == recording_sid)).all()
    files = [call.recording_path for call in calls if call.recording_path]
    for call in calls:
        call.recording_deleted_at = now
        call.recording_path = None
    session.flush()
    return files
