"""The retention purge, run from the command line or daily by Celery beat.

``run_purge`` reads the keeping periods from the configuration, lets
``audits.retention.purge_expired`` change the rows, commits, and only then deletes the
files it released, so a record never points at a file that is gone. What each run
removed is kept in ``retention_purges`` and logged.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

from celery import shared_task
from flask import current_app

from app.extensions import db
from audits.retention import PurgeReport, RetentionPolicy, purge_expired, remove_files
from audits.timeutil import utcnow

log = logging.getLogger(__name__)


def retention_policy() -> RetentionPolicy:
    """The keeping period of each kind of evidence, from the configuration."""
    config = current_app.config
    return RetentionPolicy(
        photo_school_years=config["PHOTO_RETENTION_SCHOOL_YEARS"],
        email_school_years=config["EMAIL_RETENTION_SCHOOL_YEARS"],
        text_school_years=config["TEXT_RETENTION_SCHOOL_YEARS"],
        recording_days=config["RECORDING_RETENTION_DAYS"],
    )


def run_purge(now: datetime | None = None, *, dry_run: bool = False) -> PurgeReport:
    """Purge expired evidence and free texts (or, with ``dry_run``, only count them)."""
    now = now or utcnow()
    try:
        report = purge_expired(
            db.session, retention_policy(), now, Path(current_app.config["EVIDENCE_DIR"]), dry_run=dry_run
        )
    except Exception:
        db.session.rollback()
        raise
    if dry_run:
        db.session.rollback()
        return report
    db.session.commit()
    remove_files(report.files)
    log.info(
        "retention purge: %s; rounds on legal hold skipped: %s",
        report.summary(),
        report.held_round_ids or "none",
    )
    return report


@shared_task(name="touchpoint.purge_expired_evidence")
def purge_expired_evidence_task() -> dict[str, int]:
    """Daily: purge evidence and free texts past their keeping period. Returns the counts per kind."""
    return run_purge().counts
