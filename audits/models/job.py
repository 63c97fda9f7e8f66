"""Background jobs kept in the database: what runs, who runs it, and when it last said it was alive."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from audits.models.base import Base, UTCDateTime
from audits.models.rubric import _enum
from audits.timeutil import utcnow

# How many heartbeat timeouts a queued job may wait for a worker before it is taken as lost.
QUEUED_PATIENCE = 10


class JobKind(StrEnum):
    """What a job does."""

    SCORECARDS = "scorecards"


class JobState(StrEnum):
    """Where a job is: waiting, under way, ended well or badly, or stopped when its worker died."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    INTERRUPTED = "interrupted"


class Job(Base):
    """One run of a batch (a round's scorecards): its state, counts and heartbeat.

    A running job's worker stamps ``heartbeat_at`` after every school; a job whose
    heartbeat is older than the configured timeout is taken as interrupted (its
    worker died) and may be resumed. ``resume_from`` is when the work it continues
    began: scorecards built since then are kept, never rebuilt.
    """

    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[JobKind] = mapped_column(_enum(JobKind))
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    state: Mapped[JobState] = mapped_column(_enum(JobState), default=JobState.QUEUED)
    force: Mapped[bool] = mapped_column(Boolean, default=False)
    task_id: Mapped[str] = mapped_column(String(155), default="")
    # Who runs it now ("host:pid:random"); each start of the work takes it anew.
    claimed_by: Mapped[str] = mapped_column(String(255), default="")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)
    built: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    message: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resume_from: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def finished(self) -> bool:
        """Whether the job has ended, well or badly."""
        return self.state in (JobState.DONE, JobState.FAILED)

    def is_stale(self, timeout: timedelta, now: datetime | None = None) -> bool:
        """Whether a running job has given no sign of life for ``timeout`` (its worker died).

        A queued job waits in the broker, which keeps it whatever happens to a worker;
        it counts as lost only after ``QUEUED_PATIENCE`` timeouts (its local process died).
        """
        if self.state is JobState.RUNNING:
            return (now or utcnow()) - (self.heartbeat_at or self.created_at) > timeout
        if self.state is JobState.QUEUED:
            return (now or utcnow()) - self.created_at > timeout * QUEUED_PATIENCE
        return False
