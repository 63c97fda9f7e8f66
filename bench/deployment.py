"""Benchmark one district on a deployment shared with many others, against the same district alone.

Issue 24, item 1: what a leader of one district sees must not slow down because other districts
have data. This builds (once) two PostgreSQL databases, both migrated with alembic through the app:

- the *deployment*: one measured district of ``--measured-schools`` schools (1,000 by default) with
  ``--rounds`` rounds, its contacts, 32 responses per reached contact and their tallies (the
  district of ``bench/scores_and_export.py``), plus ``--districts`` - 1 other districts of
  ``--schools-per-district`` schools with an auditor each, published rounds, three assignments per
  school and round, approved contacts with their tallies (contact points and section points) —
  all loaded with psycopg's COPY (``bench/region.py``'s generator) — and the other districts'
  responses, one per rubric item of each reached contact, built inside PostgreSQL;
- the *alone* database: the same measured district and nothing else.

Then, through the Flask test client signed in as the measured district's leader (and with an API
token for the API), it measures in each database the newest round's dashboard, its heat map and
``GET /api/v1/rounds/<id>/scores``: median and p95 over ``--requests`` requests (the two databases
taking turns request by request, so that what else the machine does falls on both alike), the SQL
statements per request, and the ratio deployment ÷ alone. The load average is printed beside every
figure. Finally it prints ``EXPLAIN (ANALYZE, BUFFERS)`` of the dashboard's slowest statement in
the deployment.

Targets: p95 under 300 ms, ratio under 1.2, a query count that is the same in both databases.

Run: ``.venv/bin/python bench/deployment.py [--districts 20] [--schools-per-district 200] [--rounds 8]
[--reuse]``; the issue's full size is ``--districts 100`` (about 15 million responses). The databases are
``--database-url`` (default ``postgresql+psycopg://postgres@127.0.0.1:5432/touchpoint_bench_deployment``)
and the same name with ``_alone`` appended, created when missing; the ``test`` database is refused.
Without ``--reuse`` (or when the size differs) a database's schema is dropped and rebuilt.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import region  # the state-wide benchmark's generator of many districts
import scores_and_export as district_bench  # the one-district benchmark's generator and helpers
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import event, func, select, text
from sqlalchemy.engine import Engine, make_url

from app import create_app
from app.extensions import db
from app.heap import freeze_startup_objects
from audits.models import Contact, District, Response, Round, School, User
from audits.tokens import create_token

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/touchpoint_bench_deployment"
TARGET = 0.3  # seconds, p95
RATIO = 1.2


def _load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def other_responses(session: Any) -> int:
    """One response per rubric item of every reached contact that has none yet (the other districts').

    Built inside PostgreSQL from the contacts and rubric items (one statement): the other districts'
    contacts already carry their tallies, so the values only need to be plausible, not to add up.
    """
    result = session.execute(
        text(
            """
            INSERT INTO responses (contact_id, item_id, value, na, fraction, comment)
            SELECT c.id, i.id, 'true'::json, false, 1.0, ''
            FROM contacts c JOIN rubric_sections s ON s.rubric_id = c.rubric_id
            JOIN rubric_items i ON i.section_id = s.id
            WHERE NOT c.unreached AND NOT EXISTS (SELECT 1 FROM responses r WHERE r.contact_id = c.id)
            """
        )
    )
    session.execute(text("ANALYZE responses"))
    session.commit()
    return result.rowcount


def _size(session: Any) -> tuple[int, int, int]:
    """(districts, schools, rounds) in the database."""
    return (
        session.scalar(select(func.count()).select_from(District)) or 0,
        session.scalar(select(func.count()).select_from(School)) or 0,
        session.scalar(select(func.count()).select_from(Round)) or 0,
    )


def build(app: Flask, args: argparse.Namespace, others: int) -> None:
    """Migrate and fill the database of ``app`` with the measured district and ``others`` more."""
    rounds, schools = args.rounds, args.schools_per_district
    wanted = (1 + others, args.measured_schools + others * schools, (1 + others) * rounds)
    with app.app_context():
        have = _size(db.session) if district_bench._has_schema() else None
        if args.reuse and have == wanted:
            db.session.commit()
            upgrade()  # newer migrations (and their backfills) reach a reused database
            for table in ("contacts", "contact_section_points", "assignments"):
                db.session.execute(text(f"ANALYZE {table}"))
            db.session.commit()
            print(f"reused: {wanted[0]} districts, {wanted[1]:,} schools, {wanted[2]} rounds; load {_load()}")
            return
        started = time.perf_counter()
        district_bench.reset_schema(db.session)
        upgrade()
        district_bench.generate(db.session, args.measured_schools, rounds)
        if others:
            region.generate(db.session, others, schools, rounds)
            count = other_responses(db.session)
            elapsed = time.perf_counter() - started
            print(f"generate: {count:,} responses of the other districts in {elapsed:.1f} s")
        print(f"built in {time.perf_counter() - started:.0f} s; load {_load()}")


class Recorder:
    """Every SQL statement the engine runs while listening, with its parameters and seconds."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.statements: list[tuple[float, str, Any]] = []
        self._start = 0.0

    def __enter__(self) -> Recorder:
        event.listen(self.engine, "before_cursor_execute", self._before)
        event.listen(self.engine, "after_cursor_execute", self._after)
        return self

    def __exit__(self, *exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._before)
        event.remove(self.engine, "after_cursor_execute", self._after)

    def _before(self, *args: object) -> None:
        self._start = time.perf_counter()

    def _after(self, conn: Any, cursor: Any, statement: str, parameters: Any, *rest: object) -> None:
        self.statements.append((time.perf_counter() - self._start, statement, parameters))


def pages(app: Flask) -> tuple[Engine, list[tuple[str, Callable[[], None]]]]:
    """The measured district's newest round: its dashboard, heat map and scores API, as actions."""
    with app.app_context():
        district_id = db.session.scalar(select(District.id).where(District.name == district_bench.DISTRICT))
        latest = db.session.scalar(
            select(Round.id).where(Round.district_id == district_id).order_by(Round.first_day.desc()).limit(1)
        )
        leader = db.session.scalar(select(User).where(User.email == district_bench.LEADER))
        _, token = create_token(db.session, leader, "bench deployment")  # type: ignore[arg-type]
        db.session.commit()
        engine = db.engine
    client = district_bench.signed_in(app)
    dashboard, heatmap = f"/rounds/{latest}/dashboard", f"/rounds/{latest}/heatmap"
    return engine, [
        (f"dashboard GET {dashboard}", district_bench.get_ok(client, dashboard)),
        (f"heat map GET {heatmap}", district_bench.get_ok(client, heatmap)),
        (
            f"scores API GET /api/v1/rounds/{latest}/scores",
            district_bench.get_ok(
                client, f"/api/v1/rounds/{latest}/scores", headers={"Authorization": f"Bearer {token}"}
            ),
        ),
    ]


def measure(apps: dict[str, Flask], requests: int) -> dict[str, dict[str, tuple[list[float], list[int]]]]:
    """Each page in each database, ``requests`` times, the databases taking turns request by request
    (whatever else the machine does then falls on both alike); by database, then page."""
    actions = {name: pages(app) for name, app in apps.items()}
    figures: dict[str, dict[str, tuple[list[float], list[int]]]] = {name: {} for name in apps}
    for index in range(len(next(iter(actions.values()))[1])):
        for name, (_engine, listed) in actions.items():
            listed[index][1]()  # warm up
            figures[name][listed[index][0]] = ([], [])
        for _ in range(requests):
            for name, (engine, listed) in actions.items():
                label, action = listed[index]
                seconds, queries = district_bench.timed(engine, action, 1)
                figures[name][label][0].extend(seconds)
                figures[name][label][1].extend(queries)
    for name, by_page in figures.items():
        print(f"--- {name}")
        for label, (seconds, queries) in by_page.items():
            region.report(label, seconds, queries, target=TARGET)
    return figures


def explain_heaviest(app: Flask) -> None:
    """Print EXPLAIN (ANALYZE, BUFFERS) of the slowest statement of one dashboard request."""
    with app.app_context():
        district_id = db.session.scalar(select(District.id).where(District.name == district_bench.DISTRICT))
        latest = db.session.scalar(
            select(Round.id).where(Round.district_id == district_id).order_by(Round.first_day.desc()).limit(1)
        )
        engine = db.engine
    client = district_bench.signed_in(app)
    with Recorder(engine) as recorder:
        district_bench.get_ok(client, f"/rounds/{latest}/dashboard")()
    seconds, statement, parameters = max(recorder.statements, key=lambda row: row[0])
    print(f"\nheaviest statement of the dashboard ({seconds * 1000:.0f} ms; load {_load()}):\n{statement}")
    print(f"parameters: {parameters}\n")
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
        for (line,) in cursor.fetchall():
            print(line)
    finally:
        raw.close()


def main() -> None:
    """Build (or reuse) both databases and print every figure, one per line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--districts", type=int, default=20, help="districts, the measured one included")
    parser.add_argument("--schools-per-district", type=int, default=200)
    parser.add_argument("--measured-schools", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--reuse", action="store_true", help="keep the databases when their size matches")
    args = parser.parse_args()
    url = make_url(args.database_url)
    alone_url = url.set(database=f"{url.database}_alone")
    apps = {}
    for name, database_url, others in (
        ("deployment", url, args.districts - 1),
        ("alone", alone_url, 0),
    ):
        rendered = database_url.render_as_string(hide_password=False)
        district_bench.ensure_database(rendered)
        app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": rendered, "WTF_CSRF_ENABLED": False})
        print(f"--- {name}: {database_url.database}")
        build(app, args, others)
        with app.app_context():
            responses = db.session.scalar(select(func.count()).select_from(Response))
            counted = db.session.scalar(select(func.count()).select_from(Contact))
            districts, schools, rounds = _size(db.session)
            db.session.commit()
        print(
            f"data: {districts} districts, {schools:,} schools, {rounds} rounds, {counted:,} contacts, "
            f"{responses:,} responses; load {_load()}"
        )
        apps[name] = app
    print(f"machine: {os.cpu_count()} cores, load average {_load()} before measuring")
    # Serve as wsgi.py does: what start-up built is left out of the collector's sweeps.
    print(f"heap: {freeze_startup_objects():,} start-up objects frozen, as wsgi.py does before serving")
    results = measure(apps, args.requests)
    print("--- ratio deployment ÷ alone (p95 and median)")
    for label in results["deployment"]:
        shared, shared_queries = results["deployment"][label]
        alone, alone_queries = results["alone"][label]
        ratio = district_bench.p95(shared) / district_bench.p95(alone)
        median = statistics.median(shared) / statistics.median(alone)
        same = "same" if set(shared_queries) == set(alone_queries) else "DIFFERENT"
        verdict = "ok" if ratio < RATIO else "MISSED"
        print(
            f"{label}: p95 ratio {ratio:.2f}, median ratio {median:.2f} (target < {RATIO}: {verdict}); "
            f"queries {sorted(set(shared_queries))} vs {sorted(set(alone_queries))} ({same}); load {_load()}"
        )
    explain_heaviest(apps["deployment"])
    print(f"machine: load average {_load()} after measuring")


if __name__ == "__main__":
    main()
