"""Files and rows that disagree: orphans (files no row refers to) and missing files (rows whose file is gone).

Evidence files live under ``EVIDENCE_DIR`` (``Evidence.storage_name``) and call
recordings under ``EVIDENCE_DIR/recordings`` (``Call.recording_path``); scorecard
PDFs under ``STORAGE_DIR/scorecards`` (``Scorecard.path``). A file is an orphan only
once it is older than a grace period (``ORPHAN_GRACE``, longer for the retention
purge): a younger one may be a write still under way, a temporary file
(``.<name>.<random>.tmp``) not yet renamed or a file whose row is not yet committed.
District summaries and batch progress are caches rebuilt on demand: never orphans.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from audits.models import Call, Evidence, Scorecard
from audits.timeutil import utcnow

ORPHAN_GRACE = timedelta(hours=1)
RECORDINGS = "recordings"
SCORECARDS = "scorecards"


@dataclass
class StorageReport:
    """What ``check_storage`` found: orphan files, and ``(what, expected path)`` of missing ones."""

    orphans: list[Path] = field(default_factory=list)
    missing: list[tuple[str, Path]] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        """Whether files and rows agree."""
        return not self.orphans and not self.missing


def _files(folder: Path) -> set[Path]:
    """The regular files directly in ``folder`` (none when it does not exist)."""
    if not folder.is_dir():
        return set()
    return {path for path in folder.iterdir() if path.is_file()}


def _young(path: Path, now: datetime, grace: timedelta) -> bool:
    return now - datetime.fromtimestamp(path.stat().st_mtime, UTC) < grace


def _expected(session: Session, evidence_dir: Path, storage_dir: Path | None) -> dict[Path, str]:
    """Every file a row refers to, and what refers to it (scorecards only with ``storage_dir``)."""
    expected: dict[Path, str] = {}
    for evidence_id, name in session.execute(select(Evidence.id, Evidence.storage_name)):
        expected[evidence_dir / name] = f"evidence {evidence_id}"
    recordings = select(Call.id, Call.recording_path).where(Call.recording_path.is_not(None))
    for call_id, name in session.execute(recordings):
        expected[evidence_dir / RECORDINGS / name] = f"recording of call {call_id}"
    if storage_dir is not None:
        for card_id, path in session.execute(select(Scorecard.id, Scorecard.path)):
            expected[storage_dir / path] = f"scorecard {card_id}"
    return expected


def _orphans(
    expected: dict[Path, str], evidence_dir: Path, storage_dir: Path | None, now: datetime, grace: timedelta
) -> list[Path]:
    present = _files(evidence_dir) | _files(evidence_dir / RECORDINGS)
    if storage_dir is not None:
        present |= _files(storage_dir / SCORECARDS)
    return sorted(path for path in present - set(expected) if not _young(path, now, grace))


def find_orphans(
    session: Session,
    evidence_dir: Path,
    storage_dir: Path | None,
    now: datetime,
    grace: timedelta = ORPHAN_GRACE,
) -> list[Path]:
    """Files no row refers to and last written more than ``grace`` before ``now``.

    The evidence folder and its recordings; the scorecards too when ``storage_dir`` is given.
    """
    return _orphans(_expected(session, evidence_dir, storage_dir), evidence_dir, storage_dir, now, grace)


def check_storage(
    session: Session, evidence_dir: Path, storage_dir: Path, now: datetime | None = None
) -> StorageReport:
    """Compare the stored files with the rows that refer to them."""
    now = now or utcnow()
    report = StorageReport()
    expected = _expected(session, evidence_dir, storage_dir)
    report.orphans = _orphans(expected, evidence_dir, storage_dir, now, ORPHAN_GRACE)
    report.missing = sorted(
        ((what, path) for path, what in expected.items() if not path.is_file()), key=lambda pair: pair[1]
    )
    return report


def remove_orphans(report: StorageReport) -> int:
    """Delete the orphan files of ``report``; return how many were removed."""
    removed = 0
    for path in report.orphans:
        try:
            path.unlink()
        except FileNotFoundError:
            continue
        removed += 1
    return removed
