"""Benchmark the state-wide view (every district side by side) on PostgreSQL.

Builds (once) ``--districts`` districts of ``--schools`` schools, each with ``--rounds`` published
rounds of one call, one email and one visit per school, their tallies (contact points and section
points) loaded with COPY, as ``flask`` would leave them after review. The view reads tallies only,
never responses, so none are generated. Then it measures, through the Flask test client signed in
as an administrator, ``GET /districts/compare`` and ``GET /api/v1/districts/compare`` (median and
p95 over ``--requests`` requests, the SQL statements per request), and the same page with half the
districts' rounds out of the chosen period, to show the query count does not follow the districts.

Target: p95 under 1 s for 100 districts.

Run: ``.venv/bin/python bench/region.py [--districts 100] [--schools 200] [--rounds 8] [--reuse]``.
The database is ``DATABASE_URL`` or ``postgresql+psycopg://postgres@127.0.0.1:5432/touchpoint_bench_region``,
created when missing; the ``test`` database is refused.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from flask_migrate import upgrade
from scores_and_export import (  # the district benchmark's database helpers
    SECTIONS,
    _fix_sequence,
    _next_id,
    bench_rubric,
    copy_rows,
    ensure_database,
    p95,
    reset_schema,
    timed,
)
from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from app import create_app
from app.extensions import db
from app.heap import freeze_startup_objects
from audits.models import (
    Assignment,
    Channel,
    Contact,
    ContactSectionPoints,
    ContactStatus,
    District,
    Level,
    Outcome,
    Role,
    Round,
    RoundStatus,
    Scenario,
    School,
    User,
)
from audits.passwords import hash_password
from audits.tokens import create_token

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/touchpoint_bench_region"
ADMIN = "region-admin@example.org"
PASSWORD = "bench-password-123"
LEVELS = [Level.ELEMENTARY, Level.ELEMENTARY, Level.MIDDLE, Level.HIGH]
POINTS = 6.0  # possible points of each section of a reached contact


def generate(session: Session, districts: int, schools: int, rounds: int, seed: int = 1) -> None:
    """Districts, schools, an auditor each, rubrics, scenarios, published rounds, contacts and tallies."""
    rng = random.Random(seed)
    started = time.perf_counter()
    session.add(
        User(email=ADMIN, name="Region Admin", role=Role.ADMIN, password_hash=hash_password(PASSWORD))
    )
    rubrics = {channel: bench_rubric(session, channel) for channel in Channel}
    plan: list[tuple[int, int, int, Channel, int, date, float]] = []  # assignment, round, school, …
    assignment_rows: list[dict[str, Any]] = []
    next_assignment = _next_id(session, Assignment.__table__)  # type: ignore[arg-type]
    for number in range(districts):
        district = District(name=f"Region Bench District {number:03d}")
        session.add(district)
        session.flush()
        auditor = User(
            email=f"region-auditor{number}@example.org",
            role=Role.AUDITOR,
            district_id=district.id,
            password_hash="!",
        )
        session.add(auditor)
        session.execute(
            insert(School),
            [
                {
                    "district_id": district.id,
                    "nces_id": f"97{number:03d}{i:07d}",
                    "name": f"School {number:03d}-{i:04d}",
                    "level": LEVELS[i % len(LEVELS)],
                }
                for i in range(schools)
            ],
        )
        school_ids = list(session.scalars(select(School.id).where(School.district_id == district.id)))
        scenarios = {}
        for channel, rubric in rubrics.items():
            scenarios[channel] = Scenario(
                district_id=district.id, key=f"region-{channel.value}", title=f"Bench {channel.value}",
                channel=channel, rubric_key=rubric.key,
            )  # fmt: skip
        session.add_all(scenarios.values())
        round_rows = [
            Round(
                district_id=district.id,
                name=f"Round {r + 1}",
                first_day=date(2024, 1, 8) + timedelta(weeks=10 * r),
                last_day=date(2024, 1, 8) + timedelta(weeks=10 * r, days=25),
                status=RoundStatus.PUBLISHED,
            )
            for r in range(rounds)
        ]
        session.add_all(round_rows)
        session.flush()
        quality = {school_id: rng.uniform(0.35, 0.97) for school_id in school_ids}
        for round_ in round_rows:
            for school_id in school_ids:
                for sequence, channel in enumerate(Channel, start=1):
                    plan.append(
                        (
                            next_assignment,
                            round_.id,
                            school_id,
                            channel,
                            auditor.id,
                            round_.first_day,
                            quality[school_id],
                        )
                    )
                    assignment_rows.append(
                        {
                            "id": next_assignment,
                            "round_id": round_.id,
                            "school_id": school_id,
                            "scenario_id": scenarios[channel].id,
                            "auditor_id": auditor.id,
                            "channel": channel,
                            "sequence": sequence,
                            "due_day": round_.first_day,
                            "slot": "morning",
                        }
                    )
                    next_assignment += 1
    for start in range(0, len(assignment_rows), 10_000):
        session.execute(insert(Assignment.__table__), assignment_rows[start : start + 10_000])
    _fix_sequence(session, Assignment.__table__)  # type: ignore[arg-type]
    elapsed = time.perf_counter() - started
    print(f"generate: {districts} districts, {len(assignment_rows):,} assignments in {elapsed:.1f} s")

    first_contact = _next_id(session, Contact.__table__)  # type: ignore[arg-type]  # no query during COPY
    sections: list[tuple[int, int, int, str, float, float]] = []

    def contact_rows() -> Iterator[tuple[Any, ...]]:
        contact_id = first_contact
        for assignment_id, round_id, school_id, channel, auditor_id, first_day, school_quality in plan:
            moment = datetime.combine(first_day, datetime.min.time(), UTC) + timedelta(hours=14)
            unreached = rng.random() < 0.05
            earned = possible = 0.0
            if not unreached:
                for key, _size in SECTIONS:
                    got = round(POINTS * min(max(rng.gauss(school_quality, 0.15), 0.0), 1.0), 2)
                    sections.append((contact_id, round_id, school_id, key, got, POINTS))
                    earned, possible = earned + got, possible + POINTS
            yield (
                contact_id, assignment_id, round_id, 1, auditor_id, rubrics[channel].id,
                ContactStatus.APPROVED,
                Outcome.NO_ANSWER if unreached else Outcome.REACHED, unreached, moment,
                rng.randint(1, 9) if channel is Channel.PHONE and not unreached else None,
                round(rng.uniform(0.5, 40), 2) if channel is Channel.EMAIL and not unreached else None,
                moment, moment, moment + timedelta(days=2), earned, possible,
            )  # fmt: skip
            contact_id += 1

    columns = [
        "id", "assignment_id", "round_id", "attempt", "auditor_id", "rubric_id", "status", "outcome",
        "unreached", "started_at", "rings", "response_business_hours", "first_submitted_at", "submitted_at",
        "approved_at",
        "earned_points", "possible_points",
    ]  # fmt: skip
    count = copy_rows(session, Contact.__table__, columns, contact_rows())  # type: ignore[arg-type]
    _fix_sequence(session, Contact.__table__)  # type: ignore[arg-type]
    print(f"generate: {count:,} contacts in {time.perf_counter() - started:.1f} s")
    count = copy_rows(
        session,
        ContactSectionPoints.__table__,  # type: ignore[arg-type]
        ["contact_id", "round_id", "school_id", "section_key", "earned", "possible"],
        iter(sections),
    )
    session.commit()
    print(f"generate: {count:,} section tallies in {time.perf_counter() - started:.1f} s")
    for table in ("schools", "assignments", "contacts", "contact_section_points", "rounds", "districts"):
        session.execute(text(f"ANALYZE {table}"))
    session.commit()


def existing(session: Session, districts: int, schools: int, rounds: int) -> bool:
    """Whether the generated deployment is there with the asked size."""
    have = session.scalar(
        select(func.count()).select_from(District).where(District.name.like("Region Bench%"))
    )
    per = session.scalar(
        select(func.count()).select_from(School).join(District).where(District.name.like("Region Bench%"))
    )
    have_rounds = session.scalar(select(func.count()).select_from(Round))
    return have == districts and per == districts * schools and have_rounds == districts * rounds


def _load() -> str:
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


def report(label: str, seconds: list[float], queries: list[int], target: float = 1.0) -> None:
    """One line: median and p95 milliseconds, the queries per request and the load average."""
    counts = sorted(set(queries))
    shown = str(counts[0]) if len(counts) == 1 else f"{counts[0]}–{counts[-1]}"
    verdict = "ok" if p95(seconds) < target else "MISSED"
    print(
        f"{label}: median {statistics.median(seconds) * 1000:.0f} ms, p95 {p95(seconds) * 1000:.0f} ms over "
        f"{len(seconds)} requests (target p95 < {target * 1000:.0f} ms: {verdict}); "
        f"{shown} queries per request; load average {_load()}"
    )


def main() -> None:
    """Build (or reuse) the deployment and print every figure, one per line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--districts", type=int, default=100)
    parser.add_argument("--schools", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--reuse", action="store_true", help="skip generation when the deployment exists")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    ensure_database(url)
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False})
    with app.app_context():
        has_schema = db.session.scalar(text("SELECT to_regclass('public.contacts') IS NOT NULL"))
        if not (
            args.reuse and has_schema and existing(db.session, args.districts, args.schools, args.rounds)
        ):
            reset_schema(db.session)
            upgrade()
            generate(db.session, args.districts, args.schools, args.rounds)
        else:
            db.session.commit()
            upgrade()  # newer migrations (and their backfills) reach a reused deployment
            for table in ("contacts", "contact_section_points"):
                db.session.execute(text(f"ANALYZE {table}"))
            db.session.commit()
        admin = db.session.scalars(select(User).where(User.email == ADMIN)).one()
        _, secret = create_token(db.session, admin, "bench")
        db.session.commit()
        contacts = db.session.scalar(select(func.count()).select_from(Contact))
        engine = db.engine
    print(
        f"data: {args.districts} districts × {args.schools} schools × {args.rounds} rounds, "
        f"{contacts:,} contacts; {os.cpu_count()} cores, load average {_load()} before measuring"
    )
    # Serve as wsgi.py does: what start-up built is left out of the collector's sweeps.
    print(f"heap: {freeze_startup_objects():,} start-up objects frozen, as wsgi.py does before serving")
    client = app.test_client()
    if client.post("/login", data={"email": ADMIN, "password": PASSWORD}).status_code != 302:
        raise SystemExit("could not sign in as the bench administrator")
    halfway = date(2024, 1, 8) + timedelta(weeks=10 * (args.rounds // 2))

    def get(url: str, **kwargs: Any) -> Any:
        def action() -> None:
            response = client.get(url, **kwargs)
            if response.status_code != 200:
                raise SystemExit(f"GET {url}: {response.status_code}")

        return action

    bearer = {"Authorization": f"Bearer {secret}"}
    for label, action in [
        (f"state-wide page GET /districts/compare ({args.districts} districts)", get("/districts/compare")),
        ("state-wide API GET /api/v1/districts/compare", get("/api/v1/districts/compare", headers=bearer)),
        ("state-wide page, rounds up to half-way", get(f"/districts/compare?until={halfway.isoformat()}")),
    ]:
        seconds, queries = timed(engine, action, args.requests)
        report(label, seconds, queries)


if __name__ == "__main__":
    main()
