"""Deleting call recordings after the retention period (and any recording that should not exist).

The domain says which recordings go and records that they went; the caller
deletes them at Twilio and removes the local files.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from audits.models import Call
from audits.telephony.calls import RECORDED_CODES


def recordings_to_delete(session: Session, now: datetime, retention_days: int) -> list[str]:
    """The SIDs of recordings older than ``retention_days``, or made where recording was not allowed."""
    cutoff = now - timedelta(days=retention_days)
    return list(
        session.scalars(
            select(Call.recording_sid)
            .where(
                Call.recording_sid.is_not(None),
                Call.recording_deleted_at.is_(None),
                or_(Call.created_at < cutoff, Call.recording_policy.not_in(RECORDED_CODES)),
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
