"""A real Celery worker on the local Redis builds a round's scorecards (eager mode is not enough here).

The worker runs in a thread of this process (``celery.contrib.testing.worker``),
takes the task from Redis database 15 and keeps its result there; the task is
queued exactly as the round page queues it. Without Redis this test fails with
the command that starts it: it never skips.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from celery.result import AsyncResult

from app import create_app
from app.extensions import db
from app.scorecards.jobs import start_build
from audits.models import Scorecard
from reports.progress import read_progress
from tests.reports.scorecard_helpers import scorecard_world

REDIS_URL = "redis://127.0.0.1:6379/15"
START_REDIS = 'redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no'


@pytest.fixture
def redis_db() -> Iterator[None]:
    """Redis database 15, emptied before and after; a clear failure when Redis is not running."""
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.exceptions.ConnectionError as error:
        pytest.fail(f"Redis is not running on 127.0.0.1:6379 ({error}). Start it with: {START_REDIS}")
    client.flushdb()
    yield
    client.flushdb()
    client.close()


@pytest.mark.redis
# Celery 5.7's Redis result backend still calls redis-py's deprecated ``setex``: not ours to fix.
@pytest.mark.filterwarnings("ignore:Call to deprecated setex:DeprecationWarning")
def test_a_celery_worker_on_redis_builds_the_scorecards(
    database_url: str, tmp_path: Path, redis_db: None
) -> None:
    storage = tmp_path / "storage"
    app = create_app(
        "testing",
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "STORAGE_DIR": str(storage),
            "CELERY_BROKER_URL": REDIS_URL,
            "CELERY_RESULT_BACKEND": REDIS_URL,
        },
    )
    celery_app = app.extensions["celery"]
    assert not celery_app.conf.task_always_eager
    import celery.contrib.testing.tasks  # noqa: F401  (registers the worker's ping task)

    with app.app_context():
        built = scorecard_world(db.session)
        db.session.commit()
        with start_worker(celery_app, pool="solo", perform_ping_check=True, shutdown_timeout=60):
            progress = start_build(built.round)  # what "Generate scorecards" does
            db.session.close()
            assert progress.task_id
            summary = AsyncResult(progress.task_id, app=celery_app).get(timeout=180)
        assert summary == "built 3, unchanged 0, failed 0"
        cards = list(db.session.query(Scorecard))
        assert len(cards) == 3
        for card in cards:
            assert (storage / card.path).read_bytes().startswith(b"%PDF-1.7")
        done = read_progress(storage, built.round.id)
        assert done is not None and (done.state, done.done, done.task_id) == ("done", 3, progress.task_id)
        db.session.remove()
        db.engine.dispose()
