"""Recordings in the background: fetch each one from Twilio, and delete them after the retention period.

Recordings are kept under ``EVIDENCE_DIR/recordings`` with random names, outside
the web root, and played back only through a permission-checked route. The
daily ``touchpoint.purge_recordings`` task (Celery beat) first fetches any
recording a failed download left behind, then deletes expired ones at Twilio and
locally.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from celery import shared_task
from flask import current_app
from requests import RequestException
from twilio.base.exceptions import TwilioException

from app.extensions import db
from app.telephony.client import delete_recording, fetch_recording, twilio_configured
from audits.errors import StorageFullError
from audits.models import Call
from audits.storage import write_file
from audits.telephony.calls import RECORDED_CODES, pending_downloads, recording_downloaded
from audits.telephony.retention import recording_deleted, recordings_to_delete
from audits.timeutil import utcnow

log = logging.getLogger(__name__)

TWILIO_ERRORS = (TwilioException, RequestException, RuntimeError)


def recordings_dir() -> Path:
    """Where downloaded recordings live."""
    return Path(current_app.config["EVIDENCE_DIR"]) / "recordings"


def download_recording(call_id: int) -> bool:
    """Fetch the recording of call leg ``call_id`` from Twilio and keep it; return whether it was stored."""
    call = db.session.get(Call, call_id)
    if (
        call is None
        or not call.recording_sid
        or call.recording_path
        or call.recording_deleted_at is not None
        or call.recording_policy not in RECORDED_CODES
    ):
        return False
    try:
        data = fetch_recording(call.recording_sid)
    except TWILIO_ERRORS:
        log.warning("could not fetch recording %s; it will be tried again", call.recording_sid, exc_info=True)
        return False
    name = f"{secrets.token_hex(16)}.mp3"
    try:
        write_file(recordings_dir() / name, data, mode=0o600)
    except StorageFullError:
        log.error("storage is full: recording %s not stored; it will be tried again", call.recording_sid)
        return False
    recording_downloaded(call, name)
    db.session.commit()
    return True


@dataclass(frozen=True)
class PurgeReport:
    """What a purge did."""

    deleted: int
    failed: int


def purge_recordings(now: datetime | None = None) -> PurgeReport:
    """Delete every expired recording at Twilio, then locally; one Twilio refuses is kept for next time."""
    now = now or utcnow()
    folder = recordings_dir()
    deleted = failed = 0
    for sid in recordings_to_delete(db.session, now, current_app.config["RECORDING_RETENTION_DAYS"]):
        try:
            delete_recording(sid)
        except TWILIO_ERRORS:
            log.warning("could not delete recording %s at Twilio", sid, exc_info=True)
            failed += 1
            continue
        files = recording_deleted(db.session, sid, now)
        db.session.commit()  # Twilio has deleted it: record that before anything else can fail
        for name in files:
            (folder / name).unlink(missing_ok=True)
        deleted += 1
    return PurgeReport(deleted, failed)


@shared_task(name="touchpoint.download_recording")
def download_recording_task(call_id: int) -> bool:
    """Fetch one recording (queued by the recording callback)."""
    return download_recording(call_id)


@shared_task(name="touchpoint.purge_recordings")
def purge_recordings_task() -> int:
    """Daily: fetch recordings left behind, then delete expired ones. Returns how many were deleted."""
    if not twilio_configured(current_app.config):
        return 0
    for call in pending_downloads(db.session):
        download_recording(call.id)
    return purge_recordings().deleted
