"""Background work with Celery, following Flask's "Background Tasks with Celery" pattern.

With ``CELERY_BROKER_URL`` set, tasks go to the broker (Redis) and run in a
worker (``celery -A worker worker -B``; ``-B`` also runs the hourly schedule).
Without it, tasks run in-process as they are called, and no broker is ever
contacted: the embedded install needs nothing else running.

Tasks are acknowledged late and rejected (so re-queued) when their worker is lost:
a scorecard batch claims its job row and an email its outbox row, so a
redelivered task never does their work twice.

Each task sits beside the function it runs; ``TASK_MODULES`` names those modules,
and Celery's ``include`` imports them when a worker starts, so a worker knows every
task whether or not a blueprint imported its module.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from celery import Celery, Task
from celery.result import AsyncResult
from celery.schedules import crontab
from flask import Flask

# How long a request waits for a broker that does not answer before it gives up queueing.
BROKER_DOWN_SECONDS = 2
# The local broker stand-in when none is configured: in-memory, so nothing can reach the network.
IN_PROCESS_BROKER = "memory://"
# The modules that define tasks, each task beside the function it runs.
TASK_MODULES = (
    "app.reminders",  # touchpoint.send_reminders
    "app.plans.reminders",  # touchpoint.send_plan_reminders
    "app.alerts",  # touchpoint.send_alerts
    "app.scorecards.jobs",  # touchpoint.build_scorecards, .build_scorecard_chunk, .recover_jobs
    "app.outbox",  # touchpoint.send_outbox
    "app.telephony.tasks",  # touchpoint.download_recording, touchpoint.purge_recordings
    "app.retention",  # touchpoint.purge_expired_evidence
    "app.mailpoll.service",  # touchpoint.poll_mailboxes
)

BEAT_SCHEDULE = {
    "send-reminders-hourly": {
        "task": "touchpoint.send_reminders",
        "schedule": crontab(minute=0),  # every hour; each district's emails wait for REMINDER_HOUR
    },
    "send-plan-reminders-hourly": {
        "task": "touchpoint.send_plan_reminders",
        "schedule": crontab(minute=5),  # every hour; each district's emails wait for REMINDER_HOUR
    },
    "send-alerts-hourly": {
        "task": "touchpoint.send_alerts",  # leaders' digests: daily critical failures, weekly fieldwork
        "schedule": crontab(minute=10),  # every hour; each district's digests wait for REMINDER_HOUR
    },
    "send-outbox-every-minute": {
        "task": "touchpoint.send_outbox",  # emails whose first try failed, or whose queueing did
        "schedule": crontab(),
    },
    "recover-jobs-every-minute": {
        "task": "touchpoint.recover_jobs",  # batches whose worker died: interrupted, then resumed
        "schedule": crontab(),
    },
    "poll-mailboxes-every-five-minutes": {
        "task": "touchpoint.poll_mailboxes",  # replies in persona mailboxes; no-reply deadlines
        "schedule": crontab(minute="*/5"),
    },
    "purge-recordings-daily": {
        "task": "touchpoint.purge_recordings",  # Twilio recordings past retention
        "schedule": crontab(minute=30, hour=3),  # once a day, 03:30 UTC
    },
    "purge-expired-evidence-daily": {
        "task": "touchpoint.purge_expired_evidence",  # evidence and free texts past retention
        "schedule": crontab(minute=45, hour=3),  # once a day, 03:45 UTC
    },
}


def _transport_options(visibility_timeout: float) -> dict[str, Any]:
    """Redis hands a dead worker's task to another once ``visibility_timeout`` has passed.

    Kombu looks for such tasks only every tenth restore interval (10 s) by default: 100 s at
    worst. Looking every interval (at most 10 s, sooner for a short timeout) costs one query.
    """
    return {
        "visibility_timeout": visibility_timeout,
        "unacked_restore_interval": max(1, min(10, int(visibility_timeout))),
        "unacked_restore_throttle": 1,
    }


def celery_settings(app: Flask) -> dict[str, Any]:
    """Celery's settings for ``app``: a broker's workers, or everything in-process."""
    broker = app.config["CELERY_BROKER_URL"]
    result_backend = app.config["CELERY_RESULT_BACKEND"]
    return {
        "broker_url": broker or IN_PROCESS_BROKER,
        "result_backend": result_backend or None,
        "task_ignore_result": not result_backend,
        "task_always_eager": not broker,
        "task_eager_propagates": True,
        # A task is acknowledged when it ends, not when it arrives: a worker that dies leaves it
        # to another (its child killed: at once; the whole worker: after the visibility timeout).
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "broker_transport_options": _transport_options(app.config["CELERY_VISIBILITY_TIMEOUT"]),
        "broker_connection_retry_on_startup": True,
        "timezone": "UTC",
        "enable_utc": True,
        "beat_schedule": BEAT_SCHEDULE,
        "beat_schedule_filename": str(Path(app.instance_path) / "celerybeat-schedule"),
    }


def celery_init_app(app: Flask) -> Celery:
    """Create ``app``'s Celery app, whose tasks run inside ``app``'s application context.

    Its workers import ``TASK_MODULES`` when they start (Celery's ``include``).
    """

    class FlaskTask(Task):
        def __call__(self, *args: object, **kwargs: object) -> object:
            with app.app_context():
                return self.run(*args, **kwargs)

    celery_app = Celery(app.name, task_cls=FlaskTask, include=TASK_MODULES)
    celery_app.config_from_object(celery_settings(app))
    celery_app.set_default()
    app.extensions["celery"] = celery_app
    return celery_app


def queue_now(task: Task, *args: object) -> AsyncResult:
    """Queue ``task`` from a request: a broker that is down fails fast (``BROKER_DOWN_SECONDS``), never hangs.

    Without a broker the task runs here and now, as every task does.
    """
    celery_app: Celery = task.app
    if celery_app.conf.task_always_eager:
        return task.apply_async(args)
    options = {"max_retries": 1, "interval_start": 0.1, "connect_retries_timeout": BROKER_DOWN_SECONDS}
    with celery_app.connection_for_write(
        connect_timeout=BROKER_DOWN_SECONDS, transport_options=options
    ) as connection:
        return task.apply_async(args, retry=False, connection=connection)
