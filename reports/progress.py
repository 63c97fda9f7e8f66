"""Progress of a round's scorecard batch as the round page shows it; its file: ``STORAGE_DIR/progress/``.

A batch started from the web is a ``Job`` row (state, counts, heartbeat): the
page's ``Progress`` is built from it. The file keeps what the row does not, the
list of failed schools with their reasons, and the progress of a command-line
batch. It is best-effort, written whole (``audits.storage.write_file``) so a
reader never sees half of it; a failed write never stops a batch.
"""

from __future__ import annotations

import fcntl
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from audits.storage import write_file
from audits.timeutil import utcnow

QUEUED = "queued"
RUNNING = "running"
DONE = "done"
FAILED = "failed"
INTERRUPTED = "interrupted"
# A command-line batch whose file has not been written for this long is taken as dead (killed).
# (A batch started from the web is judged by its job's heartbeat: ``JOB_HEARTBEAT_TIMEOUT``.)
STALE_AFTER = timedelta(minutes=2)


@dataclass
class Progress:
    """Where a batch is: its state, counts, failures (school and reason) and times."""

    round_id: int
    state: str = QUEUED
    total: int = 0
    done: int = 0
    built: int = 0
    unchanged: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)
    message: str = ""
    started_at: str = ""
    updated_at: str = ""
    finished_at: str = ""
    task_id: str = ""
    job_id: int = 0
    # Its worker died: the batch waits to be resumed (set from the job's heartbeat).
    interrupted: bool = False

    @property
    def finished(self) -> bool:
        """Whether the batch has ended, well or badly."""
        return self.state in (DONE, FAILED)

    def is_stale(self, now: datetime | None = None) -> bool:
        """Whether the batch's worker died: an interrupted job, or a file not written for long."""
        if self.interrupted:
            return True
        if self.finished or not self.updated_at:
            return False
        return (now or utcnow()) - datetime.fromisoformat(self.updated_at) > STALE_AFTER

    @property
    def active(self) -> bool:
        """Whether a batch is under way now (queued or running, and not stale)."""
        return not self.finished and not self.is_stale()

    def as_json(self) -> dict[str, Any]:
        """The JSON the round page polls."""
        data = asdict(self)
        data["failures"] = [{"school": school, "reason": reason} for school, reason in self.failures]
        data["stale"] = self.is_stale()
        data["active"] = self.active
        return data


def progress_path(storage_dir: Path, round_id: int) -> Path:
    """Where the progress of round ``round_id``'s batch is kept."""
    return Path(storage_dir) / "progress" / f"{int(round_id)}.json"


@contextmanager
def progress_locked(storage_dir: Path, round_id: int) -> Iterator[None]:
    """Hold round ``round_id``'s batch lock: one process at a time checks and claims the batch.

    An advisory ``flock`` on a file beside the progress file, so it holds across
    every web process and worker that shares the storage directory on this machine.
    """
    path = progress_path(storage_dir, round_id).with_suffix(".lock")
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def read_progress(storage_dir: Path, round_id: int) -> Progress | None:
    """The last progress written for the round, or ``None`` when no batch ever ran (or the file is bad)."""
    path = progress_path(storage_dir, round_id)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        data["failures"] = [tuple(pair) for pair in data.get("failures", [])]
        return Progress(**data)
    except (OSError, ValueError, TypeError):
        return None


def write_progress(storage_dir: Path, progress: Progress) -> None:
    """Store ``progress`` atomically, stamping ``updated_at``; a full disk raises ``StorageFullError``."""
    progress.updated_at = utcnow().isoformat()
    write_file(progress_path(storage_dir, progress.round_id), json.dumps(asdict(progress)).encode(), None)
