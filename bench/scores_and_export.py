"""Benchmark scoring, the round dashboard, the scores API and the item export on PostgreSQL.

Builds (once) a district of 1,000 schools, 8 rounds, about 50,000 counted contacts
and 1.5 million responses in its own database, then measures:

- the round overview page (``GET /rounds/<id>/dashboard``, a signed-in leader) and the
  heat map, through the Flask test client: median and p95 server time over
  ``--requests`` requests and the number of SQL queries per request;
- ``round_scores`` on its own, and ``GET /api/v1/rounds/<id>/scores`` with a token
  when the API is there;
- the item-level CSV export of the newest round: rows per second, and peak traced
  memory for a slice of the rows against all of them (flat memory: the two match).

Targets: p95 under 300 ms, a query count that does not grow with the data, export
over 50,000 rows/s with memory that does not grow with rows.

Run: ``.venv/bin/python bench/scores_and_export.py [--schools 1000] [--rounds 8] [--reuse]``.
The database is ``DATABASE_URL`` or ``postgresql+psycopg://postgres@127.0.0.1:5432/touchpoint_bench``,
created when missing; the ``test`` database is refused. Without ``--reuse`` the
database's schema is dropped and rebuilt with the migrations.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import random
import re
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, date, datetime, timedelta
from enum import Enum
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import JSON, Table, create_engine, event, func, insert, select, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session

from app import create_app
from app.extensions import db
from app.heap import freeze_startup_objects
from audits.models import (
    Assignment,
    Channel,
    Contact,
    ContactStatus,
    District,
    ItemKind,
    Level,
    Outcome,
    Response,
    Role,
    Round,
    RoundStatus,
    Rubric,
    Scenario,
    School,
    Slot,
    TimingUnit,
    User,
)
from audits.passwords import hash_password
from audits.rubrics.spec import ItemSpec, OptionSpec, RubricSpec, SectionSpec
from audits.rubrics.versions import create_draft, publish
from audits.scoring.engine import round_scores
from audits.scoring.queries import counted
from audits.scoring.tally import tally
from reports.exports import csv_chunks, item_table
from reports.exports.table import Table as ExportTable

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/touchpoint_bench"
DISTRICT = "Bench County Public Schools"
LEADER = "bench-leader@example.org"
PASSWORD = "bench-password-123"
AUDITORS = 40
# Contacts per school per round, by channel: 6 per school-round, 48,000 for 1,000 schools × 8 rounds.
QUOTAS = {Channel.PHONE: 3, Channel.EMAIL: 2, Channel.VISIT: 1}
LEVELS = [Level.ELEMENTARY, Level.ELEMENTARY, Level.MIDDLE, Level.HIGH, Level.OTHER]
SECTIONS = [("greeting", 6), ("listening", 6), ("information", 8), ("courtesy", 6), ("follow_up", 6)]
TIMING_UNITS = {
    Channel.PHONE: TimingUnit.RINGS,
    Channel.EMAIL: TimingUnit.BUSINESS_HOURS,
    Channel.VISIT: TimingUnit.MINUTES,
}
BATCH = 10_000


# --- the database


def ensure_database(url: str) -> None:
    """Create the benchmark database if it is missing; refuse the test and system databases."""
    parsed = make_url(url)
    name = parsed.database or ""
    if name in {"test", "postgres", "template0", "template1"} or not re.fullmatch(r"[a-z0-9_]+", name):
        raise SystemExit(f"refusing to benchmark in database {name!r}: use a dedicated one")
    engine = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        exists = connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name})
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
            print(f"created database {name}")
    engine.dispose()


def reset_schema(session: Session) -> None:
    """Drop everything in the benchmark database's public schema."""
    session.execute(text("DROP SCHEMA public CASCADE"))
    session.execute(text("CREATE SCHEMA public"))
    session.commit()


def _value(column_type: Any, value: Any) -> Any:
    if isinstance(column_type, JSON):
        return json.dumps(value)
    if isinstance(value, Enum):
        return value.value
    return value


def copy_rows(session: Session, table: Table, columns: list[str], rows: Iterable[tuple[Any, ...]]) -> int:
    """Load ``rows`` into ``table`` with PostgreSQL COPY; other columns get their model defaults."""
    defaults = {}
    for column in table.columns:
        if column.name in columns or column.default is None:
            continue
        arg = column.default.arg  # type: ignore[attr-defined]
        defaults[column.name] = _value(column.type, arg(None) if callable(arg) else arg)
    types = [table.c[name].type for name in columns]
    tail = tuple(defaults.values())
    names = ", ".join([*columns, *defaults])
    raw = session.connection().connection.driver_connection
    count = 0
    with raw.cursor() as cursor, cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:  # type: ignore[union-attr]
        for row in rows:
            copy.write_row(tuple(_value(t, v) for t, v in zip(types, row, strict=True)) + tail)
            count += 1
    return count


def _next_id(session: Session, table: Table) -> int:
    return (session.scalar(select(func.max(table.c.id))) or 0) + 1


def _fix_sequence(session: Session, table: Table) -> None:
    session.execute(
        text(
            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), (SELECT max(id) FROM {table.name}))"
        )
    )


# --- generating the district


def bench_rubric(session: Session, channel: Channel) -> Rubric:
    """A published rubric of 32 items in five sections: every kind, two critical items, some N/A."""
    sections = []
    number = 0
    for section_key, size in SECTIONS:
        items = []
        for _ in range(size):
            number += 1
            key, kind = f"item_{number:02d}", [ItemKind.YES_NO, ItemKind.SCALE, ItemKind.CHOICE][number % 3]
            if number == 7:
                kind = ItemKind.TIMING
            if number == 32:
                kind = ItemKind.TEXT
            spec = ItemSpec(
                key,
                f"Question {number}?",
                kind,
                points=0 if kind is ItemKind.TEXT else float(2 + number % 4),
                critical=number in (1, 14),
                allow_na=number % 5 == 0,
            )
            if kind is ItemKind.SCALE:
                spec.max = 4
            elif kind is ItemKind.CHOICE:
                spec.options = [OptionSpec("Right", 1.0), OptionSpec("Partly", 0.5), OptionSpec("Wrong", 0.0)]
            elif kind is ItemKind.TIMING:
                spec.unit = TIMING_UNITS[channel]
                spec.bands = [(3, 1.0), (5, 0.5), (8, 0.25)]
            items.append(spec)
        sections.append(SectionSpec(section_key, section_key.replace("_", " ").capitalize(), items))
    spec = RubricSpec(
        key=f"bench-{channel.value}", name=f"Bench {channel.value}", channel=channel, sections=sections
    )
    rubric = create_draft(session, spec)
    publish(session, rubric)
    return rubric


def _answer(item: Any, quality: float, rng: random.Random) -> tuple[Any, bool, float | None]:
    """A raw value, N/A flag and fraction for one item, better answered at a better school."""
    if item.allow_na and rng.random() < 0.05:
        return None, True, None
    if item.kind is ItemKind.TEXT:
        return "Front office was busy; called back later.", False, None
    if item.kind is ItemKind.YES_NO:
        yes = rng.random() < quality
        return yes, False, 1.0 if yes else 0.0
    if item.kind is ItemKind.SCALE:
        value = max(0, min(4, round(quality * 4 + rng.gauss(0, 0.8))))
        return value, False, value / 4
    if item.kind is ItemKind.CHOICE:
        roll = rng.random()
        label, fraction = (
            ("Right", 1.0)
            if roll < quality
            else ("Partly", 0.5)
            if roll < (1 + quality) / 2
            else ("Wrong", 0.0)
        )
        return label, False, fraction
    value = max(1, round(rng.expovariate(quality)) + 1)
    fraction = next((f for bound, f in item.bands if value <= bound), 0.0)
    return value, False, fraction


def generate(session: Session, schools: int, rounds: int, seed: int = 1) -> None:
    """Build the district: schools, auditors, rubrics, scenarios, rounds, assignments, contacts, responses."""
    rng = random.Random(seed)
    started = time.perf_counter()
    district = District(name=DISTRICT, timezone="America/New_York")
    session.add(district)
    session.flush()
    session.add(
        User(
            email=LEADER,
            name="Bench Leader",
            role=Role.LEADER,
            district_id=district.id,
            password_hash=hash_password(PASSWORD),
        )
    )
    auditors = [
        User(
            email=f"bench-auditor{i}@example.org",
            name=f"Auditor {i}",
            role=Role.AUDITOR,
            district_id=district.id,
            password_hash="!",
        )
        for i in range(AUDITORS)
    ]
    session.add_all(auditors)
    session.flush()
    auditor_ids = [user.id for user in auditors]
    session.execute(
        insert(School),
        [
            {
                "district_id": district.id,
                "nces_id": f"98{i:010d}",
                "name": f"Bench School {i:04d}",
                "level": LEVELS[i % len(LEVELS)],
                "phone": f"+1904{i:07d}",
                "email": f"school{i}@example.org",
            }
            for i in range(schools)
        ],
    )
    school_ids = list(
        session.scalars(select(School.id).where(School.district_id == district.id).order_by(School.id))
    )
    quality = {school_id: rng.uniform(0.35, 0.97) for school_id in school_ids}
    rubrics = {channel: bench_rubric(session, channel) for channel in Channel}
    items = {channel: rubric.items for channel, rubric in rubrics.items()}
    scenarios = {}
    for channel, rubric in rubrics.items():
        scenario = Scenario(
            district_id=district.id,
            key=f"bench-{channel.value}",
            title=f"Bench {channel.value} question",
            channel=channel,
            rubric_key=rubric.key,
        )
        session.add(scenario)
        scenarios[channel] = scenario
    first = date(2024, 1, 8)
    round_rows = []
    for number in range(rounds):
        day = first + timedelta(weeks=10 * number)
        status = RoundStatus.IN_FIELD if number == rounds - 1 else RoundStatus.CLOSED
        round_rows.append(
            Round(
                district_id=district.id,
                name=f"Round {number + 1}",
                first_day=day,
                last_day=day + timedelta(days=25),
                status=status,
            )
        )
    session.add_all(round_rows)
    session.flush()
    elapsed = time.perf_counter() - started
    print(f"generate: district, {schools} schools, rubrics, {rounds} rounds in {elapsed:.1f} s")

    assignments = Assignment.__table__
    next_assignment = _next_id(session, assignments)  # type: ignore[arg-type]
    plan = []  # (assignment id, round, school id, channel, auditor id)
    rows = []
    for round_ in round_rows:
        for school_id in school_ids:
            for channel, quota in QUOTAS.items():
                for sequence in range(1, quota + 1):
                    auditor_id = rng.choice(auditor_ids)
                    plan.append((next_assignment, round_, school_id, channel, auditor_id))
                    rows.append(
                        {
                            "id": next_assignment,
                            "round_id": round_.id,
                            "school_id": school_id,
                            "scenario_id": scenarios[channel].id,
                            "auditor_id": auditor_id,
                            "channel": channel,
                            "sequence": sequence,
                            "due_day": round_.first_day + timedelta(days=rng.randrange(20)),
                            "slot": rng.choice(list(Slot)),
                        }
                    )
                    next_assignment += 1
    for start in range(0, len(rows), BATCH):
        session.execute(insert(assignments), rows[start : start + BATCH])
    _fix_sequence(session, assignments)  # type: ignore[arg-type]
    print(f"generate: {len(rows)} assignments in {time.perf_counter() - started:.1f} s")

    contacts, responses = Contact.__table__, Response.__table__
    answered: list[tuple[int, Channel, float]] = []  # reached contacts: they get responses

    first_contact = _next_id(session, contacts)  # type: ignore[arg-type]  # no query may run during COPY

    def contact_rows() -> Iterator[dict[str, Any]]:
        contact_id = first_contact
        for assignment_id, round_, school_id, channel, auditor_id in plan:
            moment = datetime.combine(round_.first_day, datetime.min.time(), UTC) + timedelta(
                days=rng.randrange(25), hours=13 + rng.randrange(7), minutes=rng.randrange(60)
            )
            base = {
                "assignment_id": assignment_id,
                "round_id": round_.id,
                "auditor_id": auditor_id,
                "rubric_id": rubrics[channel].id,
                "unreached": False,
                "first_submitted_at": moment,
                "submitted_at": moment,
            }
            attempt = 1
            if rng.random() < 0.03:  # an earlier failed attempt: approved, but not counted
                yield {
                    **base,
                    "id": contact_id,
                    "attempt": 1,
                    "status": ContactStatus.APPROVED,
                    "outcome": Outcome.BUSY,
                    "started_at": moment - timedelta(days=1),
                    "approved_at": moment,
                }
                contact_id, attempt = contact_id + 1, 2
            roll = rng.random()
            unreached = roll < 0.05
            status = ContactStatus.SUBMITTED if 0.05 <= roll < 0.07 else ContactStatus.APPROVED
            row = {
                **base,
                "id": contact_id,
                "attempt": attempt,
                "status": status,
                "outcome": Outcome.REACHED,
                "unreached": unreached,
                "started_at": moment,
                "approved_at": moment + timedelta(days=2) if status is ContactStatus.APPROVED else None,
            }
            if unreached:
                row["outcome"] = Outcome.NO_REPLY if channel is Channel.EMAIL else Outcome.NO_ANSWER
            elif channel is Channel.PHONE:
                row.update(rings=rng.randint(1, 9), hold_seconds=rng.randint(0, 240))
            elif channel is Channel.EMAIL:
                row["response_business_hours"] = round(rng.uniform(0.5, 40), 2)
            else:
                row.update(greeted_seconds=rng.randint(5, 300), wait_seconds=rng.randint(0, 900))
            yield row
            if not unreached:
                answered.append((contact_id, channel, quality[school_id]))
            contact_id += 1

    contact_columns = [
        "id", "assignment_id", "round_id", "attempt", "auditor_id", "rubric_id", "status", "outcome",
        "unreached", "started_at", "rings", "hold_seconds", "response_business_hours", "greeted_seconds",
        "wait_seconds",
        "first_submitted_at", "submitted_at", "approved_at",
    ]  # fmt: skip
    contact_tuples = (tuple(row.get(name) for name in contact_columns) for row in contact_rows())
    count = copy_rows(session, contacts, contact_columns, contact_tuples)  # type: ignore[arg-type]
    _fix_sequence(session, contacts)  # type: ignore[arg-type]
    print(f"generate: {count} contacts in {time.perf_counter() - started:.1f} s")

    first_response = _next_id(session, responses)  # type: ignore[arg-type]

    def response_rows() -> Iterator[tuple[Any, ...]]:
        response_id = first_response
        for contact_id, channel, school_quality in answered:
            for item in items[channel]:
                value, na, fraction = _answer(item, school_quality, rng)
                comment = "Asked me to call back." if rng.random() < 0.05 else ""
                yield response_id, contact_id, item.id, value, na, fraction, comment
                response_id += 1

    columns = ["id", "contact_id", "item_id", "value", "na", "fraction", "comment"]
    count = copy_rows(session, responses, columns, response_rows())  # type: ignore[arg-type]
    _fix_sequence(session, responses)  # type: ignore[arg-type]
    session.commit()
    print(f"generate: {count} responses in {time.perf_counter() - started:.1f} s")
    tally(session, select(Contact.id))  # rows copied in bulk: tally them as a submission would
    session.commit()
    print(f"generate: contacts tallied in {time.perf_counter() - started:.1f} s")
    for table in (
        "schools",
        "assignments",
        "contacts",
        "contact_section_points",
        "responses",
        "rubric_items",
        "rubric_sections",
        "rounds",
    ):
        session.execute(text(f"ANALYZE {table}"))
    session.commit()
    print(f"generate: done (analyzed) in {time.perf_counter() - started:.1f} s")


def existing(session: Session, schools: int, rounds: int) -> bool:
    """Whether the generated district is already there with the asked size."""
    district = session.scalar(select(District).where(District.name == DISTRICT))
    if district is None:
        return False
    have_schools = session.scalar(
        select(func.count()).select_from(School).where(School.district_id == district.id)
    )
    have_rounds = session.scalar(
        select(func.count()).select_from(Round).where(Round.district_id == district.id)
    )
    return have_schools == schools and have_rounds == rounds


# --- measuring


class QueryCounter:
    """Counts the SQL statements the engine runs while active."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, *args: object) -> None:
        self.count += 1


def timed(engine: Engine, action: Callable[[], object], repeat: int) -> tuple[list[float], list[int]]:
    """Run ``action`` once to warm up, then ``repeat`` times; seconds and query counts of each run."""
    action()
    seconds, queries = [], []
    for _ in range(repeat):
        counter = QueryCounter()
        event.listen(engine, "before_cursor_execute", counter)
        start = time.perf_counter()
        try:
            action()
        finally:
            elapsed = time.perf_counter() - start
            event.remove(engine, "before_cursor_execute", counter)
        seconds.append(elapsed)
        queries.append(counter.count)
    return seconds, queries


def p95(values: list[float]) -> float:
    """The nearest-rank 95th percentile."""
    ordered = sorted(values)
    return ordered[max(math.ceil(0.95 * len(ordered)) - 1, 0)]


def report(label: str, seconds: list[float], queries: list[int]) -> None:
    """Print one line: median and p95 milliseconds, and the query counts seen."""
    counts = sorted(set(queries))
    shown = str(counts[0]) if len(counts) == 1 else f"{counts[0]}–{counts[-1]}"
    verdict = "ok" if p95(seconds) < 0.3 else "MISSED"
    print(
        f"{label}: median {statistics.median(seconds) * 1000:.0f} ms, p95 {p95(seconds) * 1000:.0f} ms "
        f"over {len(seconds)} requests (target p95 < 300 ms: {verdict}); {shown} queries per request"
    )


def get_ok(client: FlaskClient, url: str, **kwargs: Any) -> Callable[[], None]:
    """An action that GETs ``url`` and insists on a 200 (each request has its own app context and session)."""

    def action() -> None:
        response = client.get(url, **kwargs)
        if response.status_code != 200:
            raise SystemExit(f"GET {url}: {response.status_code}")
        response.close()

    return action


def signed_in(app: Flask) -> FlaskClient:
    """A test client signed in as the bench leader."""
    client = app.test_client()
    if client.post("/login", data={"email": LEADER, "password": PASSWORD}).status_code != 302:
        raise SystemExit("could not sign in as the bench leader")
    return client


def measure_pages(app: Flask, engine: Engine, latest: int, first: int, requests: int) -> None:
    """Dashboard, heat map, ``round_scores`` and the scores API, timed (called outside any app context)."""
    client = signed_in(app)
    for label, url in [
        ("dashboard", f"/rounds/{latest}/dashboard"),
        ("heat map", f"/rounds/{latest}/heatmap"),
        ("dashboard of the first round (no earlier rounds)", f"/rounds/{first}/dashboard"),
    ]:
        report(f"{label} GET {url}", *timed(engine, get_ok(client, url), requests))

    def scores_alone() -> None:
        with app.app_context():
            round_scores(db.session, db.session.get(Round, latest))  # type: ignore[arg-type]

    report(
        "round_scores() on its own (one more query loads the round)", *timed(engine, scores_alone, requests)
    )
    if not any(
        rule.rule.startswith("/api/") and rule.rule.endswith("/scores") for rule in app.url_map.iter_rules()
    ):
        print("api GET /api/v1/rounds/<id>/scores: skipped (no API in this tree)")
        return
    from audits.tokens import create_token

    with app.app_context():
        leader = db.session.scalar(select(User).where(User.email == LEADER))
        _, token = create_token(db.session, leader, "bench")  # type: ignore[arg-type]
        db.session.commit()
    url = f"/api/v1/rounds/{latest}/scores"
    report(
        f"api GET {url}",
        *timed(engine, get_ok(client, url, headers={"Authorization": f"Bearer {token}"}), requests),
    )


def _export(table: ExportTable) -> tuple[int, float, float]:
    """Bytes written, wall seconds and this process's CPU seconds."""
    start, cpu = time.perf_counter(), time.process_time()
    size = sum(len(chunk) for chunk in csv_chunks(table))
    return size, time.perf_counter() - start, time.process_time() - cpu


def measure_export(app: Flask, latest: int) -> None:
    """Rows per second of the item CSV export, and its peak traced memory for part and all of the rows."""
    with app.app_context():
        round_ = db.session.get(Round, latest)
        table = item_table(db.session, round_)  # type: ignore[arg-type]
        size, elapsed, cpu = _export(table)
        rows = table.written
        verdict = "ok" if rows / elapsed > 50_000 else "MISSED"
        print(
            f"item export CSV of round {latest}: {rows:,} rows, {size / 1e6:.1f} MB in {elapsed:.2f} s = "
            f"{rows / elapsed:,.0f} rows/s (target > 50,000: {verdict}); "
            f"{cpu:.2f} s of this process's CPU = {rows / cpu:,.0f} rows per CPU-second"
        )
        peaks = []
        for limit in (rows // 10, rows):
            full = item_table(db.session, round_)  # type: ignore[arg-type]
            part = ExportTable(full.title, full.columns, itertools.islice(full, limit))
            tracemalloc.start()
            _export(part)
            peaks.append((limit, tracemalloc.get_traced_memory()[1]))
            tracemalloc.stop()
    (few, few_peak), (many, many_peak) = peaks
    flat = "flat" if many_peak < 1.25 * few_peak + 500_000 else "GROWS"
    print(
        f"item export peak traced memory: {few_peak / 1e6:.1f} MB for {few:,} rows, "
        f"{many_peak / 1e6:.1f} MB for {many:,} rows ({flat})"
    )
    client = signed_in(app)
    start = time.perf_counter()
    response = client.get(f"/rounds/{latest}/export.csv?level=items", buffered=False)
    chunks = body = 0
    for chunk in response.response:  # type: ignore[union-attr]
        chunks += 1
        body += len(chunk)
    response.close()
    elapsed = time.perf_counter() - start
    print(
        f"item export through GET /rounds/{latest}/export.csv: {body / 1e6:.1f} MB in {chunks} chunks, "
        f"{elapsed:.2f} s = {rows / elapsed:,.0f} rows/s"
    )


def _load() -> str:
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


def _has_schema() -> bool:
    return bool(db.session.scalar(text("SELECT to_regclass('public.responses') IS NOT NULL")))


def main() -> None:
    """Build (or reuse) the benchmark district and print every figure, one per line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--schools", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--reuse", action="store_true", help="skip generation when the district exists")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    ensure_database(url)
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False})
    with app.app_context():
        if not (args.reuse and _has_schema() and existing(db.session, args.schools, args.rounds)):
            reset_schema(db.session)
            upgrade()
            generate(db.session, args.schools, args.rounds)
        else:
            db.session.commit()
            upgrade()  # a reused district built before newer migrations gets them (and their backfills)
            for table in ("contacts", "contact_section_points"):
                db.session.execute(text(f"ANALYZE {table}"))
            db.session.commit()
        district_id = db.session.scalar(select(District.id).where(District.name == DISTRICT))
        round_ids = list(
            db.session.scalars(
                select(Round.id).where(Round.district_id == district_id).order_by(Round.first_day)
            )
        )
        counted_contacts = db.session.scalar(select(func.count()).select_from(Contact).where(counted()))
        responses = db.session.scalar(select(func.count()).select_from(Response))
        engine = db.engine
        db.session.commit()
    print(
        f"data: {args.schools} schools, {len(round_ids)} rounds, "
        f"{counted_contacts:,} counted contacts, {responses:,} responses; newest round {round_ids[-1]}"
    )
    print(f"machine: {os.cpu_count()} cores, load average {_load()} before measuring")
    # Serve as wsgi.py does: what start-up built is left out of the collector's sweeps.
    print(f"heap: {freeze_startup_objects():,} start-up objects frozen, as wsgi.py does before serving")
    measure_pages(app, engine, round_ids[-1], round_ids[0], args.requests)
    measure_export(app, round_ids[-1])
    print(f"machine: load average {_load()} after measuring")


if __name__ == "__main__":
    main()
