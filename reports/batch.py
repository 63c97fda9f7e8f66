"""Build a round's scorecards: figures once in this process, PDFs here or in worker processes, files by hash.

A scorecard is rebuilt only when its inputs changed: the inputs hash covers the
school's figures and ``render_version()`` (templates, styles, chart code, fonts,
WeasyPrint). An unchanged hash whose file is still on disk is left alone. Files
are named by the SHA-256 of their bytes under ``<storage>/scorecards/``; the
database keeps token, hashes, path, size and build time. A school that fails
(figures or rendering) is reported with its reason; the others go on.

With ``workers`` > 1 rendering runs in a pool of worker processes, each with its
own renderer and font configuration; they need no database, because every
figure is gathered here first in a fixed number of queries.
"""

from __future__ import annotations

import gc
import hashlib
import json
import logging
import multiprocessing
import os
import resource
import secrets
import shutil
import threading
import time
from collections.abc import Callable, Generator, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from contextlib import closing, contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime
from multiprocessing.context import BaseContext
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from audits.errors import ConflictError, StorageFullError
from audits.models import Round, RoundStatus, Scorecard
from audits.storage import write_file
from audits.timeutil import utcnow
from reports.figures import ScorecardData, gather_round
from reports.render import identifier_for, render_version, shared_renderer

log = logging.getLogger(__name__)
SCORECARD_FOLDER = "scorecards"
GC_THRESHOLD = 50_000
BUILDABLE = (RoundStatus.IN_FIELD, RoundStatus.CLOSED, RoundStatus.PUBLISHED)


@dataclass(frozen=True)
class SchoolRef:
    """A school as a batch reports it."""

    id: int
    nces_id: str
    name: str

    @property
    def label(self) -> str:
        """``Abess Park Elementary School (120048003173)``."""
        return f"{self.name} ({self.nces_id})"


# progress(done, total, school just finished or None at the start, its failure reason or None)
ProgressCallback = Callable[[int, int, SchoolRef | None, str | None], None]


@dataclass
class BuildReport:
    """What a batch did, school by school, and where its time went."""

    built: list[SchoolRef] = field(default_factory=list)
    unchanged: list[SchoolRef] = field(default_factory=list)
    failed: list[tuple[SchoolRef, str]] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    gather_seconds: float = 0.0
    html_seconds: list[float] = field(default_factory=list)
    pdf_seconds: list[float] = field(default_factory=list)
    worker_peak_kb: dict[int, int] = field(default_factory=dict)
    # Why the batch stopped before the end (the disk is full), or "".
    stopped: str = ""

    def summary(self) -> str:
        """``built N, unchanged U, failed F`` (and why it stopped, if it did)."""
        line = f"built {len(self.built)}, unchanged {len(self.unchanged)}, failed {len(self.failed)}"
        return f"{line}; stopped: {self.stopped}" if self.stopped else line


@dataclass(frozen=True)
class RenderJob:
    """One scorecard to render: its figures, inputs hash and where to put the file."""

    school_id: int
    data: ScorecardData
    inputs_hash: str
    storage_dir: str


@dataclass(frozen=True)
class RenderOutcome:
    """What rendering one scorecard gave: a stored file, or the reason it failed."""

    school_id: int
    content_hash: str = ""
    path: str = ""
    size: int = 0
    html_seconds: float = 0.0
    pdf_seconds: float = 0.0
    error: str = ""
    pid: int = 0
    peak_kb: int = 0
    storage_full: bool = False


def inputs_hash(data: Any) -> str:
    """SHA-256 over the rendering version and a document's figures (a dataclass, as canonical JSON)."""
    figures = json.dumps(asdict(data), sort_keys=True, default=str, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(f"{render_version()}\n{figures}".encode()).hexdigest()


def _describe(error: BaseException) -> str:
    cause = error.__cause__ or error.__context__
    if cause is not None and type(error).__name__ == "FatalURLFetchingError":
        return f"{error} ({cause})"
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__


def store_pdf(storage_dir: Path, pdf: bytes) -> tuple[str, str]:
    """Write ``pdf`` under its content hash (once) and return ``(content hash, path relative to storage)``."""
    digest = hashlib.sha256(pdf).hexdigest()
    relative = f"{SCORECARD_FOLDER}/{digest}.pdf"
    target = Path(storage_dir) / relative
    if not target.exists():
        write_file(target, pdf, field="round")
    return digest, relative


def render_job(job: RenderJob) -> RenderOutcome:
    """Render and store one scorecard (in this process or a worker); never raises."""
    try:
        rendered = shared_renderer().scorecard(job.data, identifier_for(job.inputs_hash))
        content_hash, path = store_pdf(Path(job.storage_dir), rendered.pdf)
    except StorageFullError as error:  # no partial file is left; the batch stops
        return RenderOutcome(job.school_id, error=error.reason, pid=os.getpid(), storage_full=True)
    except Exception as error:  # one school's failure must not stop the batch
        return RenderOutcome(job.school_id, error=_describe(error), pid=os.getpid())
    return RenderOutcome(
        job.school_id,
        content_hash=content_hash,
        path=path,
        size=len(rendered.pdf),
        html_seconds=rendered.html_seconds,
        pdf_seconds=rendered.pdf_seconds,
        pid=os.getpid(),
        peak_kb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    )


@contextmanager
def batch_gc() -> Iterator[None]:
    """Collect cyclic garbage less often while rendering a batch (a quarter of WeasyPrint's time otherwise).

    What exists before the batch (the app, the figures, the renderer) is frozen out
    of the collector's scans, and the youngest generation is collected every
    ``GC_THRESHOLD`` allocations instead of 700; memory stays flat because each
    document's garbage is still collected, just in larger sweeps.
    """
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(GC_THRESHOLD, *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


def _warm_worker() -> None:
    """Start a worker: renderer ready (fonts and stylesheets loaded once), batch GC settings on."""
    shared_renderer()
    gc.freeze()
    gc.set_threshold(GC_THRESHOLD, *gc.get_threshold()[1:])


def ensure_buildable(round_: Round) -> None:
    """Refuse rounds with no fieldwork yet (a draft or a scheduled round)."""
    if round_.status not in BUILDABLE:
        raise ConflictError(
            "round", f"{round_.name} is {round_.status.label.lower()}: scorecards come once fieldwork starts"
        )


def build_scorecards(
    session: Session,
    round_: Round,
    storage_dir: Path,
    school_ids: set[int] | None = None,
    progress: ProgressCallback | None = None,
    force: bool = False,
    workers: int = 1,
    out_dir: Path | None = None,
    kept_since: datetime | None = None,
) -> BuildReport:
    """Build the round's scorecards (or ``school_ids``'); store rows and files; the caller commits.

    With ``out_dir`` every requested scorecard that exists afterwards (built or
    unchanged) is also copied there as ``<NCES id>.pdf``. With ``kept_since`` (a
    resumed batch), a scorecard built since then from the same inputs is kept even
    with ``force``: the interrupted run built it. The progress callback runs after
    each school's row is set, so it may commit it. When the disk fills up the batch
    stops at once: what was built is kept and ``report.stopped`` says why.
    """
    ensure_buildable(round_)
    storage_dir = Path(storage_dir)
    report = BuildReport()
    started = time.perf_counter()
    figures = gather_round(session, round_, school_ids)
    report.gather_seconds = time.perf_counter() - started
    schools = {s.id: SchoolRef(s.id, s.nces_id, s.name) for s in figures.schools}
    total = len(schools)
    notify: ProgressCallback = progress or (lambda *_: None)
    notify(0, total, None, None)
    existing = {
        card.school_id: card
        for card in session.scalars(select(Scorecard).where(Scorecard.round_id == round_.id))
        if card.school_id in schools
    }
    jobs: list[RenderJob] = []
    done = 0
    for school_id, reason in figures.failures.items():
        report.failed.append((schools[school_id], reason))
        done += 1
        notify(done, total, schools[school_id], reason)
    for school_id, data in figures.scorecards.items():
        digest = inputs_hash(data)
        card = existing.get(school_id)
        if (
            card is not None
            and (not force or (kept_since is not None and card.built_at >= kept_since))
            and card.inputs_hash == digest
            and (storage_dir / card.path).is_file()
        ):
            report.unchanged.append(schools[school_id])
            done += 1
            notify(done, total, schools[school_id], None)
        else:
            jobs.append(RenderJob(school_id, data, digest, str(storage_dir)))
    replaced: set[str] = set()
    hashes = {job.school_id: job.inputs_hash for job in jobs}
    for school, outcome in _store_outcomes(
        session, round_, existing, _render_all(jobs, workers), hashes, replaced
    ):
        if outcome.storage_full:  # every later school would fail alike: stop, keep what was built
            report.stopped = outcome.error
            break
        done += 1
        if outcome.error:
            report.failed.append((schools[school], outcome.error))
            notify(done, total, schools[school], outcome.error)
            continue
        report.built.append(schools[school])
        report.html_seconds.append(outcome.html_seconds)
        report.pdf_seconds.append(outcome.pdf_seconds)
        peak = report.worker_peak_kb
        peak[outcome.pid] = max(peak.get(outcome.pid, 0), outcome.peak_kb)
        notify(done, total, schools[school], None)
    session.flush()
    _remove_unused(session, storage_dir, replaced)
    if out_dir is not None:
        report.written = _copy_out(session, round_, storage_dir, Path(out_dir), schools)
    return report


def _store_outcomes(
    session: Session,
    round_: Round,
    existing: dict[int, Scorecard],
    outcomes: Generator[RenderOutcome, None, None],
    hashes: dict[int, str],
    replaced: set[str],
) -> Iterator[tuple[int, RenderOutcome]]:
    """Point each rendered school's scorecard row (created if need be) at its file; yield school and outcome.

    Stopping early (a full disk) closes ``outcomes``, which cancels the pool's remaining work.
    """
    with closing(outcomes):
        for outcome in outcomes:
            if not outcome.error:
                card = existing.get(outcome.school_id)
                if card is None:
                    card = Scorecard(
                        token=secrets.token_urlsafe(32), round_id=round_.id, school_id=outcome.school_id
                    )
                    session.add(card)
                elif card.path != outcome.path:
                    replaced.add(card.path)
                card.inputs_hash, card.content_hash = hashes[outcome.school_id], outcome.content_hash
                card.path, card.size, card.built_at = outcome.path, outcome.size, utcnow()
            yield outcome.school_id, outcome


def _render_all(jobs: list[RenderJob], workers: int) -> Generator[RenderOutcome, None, None]:
    """Render ``jobs`` here (one worker) or in a pool of spawned processes, yielding each as it finishes."""
    if workers > 1 and multiprocessing.current_process().daemon:
        log.warning("a daemonic process (a Celery prefork child?) cannot start workers: rendering in-process")
        workers = 1
    if workers <= 1 or len(jobs) <= 1:
        with batch_gc():
            for job in jobs:
                yield render_job(job)
        return
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=_pool_context(), initializer=_warm_worker
    ) as pool:
        futures: dict[Future[RenderOutcome], RenderJob] = {pool.submit(render_job, job): job for job in jobs}
        try:
            for future in as_completed(futures):
                try:
                    outcome = future.result()
                except Exception as error:  # a worker died (killed, out of memory): report it, go on
                    outcome = RenderOutcome(
                        futures[future].school_id, error=f"worker failed: {_describe(error)}"
                    )
                yield outcome
        finally:
            for future in futures:
                future.cancel()


def _pool_context() -> BaseContext:
    """``fork`` from a single-threaded process (workers start warm, in a tenth of a second), else ``spawn``.

    A forked worker inherits the parent's open database connections but never uses
    them, and leaves with ``os._exit``, so it cannot disturb them; forking a process
    that runs other threads could deadlock, hence ``spawn`` there (a fresh
    interpreter that imports WeasyPrint and loads the fonts itself, about 2 s).
    """
    if threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def _remove_unused(session: Session, storage_dir: Path, paths: set[str]) -> None:
    """Delete replaced files that no scorecard row points to any more."""
    if not paths:
        return
    still_used = set(session.scalars(select(Scorecard.path).where(Scorecard.path.in_(paths))))
    for path in paths - still_used:
        (storage_dir / path).unlink(missing_ok=True)


def _copy_out(
    session: Session, round_: Round, storage_dir: Path, out_dir: Path, schools: dict[int, SchoolRef]
) -> list[Path]:
    """Copy every requested school's stored scorecard to ``out_dir/<NCES id>.pdf``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    cards = session.scalars(
        select(Scorecard).where(Scorecard.round_id == round_.id, Scorecard.school_id.in_(schools))
    )
    for card in sorted(cards, key=lambda c: schools[c.school_id].nces_id):
        source = storage_dir / card.path
        if source.is_file():
            target = out_dir / f"{schools[card.school_id].nces_id}.pdf"
            shutil.copyfile(source, target)
            written.append(target)
    return written
