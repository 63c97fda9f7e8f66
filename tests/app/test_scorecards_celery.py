"""A real Celery worker on Redis is killed mid-batch (or mid-chunk); another finishes: each card built once.

Two worker processes boot side by side; one after the other they take tasks from Redis
database 5 (7 on PostgreSQL). The batch is queued exactly as the round page queues it; the first
worker is SIGKILLed once it has committed a school (it hangs before the next one, so the kill always
lands mid-batch). Tasks are acknowledged late, so the broker hands the task to the second worker (the
visibility timeout is one second here), which finds the job's heartbeat stale, claims it and builds
only what is left. Without Redis this test fails with the command that starts it: it never skips.

The chunked batch (``SCORECARD_CHUNK_SIZE``) does the same on Redis database 9 (10 on PostgreSQL):
the first worker is killed in the middle of its chunk, the broker redelivers that chunk to the second,
which also builds the other chunks and ends the job.
"""

from __future__ import annotations

import os
import signal
import subprocess  # nosec B404: our own interpreter running our own worker
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis
from sqlalchemy import select

from app import create_app
from app.extensions import db
from app.scorecards.jobs import batch_progress, start_build
from audits.models import Job, JobState, Scorecard
from reports.chunks import read_ledger
from tests.conftest import REPO_ROOT, TEST_DATABASE_URL
from tests.reports.scorecard_helpers import scorecard_world

# A Redis database of its own per test database, so that CI's SQLite and PostgreSQL runs can overlap.
REDIS_URL = f"redis://127.0.0.1:6379/{7 if TEST_DATABASE_URL else 5}"
CHUNKS_REDIS_URL = f"redis://127.0.0.1:6379/{10 if TEST_DATABASE_URL else 9}"
START_REDIS = 'redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no'
# Boots and warms up at once (the app, WeasyPrint's fonts), then waits for its go file to start consuming.
WORKER = """
import os, time
from pathlib import Path
from app import create_app
from reports.render import shared_renderer
app = create_app("testing", {
    "SQLALCHEMY_DATABASE_URI": os.environ["TP_DATABASE"],
    "STORAGE_DIR": os.environ["TP_STORAGE"],
    "CELERY_BROKER_URL": os.environ["TP_BROKER"],
    "CELERY_VISIBILITY_TIMEOUT": 1,
    "JOB_HEARTBEAT_TIMEOUT": 1,
    "SCORECARD_CHUNK_SIZE": int(os.environ["TP_CHUNK"]),
})
shared_renderer()
if os.environ["TP_NAME"] == "first":  # one school, then it hangs until killed: never too fast to catch
    import reports.batch
    render_job, rendered = reports.batch.render_job, []
    def render_one_then_hang(job):
        if rendered:
            time.sleep(3600)
        rendered.append(job.school_id)
        return render_job(job)
    reports.batch.render_job = render_one_then_hang
go = Path(os.environ["TP_GO"])
while not go.exists():
    time.sleep(0.02)
app.extensions["celery"].worker_main([
    "worker", "--pool=solo", "--loglevel=WARNING", "--hostname", os.environ["TP_NAME"] + "@localhost",
    "--without-heartbeat", "--without-gossip", "--without-mingle",
])
"""


def _empty_redis(url: str) -> Iterator[None]:
    """The Redis database at ``url``, emptied before and after; fails clearly without Redis."""
    client = redis.Redis.from_url(url, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.exceptions.ConnectionError as error:
        pytest.fail(f"Redis is not running on 127.0.0.1:6379 ({error}). Start it with: {START_REDIS}")
    client.flushdb()
    yield
    client.flushdb()
    client.close()


@pytest.fixture
def redis_db() -> Iterator[None]:
    """Its Redis database (5, or 7 on PostgreSQL), emptied before and after."""
    yield from _empty_redis(REDIS_URL)


@pytest.fixture
def chunks_redis_db() -> Iterator[None]:
    """The chunked batch's Redis database (9, or 10 on PostgreSQL), emptied before and after."""
    yield from _empty_redis(CHUNKS_REDIS_URL)


def start_worker(
    name: str, database_url: str, storage: Path, go: Path, broker: str = REDIS_URL, chunk: int = 0
) -> subprocess.Popen[bytes]:
    """A Celery worker process of this app on ``broker``: it consumes once ``go`` exists.

    ``chunk`` is its ``SCORECARD_CHUNK_SIZE`` (0: one task per batch).
    """
    environment = {
        **os.environ,
        "PYTHONPATH": str(REPO_ROOT),
        "TP_DATABASE": database_url,
        "TP_STORAGE": str(storage),
        "TP_BROKER": broker,
        "TP_CHUNK": str(chunk),
        "TP_NAME": name,
        "TP_GO": str(go),
    }
    return subprocess.Popen(  # nosec B603: our own interpreter on our own script
        [sys.executable, "-c", WORKER],
        env=environment,
        cwd=REPO_ROOT,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
    )


def wait_for(job_id: int, done: Callable[[Job], bool], seconds: float = 60) -> Job:
    """Poll the job's row until ``done`` holds for it."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        db.session.rollback()
        job = db.session.get(Job, job_id, populate_existing=True)
        if job is not None and done(job):
            return job
        time.sleep(0.02)
    pytest.fail(f"job {job_id} did not get there in {seconds} s: {job and (job.state, job.done)}")


@pytest.mark.redis
def test_a_worker_killed_mid_batch_leaves_the_rest_to_another_and_each_scorecard_is_built_once(
    database_url: str, tmp_path: Path, redis_db: None
) -> None:
    storage = tmp_path / "storage"
    app = create_app(
        "testing",
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "STORAGE_DIR": str(storage),
            "CELERY_BROKER_URL": REDIS_URL,
        },
    )
    first_go, second_go = tmp_path / "first.go", tmp_path / "second.go"
    workers = [  # both boot now, side by side; the second consumes only once the first is dead
        start_worker("first", database_url, storage, first_go),
        start_worker("second", database_url, storage, second_go),
    ]
    with app.app_context():
        try:
            built = scorecard_world(db.session)
            db.session.commit()
            start_build(built.round, force=True)  # what "Generate scorecards" does
            job_id = db.session.scalars(select(Job.id)).one()
            first_go.touch()
            first = wait_for(job_id, lambda job: job.state is JobState.RUNNING and job.done >= 1)
            os.killpg(workers[0].pid, signal.SIGKILL)  # mid-batch: one school committed, the others not
            workers[0].wait(timeout=10)
            db.session.rollback()
            before = {card.school_id: card.built_at for card in db.session.scalars(select(Scorecard))}
            assert len(before) == 1 and first.total == 3

            second_go.touch()  # another worker starts: the broker hands it the unacknowledged task
            job = wait_for(job_id, lambda job: job.finished)
            assert (job.state, job.attempts, job.done, job.total) == (JobState.DONE, 2, 3, 3)
            assert (job.built, job.unchanged) == (3 - len(before), len(before))
            cards = list(db.session.scalars(select(Scorecard)))
            assert len(cards) == 3
            for card in cards:
                assert (storage / card.path).read_bytes().startswith(b"%PDF-1.7")
                if card.school_id in before:
                    assert card.built_at == before[card.school_id]  # built once, by the first worker
            pdfs = sorted(p.name for p in (storage / "scorecards").iterdir() if not p.name.startswith("."))
            assert pdfs == sorted(Path(card.path).name for card in cards)
        finally:
            for worker in workers:
                if worker.poll() is None:
                    os.killpg(worker.pid, signal.SIGKILL)  # its work is committed: nothing to wait for
                    worker.wait(timeout=10)
            db.session.remove()
            db.engine.dispose()


@pytest.mark.redis
def test_a_worker_killed_mid_chunk_leaves_its_chunk_to_another_and_each_scorecard_is_built_once(
    database_url: str, tmp_path: Path, chunks_redis_db: None
) -> None:
    storage = tmp_path / "storage"
    app = create_app(
        "testing",
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "STORAGE_DIR": str(storage),
            "CELERY_BROKER_URL": CHUNKS_REDIS_URL,
            "SCORECARD_CHUNK_SIZE": 2,
        },
    )
    first_go, second_go = tmp_path / "first.go", tmp_path / "second.go"
    workers = [  # both boot now, side by side; the second consumes only once the first is dead
        start_worker("first", database_url, storage, first_go, CHUNKS_REDIS_URL, chunk=2),
        start_worker("second", database_url, storage, second_go, CHUNKS_REDIS_URL, chunk=2),
    ]
    with app.app_context():
        try:
            built = scorecard_world(db.session, schools=5)
            db.session.commit()
            start_build(built.round, force=True)  # what "Generate scorecards" does
            job_id = db.session.scalars(select(Job.id)).one()
            first_go.touch()  # it splits the batch into 3 chunks (2, 2 and 1 school) and takes the first
            first = wait_for(job_id, lambda job: job.state is JobState.RUNNING and job.done >= 1)
            os.killpg(workers[0].pid, signal.SIGKILL)  # mid-chunk: one school committed, its partner not
            workers[0].wait(timeout=10)
            db.session.rollback()
            before = {card.school_id: card.built_at for card in db.session.scalars(select(Scorecard))}
            ledger = read_ledger(storage, job_id)
            assert ledger is not None and [len(chunk.schools) for chunk in ledger.chunks] == [2, 2, 1]
            assert len(before) == 1 and first.total == 5
            assert not any(chunk.finished for chunk in ledger.chunks)

            second_go.touch()  # the broker hands the killed chunk to the second worker, with the others
            job = wait_for(job_id, lambda job: job.finished)
            assert (job.state, job.attempts, job.done, job.total) == (JobState.DONE, 1, 5, 5)
            assert (job.built, job.unchanged, job.failed) == (4, 1, 0)
            cards = list(db.session.scalars(select(Scorecard)))
            assert sorted(card.school_id for card in cards) == sorted(s.id for s in built.schools)
            for card in cards:
                assert (storage / card.path).read_bytes().startswith(b"%PDF-1.7")
                if card.school_id in before:
                    assert card.built_at == before[card.school_id]  # built once, by the first worker
            pdfs = sorted(p.name for p in (storage / "scorecards").iterdir() if not p.name.startswith("."))
            assert pdfs == sorted(Path(card.path).name for card in cards)
            ledger = read_ledger(storage, job_id)
            assert ledger is not None and ledger.finished and (ledger.done, ledger.built) == (5, 4)
            progress = batch_progress(built.round.id)  # what the round page shows
            assert progress is not None and (progress.state, progress.done, progress.total) == ("done", 5, 5)
        finally:
            for worker in workers:
                if worker.poll() is None:
                    os.killpg(worker.pid, signal.SIGKILL)
                    worker.wait(timeout=10)
            db.session.remove()
            db.engine.dispose()
