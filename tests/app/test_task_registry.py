"""Every Celery task is registered through ``include``: a worker knows them all, blueprints or not.

Each check starts a fresh Python process, as ``celery -A worker worker`` does: it
imports ``worker`` and lets Celery's loader import the task modules, as a worker
does before it takes any task. Run in this process, the test would see tasks that
other tests' imports happened to register.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO_ROOT

TASK_NAMES = [
    "touchpoint.build_scorecard_chunk",
    "touchpoint.build_scorecards",
    "touchpoint.download_recording",
    "touchpoint.poll_mailboxes",
    "touchpoint.purge_expired_evidence",
    "touchpoint.purge_recordings",
    "touchpoint.recover_jobs",
    "touchpoint.send_alerts",
    "touchpoint.send_outbox",
    "touchpoint.send_plan_reminders",
    "touchpoint.send_reminders",
]
# ``--without-blueprints`` builds the app with no blueprint, API or command attached, so no
# module of the web layer is imported on the way: only ``include`` can bring the tasks in.
WORKER_START = """
import json, sys
from flask import Blueprint
import app
if "--without-blueprints" in sys.argv:
    for step in ("register_blueprints", "register_api", "register_cli"):
        setattr(app, step, lambda flask_app: None)
import worker
worker.celery_app.loader.init_worker()  # what a worker does when it starts
print(json.dumps({
    "tasks": sorted(name for name in worker.celery_app.tasks if name.startswith("touchpoint.")),
    "blueprints": sorted(
        name for name, module in list(sys.modules.items())
        if isinstance(getattr(module, "blueprint", None), Blueprint)
    ),
}))
"""


def start_worker_process(tmp_path: Path, *options: str) -> dict[str, Any]:
    """Start ``worker`` in a fresh interpreter; return the task names it knows and the blueprint modules."""
    environment = {
        **os.environ,
        "TOUCHPOINT_ENV": "testing",
        "TOUCHPOINT_INSTANCE_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'worker.sqlite'}",
        "PYTHONPATH": str(REPO_ROOT),
    }
    finished = subprocess.run(  # nosec B603: our own interpreter on our own script
        [sys.executable, "-c", WORKER_START, *options],
        cwd=REPO_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert finished.returncode == 0, finished.stderr
    return json.loads(finished.stdout.splitlines()[-1])


@pytest.mark.parametrize("options", [(), ("--without-blueprints",)], ids=["as-deployed", "no-blueprints"])
def test_a_worker_started_from_worker_py_knows_every_task(tmp_path: Path, options: tuple[str, ...]) -> None:
    started = start_worker_process(tmp_path, *options)
    assert started["tasks"] == TASK_NAMES
    if options:
        assert started["blueprints"] == []  # the tasks came through ``include`` alone
