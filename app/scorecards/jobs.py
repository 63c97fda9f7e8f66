"""Running a round's scorecard batch away from the request: a job row, a worker, a heartbeat.

``start_build`` is what the "Generate scorecards" button calls: it writes a ``Job``
row (refusing while one is alive), then queues the Celery task with a broker or
starts a local worker process without one (spawned, so it shares nothing with the
web process but the configuration). Either way the work is ``run_job``: it claims
the job, builds, and after every school commits that school's scorecard together
with the job's heartbeat and counts; the list of failed schools goes to the
progress file (best-effort: a failed write never stops the batch).

A worker that dies leaves a job whose heartbeat goes stale: within
``JOB_HEARTBEAT_TIMEOUT`` the round page shows it interrupted, and it resumes
(the scorecards built so far are kept, never rebuilt) when the broker redelivers
the task (tasks are acknowledged late), when ``touchpoint.recover_jobs`` (every
minute under Celery beat) re-queues it, or when a leader presses the button again.

With a broker and ``SCORECARD_CHUNK_SIZE`` > 0, ``run_job`` only cuts the round's
schools into chunks and queues them as a Celery group (``touchpoint.build_scorecard_chunk``,
``run_chunk``): every worker takes chunks in parallel, each records its tally in the
job's ledger (``reports.chunks``) and stamps the job with the sums, and the chunk that
finishes last ends the job. A chunk whose worker died is redelivered and builds only
what its first run did not commit; a job resumed under a new claim dispatches only the
chunks that had not finished.
"""

from __future__ import annotations

import logging
import multiprocessing
from datetime import timedelta
from pathlib import Path
from time import monotonic
from typing import Any

from celery import Task, group, shared_task
from flask import Flask, current_app
from sqlalchemy import select

from app.extensions import db
from app.tasks import queue_now
from audits.errors import ConflictError, StorageFullError
from audits.jobs import (
    Counts,
    JobLostError,
    beat,
    claim_job,
    claimant,
    create_job,
    end_job,
    interrupt_stale,
    latest_job,
    superseded,
)
from audits.models import Job, JobState, Round
from audits.timeutil import utcnow
from audits.vocabulary import count_of
from reports.batch import BuildReport, SchoolRef, build_scorecards, ensure_buildable
from reports.chunks import (
    ChunkTally,
    ClaimTakenError,
    Ledger,
    begin_chunk,
    read_ledger,
    record_chunk,
    split,
    start_ledger,
)
from reports.figures import round_school_ids
from reports.progress import (
    DONE,
    FAILED,
    INTERRUPTED,
    RUNNING,
    Progress,
    progress_locked,
    read_progress,
    write_progress,
)

log = logging.getLogger(__name__)
# Settings a local worker process copies from the web app (plain values: they cross a process boundary).
_PLAIN = (str, int, float, bool, type(None))
# How often a redelivered task waits for a live worker to finish the same job before giving up.
BUSY_RETRIES = 100


class BatchRunningError(RuntimeError):
    """A batch for this round is already queued or running."""


class BatchStartError(RuntimeError):
    """The batch could not be handed to a worker (the broker is down, no process could start)."""


class BatchBusyError(RuntimeError):
    """Another worker is running this job and is alive: try again later."""


def storage_dir(app: Flask | None = None) -> Path:
    """The configured storage directory."""
    return Path((app or current_app).config["STORAGE_DIR"])


def heartbeat_timeout(app: Flask | None = None) -> timedelta:
    """How long a running batch may stay silent before it is taken as interrupted."""
    return timedelta(seconds=int((app or current_app).config["JOB_HEARTBEAT_TIMEOUT"]))


class ProgressRecorder:
    """Turns the batch's progress callback into writes of the round's progress file (never fatal)."""

    def __init__(self, storage: Path, progress: Progress) -> None:
        self.storage = storage
        self.progress = progress

    def write(self) -> None:
        """Write the progress file; a failure (a full disk) is logged and the batch goes on."""
        try:
            write_progress(self.storage, self.progress)
        except (OSError, StorageFullError) as error:
            log.warning(
                "progress of round %s not written (%s); the batch goes on", self.progress.round_id, error
            )

    def __call__(self, done: int, total: int, school: SchoolRef | None, error: str | None) -> None:
        """Record one school done (``school`` is ``None`` once, at the start, with the total)."""
        self.progress.state, self.progress.done, self.progress.total = RUNNING, done, total
        if school is not None and error:
            self.progress.failures.append((school.label, error))
        self.write()

    def finish(self, report: BuildReport) -> None:
        """Mark the batch done (failed when it stopped early), with its counts."""
        self.progress.state = FAILED if report.stopped else DONE
        self.progress.built, self.progress.unchanged = len(report.built), len(report.unchanged)
        self.progress.failures = [(school.label, reason) for school, reason in report.failed]
        self.progress.message = report.summary()
        self.progress.finished_at = utcnow().isoformat()
        self.write()

    def fail(self, message: str) -> None:
        """Mark the whole batch failed."""
        self.progress.state, self.progress.message = FAILED, message
        self.progress.finished_at = utcnow().isoformat()
        self.write()


class JobRecorder(ProgressRecorder):
    """The progress of a job: after each school, its heartbeat and counts are committed with the school."""

    def __init__(self, storage: Path, job: Job, who: str) -> None:
        super().__init__(storage, Progress(job.round_id, started_at=utcnow().isoformat(), job_id=job.id))
        self.job, self.who = job, who
        self.last_beat = 0.0

    def __call__(self, done: int, total: int, school: SchoolRef | None, error: str | None) -> None:
        """Commit the school just built with the job's heartbeat (``JobLostError`` if taken over).

        A school left unchanged has nothing to commit: its heartbeat waits up to a second.
        """
        if done < total and not (db.session.new or db.session.dirty) and monotonic() - self.last_beat < 1:
            self.progress.done, self.progress.total = done, total
            if school is not None and error:
                self.progress.failures.append((school.label, error))
            return
        super().__call__(done, total, school, error)
        beat(db.session, self.job, self.who, Counts(total, done, failed=len(self.progress.failures)))
        db.session.commit()
        self.last_beat = monotonic()

    def finish(self, report: BuildReport) -> None:
        """End the job: done, or failed when the batch stopped early (a full disk)."""
        super().finish(report)
        counts = Counts(
            self.progress.total,
            self.progress.done,
            len(report.built),
            len(report.unchanged),
            len(report.failed),
        )
        if report.stopped:
            message = f"{report.stopped}. {report.summary().split(';')[0]}"
            end_job(db.session, self.job, JobState.FAILED, message, counts)
        else:
            end_job(db.session, self.job, JobState.DONE, report.summary(), counts)
        db.session.commit()

    def fail(self, message: str) -> None:
        """End the job failed with ``message``."""
        super().fail(message)
        end_job(db.session, self.job, JobState.FAILED, message)
        db.session.commit()


def run_job(job_id: int, task_id: str = "") -> str:
    """Claim and run scorecard job ``job_id`` in the app context; return its summary.

    A job already finished, or replaced by a newer one, is left alone; one that a
    live worker runs raises ``BatchBusyError`` (the task tries again later).
    """
    job = db.session.get(Job, job_id)
    if job is None:
        return "no such batch"
    if superseded(db.session, job):
        return "a newer batch replaced this one"
    if job.finished:
        return job.message
    who = claimant()
    if not claim_job(db.session, job, who, heartbeat_timeout()):
        db.session.rollback()
        if job.state is JobState.RUNNING:
            raise BatchBusyError(f"batch {job_id} is running in another worker")
        return f"batch {job_id} is {job.state.value}"
    job.task_id = task_id or job.task_id
    db.session.commit()
    round_ = db.session.get(Round, job.round_id)
    if chunked():
        return _dispatch_chunks(job, who, round_)  # type: ignore[arg-type]  # the job goes with its round
    recorder = JobRecorder(storage_dir(), job, who)
    try:
        report = build_scorecards(
            db.session,
            round_,  # type: ignore[arg-type]  # the job's row goes with its round (ON DELETE CASCADE)
            storage_dir(),
            progress=recorder,
            force=job.force,
            workers=_workers(),
            kept_since=job.resume_from,
        )
        db.session.flush()
    except JobLostError:
        db.session.rollback()
        log.warning("scorecard batch %s was taken over by another worker; this one stops", job_id)
        return "taken over by another worker"
    except Exception as error:
        db.session.rollback()
        log.exception("scorecard batch %s of round %s failed", job_id, job.round_id)
        recorder.fail(f"the batch stopped: {error}")
        raise
    recorder.finish(report)
    log.info("scorecards of round %s: %s", job.round_id, report.summary())
    return report.summary()


@shared_task(name="touchpoint.build_scorecards", bind=True)
def build_scorecards_task(self: Task, job_id: int) -> str:
    """Run scorecard job ``job_id`` (a redelivery resumes it, or waits while a live worker has it)."""
    try:
        return run_job(job_id, task_id=self.request.id or "")
    except BatchBusyError as busy:
        countdown = heartbeat_timeout().total_seconds()
        raise self.retry(exc=busy, countdown=countdown, max_retries=BUSY_RETRIES) from busy


def chunked(app: Flask | None = None) -> bool:
    """Whether batches are split into chunks for many workers (a broker, and ``SCORECARD_CHUNK_SIZE`` > 0)."""
    config = (app or current_app).config
    return bool(config["CELERY_BROKER_URL"]) and int(config.get("SCORECARD_CHUNK_SIZE", 0)) > 0


def _counts(ledger: Ledger) -> Counts:
    return Counts(ledger.total, ledger.done, ledger.built, ledger.unchanged, ledger.failed)


def _publish(job: Job, ledger: Ledger, state: str = RUNNING, message: str = "") -> None:
    """Write the round's progress file from the ledger (its failures show on the round page); never fatal."""
    progress = Progress(
        job.round_id,
        state=state,
        total=ledger.total,
        done=ledger.done,
        built=ledger.built,
        unchanged=ledger.unchanged,
        failures=ledger.failures,
        message=message,
        started_at=(job.started_at or job.created_at).isoformat(),
        finished_at=utcnow().isoformat() if state != RUNNING else "",
        job_id=job.id,
    )
    ProgressRecorder(storage_dir(), progress).write()


def _dispatch_chunks(job: Job, who: str, round_: Round) -> str:
    """Split the round's schools into chunks, note them in the ledger and queue them as one Celery group.

    A resumed job dispatches only the chunks that had not finished.
    """
    size = int(current_app.config["SCORECARD_CHUNK_SIZE"])
    try:
        ledger = start_ledger(storage_dir(), job.id, who, split(round_school_ids(db.session, round_), size))
        beat(db.session, job, who, _counts(ledger))
        db.session.commit()
    except JobLostError:
        db.session.rollback()
        return "taken over by another worker"
    except Exception as error:
        db.session.rollback()
        log.exception("scorecard batch %s of round %s could not be split", job.id, job.round_id)
        end_job(db.session, job, JobState.FAILED, f"the batch stopped: {error}")
        db.session.commit()
        raise
    pending = [index for index, chunk in enumerate(ledger.chunks) if not chunk.finished]
    _publish(job, ledger)
    if not pending:
        _end_chunked(job, who, ledger)
        return ledger.summary()
    group(build_chunk_task.si(job.id, who, index) for index in pending).apply_async()
    queued = count_of(len(pending), "chunk")
    log.info("scorecard batch %s of round %s: %s queued", job.id, job.round_id, queued)
    return f"{queued} queued"


def _end_chunked(job: Job, who: str, ledger: Ledger) -> None:
    """End a chunked job once its last chunk finished: done, or failed when a chunk stopped early."""
    db.session.refresh(job)
    if job.state is not JobState.RUNNING or job.claimed_by != who:
        db.session.rollback()
        return
    state = JobState.FAILED if ledger.stopped else JobState.DONE
    end_job(db.session, job, state, ledger.summary(), _counts(ledger))
    db.session.commit()
    _publish(job, ledger, FAILED if ledger.stopped else DONE, ledger.summary())


class ChunkRecorder:
    """One chunk's progress: its tally in the ledger, the job's heartbeat and counts, its schools."""

    def __init__(self, job: Job, who: str, index: int, schools: list[int]) -> None:
        self.job, self.who, self.index = job, who, index
        self.tally = ChunkTally(schools)
        self.last_beat = 0.0

    def __call__(self, done: int, total: int, school: SchoolRef | None, error: str | None) -> None:
        """Commit the school just built with the ledger and the job's heartbeat (``JobLostError``: lost)."""
        self.tally.done = done
        if school is not None and error:
            self.tally.failed += 1
            self.tally.failures.append((school.label, error))
        if done < total and not (db.session.new or db.session.dirty) and monotonic() - self.last_beat < 1:
            return
        self.save()
        self.last_beat = monotonic()

    def save(self) -> Ledger:
        """Write the tally, stamp the job with the ledger's counts and commit; return the ledger."""
        try:
            written = record_chunk(storage_dir(), self.job.id, self.who, self.index, self.tally)
        except ClaimTakenError as error:
            raise JobLostError(str(error)) from error
        beat(db.session, self.job, self.who, _counts(written.ledger))
        db.session.commit()
        _publish(self.job, written.ledger)
        if written.completed:
            _end_chunked(self.job, self.who, written.ledger)
        return written.ledger

    def finish(self, report: BuildReport | None, stopped: str = "") -> None:
        """Mark the chunk finished with what the batch of its schools did (or why it stopped)."""
        if report is not None:
            self.tally.built, self.tally.unchanged = len(report.built), len(report.unchanged)
            self.tally.failed = len(report.failed)
            self.tally.failures = [(school.label, reason) for school, reason in report.failed]
            self.tally.done = len(report.built) + len(report.unchanged) + len(report.failed)
        self.tally.stopped = stopped or (report.stopped if report is not None else "")
        self.tally.finished = True
        self.save()


def run_chunk(job_id: int, who: str, index: int) -> str:
    """Build chunk ``index`` of job ``job_id`` dispatched under claim ``who``; return what it did.

    A chunk whose job ended, or was resumed under a newer claim, is a leftover and does
    nothing; one that already finished (redelivered after its work was done) neither.
    A redelivered chunk keeps the scorecards its first run committed (``resume_from``).
    """
    job = db.session.get(Job, job_id)
    leftover = f"chunk {index} of batch {job_id} is a leftover of an earlier claim"
    if job is None or job.state is not JobState.RUNNING or job.claimed_by != who:
        return leftover
    storage = storage_dir()
    try:
        if not begin_chunk(storage, job_id, who, index):
            return f"chunk {index} of batch {job_id} was already built"
    except ClaimTakenError:
        return leftover
    ledger = read_ledger(storage, job_id)
    schools = ledger.chunks[index].schools if ledger is not None else []
    recorder = ChunkRecorder(job, who, index, schools)
    round_ = db.session.get(Round, job.round_id)
    try:
        report = build_scorecards(
            db.session,
            round_,  # type: ignore[arg-type]  # the job's row goes with its round (ON DELETE CASCADE)
            storage,
            school_ids=set(schools),
            progress=recorder,
            force=job.force,
            workers=_workers(),
            kept_since=job.resume_from,
        )
        db.session.flush()
        recorder.finish(report)
    except JobLostError:
        db.session.rollback()
        log.warning("chunk %s of scorecard batch %s was taken over; this one stops", index, job_id)
        return leftover
    except Exception as error:
        db.session.rollback()
        log.exception("chunk %s of scorecard batch %s failed", index, job_id)
        recorder.finish(None, stopped=f"a chunk stopped: {error}")
        raise
    return f"chunk {index} of batch {job_id}: {report.summary()}"


# Acknowledged when it ends, re-queued when its worker is lost (as every task here, said again: it matters).
@shared_task(name="touchpoint.build_scorecard_chunk", acks_late=True, reject_on_worker_lost=True)
def build_chunk_task(job_id: int, who: str, index: int) -> str:
    """Build one chunk of a scorecard batch (a redelivery after its worker died builds only what is left)."""
    return run_chunk(job_id, who, index)


def recover_jobs() -> int:
    """Mark batches whose worker died as interrupted and, with a broker, queue their resumption."""
    resumable = interrupt_stale(db.session, heartbeat_timeout())
    db.session.commit()
    if current_app.config["CELERY_BROKER_URL"]:
        for job in resumable:
            build_scorecards_task.delay(job.id)
            log.warning("scorecard batch %s of round %s was interrupted: resuming it", job.id, job.round_id)
    return len(resumable)


@shared_task(name="touchpoint.recover_jobs")
def recover_jobs_task() -> int:
    """Resume the batches whose worker died (every minute under Celery beat)."""
    return recover_jobs()


def _workers() -> int:
    return max(1, int(current_app.config.get("SCORECARD_WORKERS", 1)))


def batch_progress(round_id: int) -> Progress | None:
    """What the round page shows of the round's batch: its job (with the file's failures), else the file."""
    stored = read_progress(storage_dir(), round_id)
    job = latest_job(db.session, round_id)
    if job is None:
        return stored
    stale = job.state is JobState.INTERRUPTED or job.is_stale(heartbeat_timeout())
    return Progress(
        round_id,
        state=INTERRUPTED if stale else job.state.value,
        total=job.total,
        done=job.done,
        built=job.built,
        unchanged=job.unchanged,
        failures=stored.failures if stored is not None and stored.job_id == job.id else [],
        message=job.message,
        started_at=(job.started_at or job.created_at).isoformat(),
        updated_at=(job.heartbeat_at or job.created_at).isoformat(),
        finished_at=job.finished_at.isoformat() if job.finished_at else "",
        task_id=job.task_id,
        job_id=job.id,
        interrupted=stale,
    )


def start_build(round_: Round, force: bool = False) -> Progress:
    """Queue the round's batch (Celery with a broker, else a local process); return its progress.

    An interrupted batch is resumed: what it built is kept.
    """
    ensure_buildable(round_)
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    with progress_locked(storage_dir(app), round_.id):  # two leaders pressing at once start one batch
        db.session.scalar(select(Round.id).where(Round.id == round_.id).with_for_update())  # across hosts
        try:
            job = create_job(db.session, round_, force, heartbeat_timeout(app))
        except ConflictError as error:
            db.session.rollback()
            raise BatchRunningError(error.reason) from error
        db.session.commit()
    job_id = job.id
    try:
        if app.config["CELERY_BROKER_URL"]:
            task_id = queue_now(build_scorecards_task, job_id).id
            db.session.execute(
                Job.__table__.update().where(Job.id == job_id, Job.task_id == "").values(task_id=task_id)
            )
            db.session.commit()
        else:
            _start_local(app, job_id)
    except Exception as error:
        db.session.rollback()
        log.exception("could not start the scorecard batch of round %s", round_.id)
        job = db.session.get(Job, job_id)
        if job is not None and job.state is JobState.QUEUED:
            end_job(db.session, job, JobState.FAILED, f"it could not start: {error}")
            db.session.commit()
        raise BatchStartError(f"the batch could not start ({type(error).__name__}); see the log") from error
    return batch_progress(round_.id) or Progress(round_.id, job_id=job_id)


def _start_local(app: Flask, job_id: int) -> None:
    """Run the batch in a fresh local process that builds its own app from the same settings."""
    multiprocessing.active_children()  # reap finished batches
    settings = {key: value for key, value in app.config.items() if isinstance(value, _PLAIN)}
    context = multiprocessing.get_context("spawn")
    process = context.Process(
        target=_local_main,
        args=(settings, job_id),
        name=f"touchpoint-scorecards-job-{job_id}",
        daemon=False,
    )
    process.start()
    log.info("started local scorecard batch %s (pid %s)", job_id, process.pid)


def _local_main(settings: dict[str, Any], job_id: int) -> None:
    """The local worker process: build the app, run the batch, exit."""
    from app import create_app

    app = create_app(str(settings.get("TOUCHPOINT_ENV") or "production"), settings)
    with app.app_context():
        try:
            run_job(job_id)
        except Exception:  # already logged and recorded on the job
            raise SystemExit(1) from None
        finally:
            db.session.remove()
            db.engine.dispose()
