"""Background jobs in the database: start one per round at a time, claim it, beat, finish, resume.

A job is claimed by one worker at a time (``claimed_by``, taken with a conditional
UPDATE, so two workers handed the same job cannot both run it). While it runs, its
worker stamps ``heartbeat_at``; each stamp checks the claim is still its own, so a
worker that was taken for dead stops instead of working beside its successor. A
job whose heartbeat is older than the timeout is interrupted: it shows so, and it
is resumed (the same job, claimed anew) by a redelivered task, the recovery task,
or a leader pressing the button again. After ``MAX_ATTEMPTS`` starts it fails.
"""

from __future__ import annotations

import os
import secrets
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from audits.errors import ConflictError
from audits.models import Job, JobKind, JobState, Round
from audits.timeutil import utcnow
from audits.vocabulary import count_of

# A job whose worker died this many times fails instead of being resumed again.
MAX_ATTEMPTS = 3
ACTIVE = (JobState.QUEUED, JobState.RUNNING)


class JobLostError(RuntimeError):
    """This worker's claim on the job was taken over (it was taken for dead): stop working on it."""


@dataclass(frozen=True)
class Counts:
    """A batch's counts so far."""

    total: int
    done: int
    built: int = 0
    unchanged: int = 0
    failed: int = 0


def claimant() -> str:
    """A name for this worker's claim: host, process and a random part (unique per claim)."""
    return f"{socket.gethostname()[:100]}:{os.getpid()}:{secrets.token_hex(4)}"


def latest_job(session: Session, round_id: int, kind: JobKind = JobKind.SCORECARDS) -> Job | None:
    """The round's newest job of ``kind``, or ``None``."""
    return session.scalar(
        select(Job).where(Job.round_id == round_id, Job.kind == kind).order_by(Job.id.desc()).limit(1)
    )


def create_job(
    session: Session, round_: Round, force: bool, timeout: timedelta, now: datetime | None = None
) -> Job:
    """Queue a new job for the round, refusing while one is queued or running and alive.

    An interrupted job (or one whose heartbeat is stale) is continued: the new job
    keeps its ``resume_from``, so what it built is not built again. The caller
    serialises concurrent calls for the round and commits.
    """
    now = now or utcnow()
    current = latest_job(session, round_.id)
    resume_from = now
    if current is not None:
        if current.state in ACTIVE and not current.is_stale(timeout, now):
            raise ConflictError("round", f"scorecards of {round_.name} are already being generated")
        if current.state is JobState.INTERRUPTED or current.is_stale(timeout, now):
            resume_from = current.resume_from
            current.state, current.message = JobState.INTERRUPTED, "resumed by a newer batch"
            current.finished_at = now
    job = Job(
        kind=JobKind.SCORECARDS,
        round_id=round_.id,
        state=JobState.QUEUED,
        force=force,
        created_at=now,
        resume_from=resume_from,
    )
    session.add(job)
    session.flush()
    return job


def superseded(session: Session, job: Job) -> bool:
    """Whether a newer job of the same kind exists for the job's round."""
    newer = session.scalar(
        select(Job.id).where(Job.round_id == job.round_id, Job.kind == job.kind, Job.id > job.id).limit(1)
    )
    return newer is not None


def claim_job(session: Session, job: Job, who: str, timeout: timedelta, now: datetime | None = None) -> bool:
    """Take ``job`` for worker ``who`` if it is queued, interrupted, or running with a stale heartbeat.

    One conditional UPDATE, so of two workers only one wins; flushed, the caller commits.
    """
    now = now or utcnow()
    session.refresh(job)
    claimable = job.state in (JobState.QUEUED, JobState.INTERRUPTED) or job.is_stale(timeout, now)
    if not claimable or job.finished:
        return False
    unchanged = [Job.id == job.id, Job.state == job.state, Job.claimed_by == job.claimed_by]
    if job.state is JobState.RUNNING:  # its worker must still be silent when the claim lands
        unchanged.append(Job.heartbeat_at < now - timeout)
    taken = session.execute(
        update(Job)
        .where(*unchanged)
        .values(
            state=JobState.RUNNING,
            claimed_by=who,
            attempts=Job.attempts + 1,
            started_at=job.started_at or now,
            heartbeat_at=now,
            message="",
        )
        .execution_options(synchronize_session=False)
    )
    session.refresh(job)
    return bool(taken.rowcount == 1)  # type: ignore[attr-defined]  # CursorResult has rowcount


def beat(session: Session, job: Job, who: str, counts: Counts, now: datetime | None = None) -> None:
    """Stamp the heartbeat and the counts; raise ``JobLostError`` when ``who`` no longer holds the job."""
    stamped = session.execute(
        update(Job)
        .where(Job.id == job.id, Job.claimed_by == who, Job.state == JobState.RUNNING)
        .values(
            heartbeat_at=now or utcnow(),
            total=counts.total,
            done=counts.done,
            built=counts.built,
            unchanged=counts.unchanged,
            failed=counts.failed,
        )
        .execution_options(synchronize_session=False)
    )
    if stamped.rowcount != 1:  # type: ignore[attr-defined]  # CursorResult has rowcount
        raise JobLostError(f"job {job.id} was taken over by another worker")


def end_job(
    session: Session,
    job: Job,
    state: JobState,
    message: str,
    counts: Counts | None = None,
    now: datetime | None = None,
) -> None:
    """Mark the job done or failed with its message (and final counts); flushed, the caller commits."""
    job.state, job.message, job.finished_at = state, message, now or utcnow()
    if counts is not None:
        job.total, job.done, job.built = counts.total, counts.done, counts.built
        job.unchanged, job.failed = counts.unchanged, counts.failed
    session.flush()


def interrupt_stale(session: Session, timeout: timedelta, now: datetime | None = None) -> list[Job]:
    """Mark every queued or running job whose heartbeat is stale as interrupted; return those to resume.

    A job past ``MAX_ATTEMPTS`` fails instead (its worker keeps dying). Flushed, the caller commits.
    """
    now = now or utcnow()
    resumable = []
    for job in session.scalars(select(Job).where(Job.state.in_(ACTIVE))):
        if not job.is_stale(timeout, now) or superseded(session, job):
            continue
        if job.attempts >= MAX_ATTEMPTS:
            end_job(
                session, job, JobState.FAILED, f"its worker stopped {count_of(job.attempts, 'time')}", now=now
            )
            continue
        job.state = JobState.INTERRUPTED
        job.message = f"its worker stopped answering at {job.done} of {job.total}"
        resumable.append(job)
    session.flush()
    return resumable
