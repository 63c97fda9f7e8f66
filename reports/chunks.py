"""A round's scorecard batch split into chunks that many workers build in parallel; their ledger.

The batch's schools are split into chunks of ``size`` (``split``); each chunk is one
task any worker may take. The ledger, a JSON file per job under
``<storage>/progress/chunks/``, keeps each chunk's tally (done, built, unchanged,
failed, the failures with their reasons, whether it finished) and the claim that
dispatched them. Every write holds a ``flock`` on the ledger, so chunks finishing at
the same time agree on which of them was the last (``ChunkWrite.completed``): that
one ends the job.

A chunk that starts again (its worker died, the broker redelivered it) begins its
tally anew: the scorecards its first run committed count as unchanged, never twice.
A ledger whose claim is not the writer's (the job was resumed by a newer claim)
refuses the write, so a leftover task of an earlier claim cannot disturb the counts.
"""

from __future__ import annotations

import fcntl
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

from audits.storage import write_file


def split(school_ids: list[int], size: int) -> list[list[int]]:
    """``school_ids`` in order, cut into chunks of at most ``size`` (one chunk when ``size`` < 1)."""
    if size < 1:
        return [list(school_ids)] if school_ids else []
    return [school_ids[start : start + size] for start in range(0, len(school_ids), size)]


@dataclass
class ChunkTally:
    """One chunk's progress: its schools, what it did so far, and whether it finished."""

    schools: list[int]
    done: int = 0
    built: int = 0
    unchanged: int = 0
    failed: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)
    finished: bool = False
    # Why the chunk stopped before its end (the disk is full), or "".
    stopped: str = ""


@dataclass
class Ledger:
    """Every chunk of one job, under the claim that dispatched them."""

    job_id: int
    claim: str
    chunks: list[ChunkTally]

    @property
    def total(self) -> int:
        """How many schools the chunks hold."""
        return sum(len(chunk.schools) for chunk in self.chunks)

    @property
    def done(self) -> int:
        """Schools finished (built, unchanged or failed) over all chunks."""
        return sum(chunk.done for chunk in self.chunks)

    @property
    def built(self) -> int:
        """Scorecards built over all chunks."""
        return sum(chunk.built for chunk in self.chunks)

    @property
    def unchanged(self) -> int:
        """Scorecards left as they were over all chunks."""
        return sum(chunk.unchanged for chunk in self.chunks)

    @property
    def failed(self) -> int:
        """Schools that failed over all chunks."""
        return sum(chunk.failed for chunk in self.chunks)

    @property
    def failures(self) -> list[tuple[str, str]]:
        """Every failed school (label, reason), chunk by chunk."""
        return [failure for chunk in self.chunks for failure in chunk.failures]

    @property
    def finished(self) -> bool:
        """Whether every chunk has finished."""
        return all(chunk.finished for chunk in self.chunks)

    @property
    def stopped(self) -> str:
        """Why a chunk stopped early (the first reason), or ""."""
        return next((chunk.stopped for chunk in self.chunks if chunk.stopped), "")

    def summary(self) -> str:
        """``built N, unchanged U, failed F`` (and why it stopped, if it did), as a single batch says it."""
        line = f"built {self.built}, unchanged {self.unchanged}, failed {self.failed}"
        return f"{line}; stopped: {self.stopped}" if self.stopped else line


@dataclass(frozen=True)
class ChunkWrite:
    """What a chunk's write found: the ledger after it, and whether this write finished the last chunk."""

    ledger: Ledger
    completed: bool


class ClaimTakenError(RuntimeError):
    """The ledger belongs to a newer claim of the job: this chunk's task is a leftover and stops."""


def ledger_path(storage_dir: Path, job_id: int) -> Path:
    """Where job ``job_id``'s chunk ledger is kept."""
    return Path(storage_dir) / "progress" / "chunks" / f"{int(job_id)}.json"


@contextmanager
def _locked(storage_dir: Path, job_id: int) -> Iterator[Path]:
    path = ledger_path(storage_dir, job_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.with_suffix(".lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield path
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _read(path: Path) -> Ledger | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    chunks = [
        ChunkTally(**{**chunk, "failures": [tuple(pair) for pair in chunk["failures"]]})
        for chunk in data["chunks"]
    ]
    return Ledger(data["job_id"], data["claim"], chunks)


def _write(path: Path, ledger: Ledger) -> None:
    write_file(path, json.dumps(asdict(ledger)).encode(), None)


def read_ledger(storage_dir: Path, job_id: int) -> Ledger | None:
    """Job ``job_id``'s ledger, or ``None`` when it was never chunked (or the file is unreadable)."""
    return _read(ledger_path(storage_dir, job_id))


def start_ledger(storage_dir: Path, job_id: int, claim: str, chunks: list[list[int]]) -> Ledger:
    """Write the ledger of a dispatch under ``claim``; return it.

    A job resumed under a new claim keeps the tallies of the chunks that had finished
    (their schools are not dispatched again) when it splits the same way; every other
    chunk starts from nothing.
    """
    with _locked(storage_dir, job_id) as path:
        earlier = _read(path)
        kept = {
            tuple(chunk.schools): chunk
            for chunk in (earlier.chunks if earlier is not None else [])
            if chunk.finished and not chunk.stopped
        }
        ledger = Ledger(job_id, claim, [kept.get(tuple(ids)) or ChunkTally(list(ids)) for ids in chunks])
        _write(path, ledger)
        return ledger


def begin_chunk(storage_dir: Path, job_id: int, claim: str, index: int) -> bool:
    """Start chunk ``index`` anew (its tally from nothing); ``False`` if it already finished.

    Raises ``ClaimTakenError`` if the job has a newer claim.
    """
    with _locked(storage_dir, job_id) as path:
        ledger = _read(path)
        if ledger is None or ledger.claim != claim or not 0 <= index < len(ledger.chunks):
            raise ClaimTakenError(f"job {job_id} has a newer claim than {claim}")
        if ledger.chunks[index].finished:
            return False
        ledger.chunks[index] = ChunkTally(ledger.chunks[index].schools)
        _write(path, ledger)
        return True


def record_chunk(storage_dir: Path, job_id: int, claim: str, index: int, tally: ChunkTally) -> ChunkWrite:
    """Store chunk ``index``'s tally under ``claim``; ``ClaimTakenError`` if the job has a newer claim."""
    with _locked(storage_dir, job_id) as path:
        ledger = _read(path)
        if ledger is None or ledger.claim != claim or not 0 <= index < len(ledger.chunks):
            raise ClaimTakenError(f"job {job_id} has a newer claim than {claim}")
        was_finished = ledger.finished
        ledger.chunks[index] = tally
        _write(path, ledger)
        return ChunkWrite(ledger, completed=ledger.finished and not was_finished)
