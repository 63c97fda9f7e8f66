"""Benchmark a chunked scorecard batch on 1, 2 and 4 Celery workers on Redis: seconds and speed-up.

Run: ``.venv/bin/python bench/scorecard_workers.py --schools 2000`` (Redis on 127.0.0.1:6379;
PostgreSQL with ``--database-url``, else a throw-away SQLite file). It builds the demo and a
closed round over ``--schools`` schools (the demo's schools, copied as needed) with an approved
call, email and visit each. Then, for each worker count, it empties the scorecards, starts that
many Celery worker processes (``--pool=solo``, warmed up: app and fonts loaded) on its Redis
database, presses "Generate scorecards" as the round page does (``start_build``: the batch is cut
into chunks of ``--chunk-size`` schools, a Celery group), and times until the job is done.

It prints, for each worker count, the median seconds over ``--repeat`` runs, the speed-up
against one worker (target: ≥ 1.8× for 2 workers), the CPU seconds the workers got (how many
cores they kept busy: below the worker count, the machine was busy with other things) and the
load average beside each figure. On a
2-core machine the 4-worker figure shows the overhead, not speed; anything else running at the
time eats into every figure.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import subprocess  # nosec B404: our own interpreter running our own workers
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import redis
from flask_migrate import upgrade
from sqlalchemy import delete, select

from app import create_app
from app.extensions import db
from app.scorecards.jobs import start_build
from audits.models import Base, Job, JobState, Round, Scorecard
from bench.scorecards import district_round

ROOT = Path(__file__).resolve().parents[1]
ROUND_NAME = "Winter 2027 district-wide round"
# Boots, warms up (the app, WeasyPrint's fonts), says it is ready, then consumes.
WORKER = """
import os
from pathlib import Path
from app import create_app
from reports.render import shared_renderer
app = create_app("testing", {
    "SQLALCHEMY_DATABASE_URI": os.environ["TP_DATABASE"],
    "STORAGE_DIR": os.environ["TP_STORAGE"],
    "CELERY_BROKER_URL": os.environ["TP_BROKER"],
    "SCORECARD_CHUNK_SIZE": int(os.environ["TP_CHUNK"]),
})
shared_renderer()
Path(os.environ["TP_READY"]).touch()
app.extensions["celery"].worker_main([
    "worker", "--pool=solo", "--loglevel=WARNING", "--hostname", os.environ["TP_NAME"] + "@localhost",
    "--without-heartbeat", "--without-gossip", "--without-mingle",
])
"""


def load() -> str:
    """The load average now (1, 5 and 15 minutes) and the CPU count."""
    return f"load {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs"


def start_workers(count: int, folder: Path, settings: dict[str, str]) -> list[subprocess.Popen[bytes]]:
    """Start ``count`` warmed-up worker processes; return once every one is ready to consume."""
    workers = []
    for number in range(count):
        ready = folder / f"ready-{number}"
        ready.unlink(missing_ok=True)
        environment = {**os.environ, **settings, "TP_NAME": f"bench{number}", "TP_READY": str(ready)}
        environment["PYTHONPATH"] = str(ROOT)
        with (folder / f"worker-{number}.log").open("ab") as log:  # its banner and warnings
            workers.append(
                subprocess.Popen(  # nosec B603: our own interpreter on our own script
                    [sys.executable, "-c", WORKER],
                    env=environment,
                    cwd=ROOT,
                    start_new_session=True,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
    deadline = time.monotonic() + 120
    while not all((folder / f"ready-{n}").exists() for n in range(count)):
        if time.monotonic() > deadline or any(w.poll() is not None for w in workers):
            stop_workers(workers)
            raise SystemExit("a worker did not start")
        time.sleep(0.1)
    time.sleep(1)  # from "ready" to consuming: the connection to Redis
    return workers


def cpu_seconds(workers: list[subprocess.Popen[bytes]]) -> float:
    """CPU seconds (user + system) the workers have used so far (``--pool=solo``: one process each)."""
    total = 0
    for worker in workers:
        fields = Path(f"/proc/{worker.pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime and stime, in clock ticks
    return total / os.sysconf("SC_CLK_TCK")


def stop_workers(workers: list[subprocess.Popen[bytes]]) -> None:
    """Stop the workers this script started (their process groups), and wait for them."""
    for worker in workers:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGTERM)
    for worker in workers:
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()


def one_batch(round_id: int, storage: Path, timeout: float) -> tuple[float, Job]:
    """Empty the scorecards, start the round's batch, and time it until its job ends."""
    db.session.execute(delete(Scorecard))
    db.session.execute(delete(Job))
    db.session.commit()
    shutil.rmtree(storage, ignore_errors=True)
    round_ = db.session.get(Round, round_id)
    started = time.perf_counter()
    start_build(round_, force=True)  # type: ignore[arg-type]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        db.session.rollback()
        job = db.session.scalars(select(Job).order_by(Job.id.desc())).first()
        if job is not None and job.finished:
            return time.perf_counter() - started, job
        time.sleep(0.2)
    raise SystemExit(f"the batch did not end in {timeout:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schools", type=int, default=2000, help="Schools in the round (default 2000).")
    parser.add_argument("--workers", default="1,2,4", help="Worker counts to time (default 1,2,4).")
    parser.add_argument("--chunk-size", type=int, default=50, help="SCORECARD_CHUNK_SIZE (default 50).")
    parser.add_argument("--repeat", type=int, default=1, help="Runs per worker count; the median is printed.")
    parser.add_argument("--database-url", default="", help="PostgreSQL URL (default: SQLite).")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/12", help="Redis database (emptied).")
    parser.add_argument("--reuse", action="store_true", help="Keep the database's round if it has one.")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="touchpoint-bench-workers-"))
    database_url = args.database_url or f"sqlite:///{folder / 'bench.sqlite'}"
    storage = folder / "storage"
    settings = {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "STORAGE_DIR": str(storage),
        "CELERY_BROKER_URL": args.redis,
        "SCORECARD_CHUNK_SIZE": args.chunk_size,
    }
    app = create_app("testing", settings)
    client = redis.Redis.from_url(args.redis)
    with app.app_context():
        started = time.perf_counter()
        round_id = db.session.scalar(select(Round.id).where(Round.name == ROUND_NAME)) if args.reuse else None
        if round_id is None:
            if args.database_url:
                Base.metadata.drop_all(db.engine)
                db.session.execute(db.text("DROP TABLE IF EXISTS alembic_version"))
                db.session.commit()
            upgrade()
            round_id = district_round(db.session, date(2027, 3, 1), folder / "evidence", args.schools).id
            db.session.commit()
            print(
                f"database: the demo and a closed round of {args.schools} schools, in "
                f"{time.perf_counter() - started:.0f} s"
            )
        print(f"chunks of {args.chunk_size} schools; {load()}")
        medians: dict[int, float] = {}
        environment = {
            "TP_DATABASE": database_url,
            "TP_STORAGE": str(storage),
            "TP_BROKER": args.redis,
            "TP_CHUNK": str(args.chunk_size),
        }
        for count in [int(n) for n in args.workers.split(",")]:
            client.flushdb()
            workers = start_workers(count, folder, environment)
            try:
                runs, cpu = [], []
                for _ in range(args.repeat):
                    cpu_before = cpu_seconds(workers)
                    seconds, job = one_batch(round_id, storage, timeout=7200)
                    if job.state is not JobState.DONE or job.built != job.total:
                        raise SystemExit(f"the batch ended {job.state.value}: {job.message}")
                    runs.append(seconds)
                    cpu.append(cpu_seconds(workers) - cpu_before)
            finally:
                stop_workers(workers)
            medians[count] = statistics.median(runs)
            speed_up = medians[min(medians)] / medians[count] if count != min(medians) else 1.0
            label = f"{count} worker{'s' if count > 1 else ''}"
            print(
                f"{label}: {medians[count]:.1f} s for {job.total} scorecards "
                f"({medians[count] / job.total * 1000:.0f} ms each), speed-up {speed_up:.2f}×; "
                f"the workers' CPU {statistics.median(cpu):.0f} s "
                f"= {statistics.median(cpu) / medians[count]:.2f} cores busy   [{load()}]"
            )
    client.flushdb()
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
