"""Background work with Celery, following Flask's "Background Tasks with Celery" pattern.

With ``CELERY_BROKER_URL`` set, tasks go to the broker (Redis) and run in a
worker (``celery -A worker worker -B``; ``-B`` also runs the hourly schedule).
Without it, tasks run in-process as they are called, and no broker is ever
contacted: the embedded install needs nothing else running.

Each task sits beside the function it runs; ``TASK_MODULES`` names those modules,
and Celery's ``include`` imports them when a worker starts, so a worker knows every
task whether or not a blueprint imported its module.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from celery import Celery, Task
from celery.schedules import crontab
from flask import Flask

# The local broker stand-in when none is configured: in-memory, so nothing can reach the network.
IN_PROCESS_BROKER = "memory://"
# The modules that define tasks, each task beside the function it runs.
TASK_MODULES = (
    "app.reminders",  # touchpoint.send_reminders
    "app.scorecards.jobs",  # touchpoint.build_scorecards
    "app.scorecards.emails",  # touchpoint.send_scorecard_emails
    "app.telephony.tasks",  # touchpoint.download_recording, touchpoint.purge_recordings
    "app.retention",  # touchpoint.purge_expired_evidence
)

BEAT_SCHEDULE = {
    "send-reminders-hourly": {
        "task": "touchpoint.send_reminders",
        "schedule": crontab(minute=0),  # every hour; each district's emails wait for REMINDER_HOUR
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
