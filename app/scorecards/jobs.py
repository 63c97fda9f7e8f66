"""Running a round's scorecard batch away from the request, and recording its progress.

``start_build`` is what the "Generate scorecards" button calls: with
``CELERY_BROKER_URL`` set it queues the Celery task; without one it starts a
local worker process (spawned, so it shares nothing with the web process but
the configuration; a web process waits for it before it exits). Either way the
work is ``run_build``, which writes its progress to
``STORAGE_DIR/progress/<round>.json`` for the round page to poll, and commits
once at the end; ``build_scorecards_task`` (``touchpoint.build_scorecards``) is the
Celery task that runs it in a worker.
"""

from __future__ import annotations

import logging
import multiprocessing
from pathlib import Path
from typing import Any

from celery import Task, shared_task
from flask import Flask, current_app

from app.extensions import db
from audits.models import Round
from audits.timeutil import utcnow
from reports.batch import BuildReport, SchoolRef, build_scorecards, ensure_buildable
from reports.progress import (
    DONE,
    FAILED,
    QUEUED,
    RUNNING,
    Progress,
    progress_locked,
    read_progress,
    write_progress,
)

log = logging.getLogger(__name__)
# Settings a local worker process copies from the web app (plain values: they cross a process boundary).
_PLAIN = (str, int, float, bool, type(None))


class BatchRunningError(RuntimeError):
    """A batch for this round is already queued or running."""


class BatchStartError(RuntimeError):
    """The batch could not be handed to a worker (the broker is down, no process could start)."""


def storage_dir(app: Flask | None = None) -> Path:
    """The configured storage directory."""
    return Path((app or current_app).config["STORAGE_DIR"])


class ProgressRecorder:
    """Turns the batch's progress callback into writes of the round's progress file."""

    def __init__(self, storage: Path, progress: Progress) -> None:
        self.storage = storage
        self.progress = progress

    def __call__(self, done: int, total: int, school: SchoolRef | None, error: str | None) -> None:
        """Record one school done (``school`` is ``None`` once, at the start, with the total)."""
        self.progress.state, self.progress.done, self.progress.total = RUNNING, done, total
        if school is not None and error:
            self.progress.failures.append((school.label, error))
        write_progress(self.storage, self.progress)

    def finish(self, report: BuildReport) -> None:
        """Mark the batch done, with its counts."""
        self.progress.state = DONE
        self.progress.built, self.progress.unchanged = len(report.built), len(report.unchanged)
        self.progress.failures = [(school.label, reason) for school, reason in report.failed]
        self.progress.message = report.summary()
        self.progress.finished_at = utcnow().isoformat()
        write_progress(self.storage, self.progress)

    def fail(self, message: str) -> None:
        """Mark the whole batch failed (nothing stored)."""
        self.progress.state, self.progress.message = FAILED, message
        self.progress.finished_at = utcnow().isoformat()
        write_progress(self.storage, self.progress)


def run_build(round_id: int, force: bool = False, task_id: str = "") -> str:
    """Build a round's scorecards with progress, in the app context; commit once; return the summary."""
    storage = storage_dir()
    progress = read_progress(storage, round_id) or Progress(round_id)
    progress.state, progress.task_id = RUNNING, task_id or progress.task_id
    progress.started_at = progress.started_at or utcnow().isoformat()
    recorder = ProgressRecorder(storage, progress)
    round_ = db.session.get(Round, round_id)
    if round_ is None:
        recorder.fail("the round no longer exists")
        return "the round no longer exists"
    try:
        report = build_scorecards(
            db.session, round_, storage, progress=recorder, force=force, workers=_workers()
        )
        db.session.commit()
    except Exception as error:
        db.session.rollback()
        log.exception("scorecard batch of round %s failed", round_id)
        recorder.fail(f"the batch stopped: {error}")
        raise
    recorder.finish(report)
    log.info("scorecards of round %s: %s", round_id, report.summary())
    return report.summary()


@shared_task(name="touchpoint.build_scorecards", bind=True)
def build_scorecards_task(self: Task, round_id: int, force: bool = False) -> str:
    """Build a round's scorecards, writing progress for the round page; returns the summary line."""
    return run_build(round_id, force, task_id=self.request.id or "")


def _workers() -> int:
    return max(1, int(current_app.config.get("SCORECARD_WORKERS", 1)))


def start_build(round_: Round, force: bool = False) -> Progress:
    """Queue the round's batch (Celery with a broker, else a local process); return its progress."""
    ensure_buildable(round_)
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    storage = storage_dir(app)
    with progress_locked(storage, round_.id):  # two leaders pressing at once start one batch
        current = read_progress(storage, round_.id)
        if current is not None and current.active:
            raise BatchRunningError(f"scorecards of {round_.name} are already being generated")
        progress = Progress(round_.id, state=QUEUED, started_at=utcnow().isoformat())
        write_progress(storage, progress)
    try:
        if app.config["CELERY_BROKER_URL"]:
            progress.task_id = build_scorecards_task.delay(round_.id, force).id
            write_progress(storage, progress)
        else:
            _start_local(app, round_.id, force)
    except Exception as error:
        log.exception("could not start the scorecard batch of round %s", round_.id)
        ProgressRecorder(storage, progress).fail(f"it could not start: {error}")
        raise BatchStartError(f"the batch could not start ({type(error).__name__}); see the log") from error
    return progress


def _start_local(app: Flask, round_id: int, force: bool) -> None:
    """Run the batch in a fresh local process that builds its own app from the same settings."""
    multiprocessing.active_children()  # reap finished batches
    settings = {key: value for key, value in app.config.items() if isinstance(value, _PLAIN)}
    context = multiprocessing.get_context("spawn")
    process = context.Process(
        target=_local_main,
        args=(settings, round_id, force),
        name=f"touchpoint-scorecards-{round_id}",
        daemon=False,
    )
    process.start()
    log.info("started local scorecard batch of round %s (pid %s)", round_id, process.pid)


def _local_main(settings: dict[str, Any], round_id: int, force: bool) -> None:
    """The local worker process: build the app, run the batch, exit."""
    from app import create_app

    app = create_app(str(settings.get("TOUCHPOINT_ENV") or "production"), settings)
    with app.app_context():
        try:
            run_build(round_id, force)
        except Exception:  # already logged and written to the progress file
            raise SystemExit(1) from None
        finally:
            db.session.remove()
            db.engine.dispose()
