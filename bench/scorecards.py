"""Benchmark scorecards: every Duval school of the demo, in one warm process and with 1 and 2 workers.

Run: ``.venv/bin/python bench/scorecards.py`` (about a minute or two). It builds a
throw-away SQLite database: the demo (``flask demo``), then a closed round that
covers every school of the district with an approved call, email and visit each,
recorded through the real fieldwork functions. It prints:

- the median milliseconds per scorecard in one warm process (target: ≤ 350 ms),
  split into WeasyPrint (layout and PDF) and everything else (figures, inputs
  hash, templating, storing; target: under 15 % of the total);
- resident memory of that process along the batch (target: flat);
- the total seconds of ``build_scorecards`` with 1 and 2 worker processes, the
  speed-up (target: ≥ 1.7×) and each worker's peak memory.

Timings depend on the machine and on what else runs on it; the script prints
the load average at the start and after each batch so a reader can judge (the
speed-up needs both cores: anything else running at the time eats into it).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask_migrate import upgrade
from sqlalchemy import delete, select

from app import create_app
from app.extensions import db
from audits.demo import DEMO_ROUND_SCENARIOS, load_demo
from audits.demo_fieldwork import load_demo_fieldwork
from audits.models import (
    Assignment,
    Channel,
    Role,
    Round,
    RoundChannel,
    RoundStatus,
    Scenario,
    School,
    SchoolSelection,
    Scorecard,
    Slot,
)
from audits.planning.slots import school_days
from reports.batch import batch_gc, build_scorecards, inputs_hash, store_pdf
from reports.figures import gather_round
from reports.render import identifier_for, shared_renderer


def rss_mb() -> float:
    """This process's resident memory now, in MB."""
    with open("/proc/self/statm") as handle:
        pages = int(handle.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


def _cpu_seconds() -> tuple[float, float]:
    """CPU seconds (user + system) used by this process and by its finished children."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


def resize_district(session: object, district_id: int, schools: int) -> None:
    """Give the district exactly ``schools`` active schools: numbered copies of its own, or its first ones."""
    active = session.scalars(  # type: ignore[attr-defined]
        select(School).where(School.district_id == district_id, School.active.is_(True)).order_by(School.id)
    ).all()
    for extra in active[schools:]:
        extra.active = False
    for number in range(len(active), schools):
        model = active[number % len(active)]
        session.add(  # type: ignore[attr-defined]
            School(
                district_id=district_id,
                nces_id=f"99{number:010d}",
                code=f"bench-{number}",
                name=f"{model.name} {number // len(active) + 1}",
                level=model.level,
                grade_low=model.grade_low,
                grade_high=model.grade_high,
                phone=model.phone,
                email=model.email,
                principal_name=model.principal_name,
                languages=list(model.languages),
            )
        )
    session.flush()  # type: ignore[attr-defined]


def district_round(session: object, today: date, evidence: Path, schools: int = 0) -> Round:
    """A closed round over every school of the demo district: one call, email and visit each, approved.

    With ``schools`` the district first gets exactly that many (``resize_district``).
    """
    result = load_demo(session, evidence_dir=evidence, today=today)  # type: ignore[arg-type]
    district, users = result.district, result.users
    if schools:
        resize_district(session, district.id, schools)
    auditors = [user for user in users if user.role is Role.AUDITOR]
    scenarios = dict(
        session.execute(select(Scenario.key, Scenario.id).where(Scenario.district_id == district.id))  # type: ignore[attr-defined]
        .tuples()
        .all()
    )
    first = today - timedelta(days=60)
    round_ = Round(
        district_id=district.id,
        name="Winter 2027 district-wide round",
        first_day=first,
        last_day=today - timedelta(days=1),
        status=RoundStatus.IN_FIELD,
        school_selection=SchoolSelection.ALL,
    )
    for channel, keys in DEMO_ROUND_SCENARIOS.items():
        round_.channels.append(
            RoundChannel(channel=channel, contacts_per_school=1, scenario_ids=[scenarios[k] for k in keys])
        )
    session.add(round_)  # type: ignore[attr-defined]
    session.flush()  # type: ignore[attr-defined]
    closed = {closure.day for closure in district.closures}
    days = school_days(first, today - timedelta(days=2), closed)
    schools = session.scalars(
        select(School).where(School.district_id == district.id, School.active.is_(True)).order_by(School.id)
    ).all()  # type: ignore[attr-defined]
    index = 0
    for school in schools:
        for channel in Channel:
            keys = [key for key in DEMO_ROUND_SCENARIOS[channel] if not key.endswith("-es")]
            round_.assignments.append(
                Assignment(
                    school_id=school.id,
                    scenario_id=scenarios[keys[index % len(keys)]],
                    auditor_id=auditors[index % len(auditors)].id,
                    channel=channel,
                    sequence=1,
                    due_day=days[index % len(days)],
                    slot=list(Slot)[index % len(Slot)],
                )
            )
            index += 1
    session.flush()  # type: ignore[attr-defined]
    load_demo_fieldwork(session, round_, users, today, evidence, all_approved=True, seed=7)  # type: ignore[arg-type]
    round_.status = RoundStatus.CLOSED
    session.flush()  # type: ignore[attr-defined]
    return round_


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="Keep the temporary folder and print its path.")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="touchpoint-bench-"))
    app = create_app(
        "testing",
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.sqlite'}",
            "STORAGE_DIR": str(folder / "storage"),
        },
    )
    with app.app_context():
        started = time.perf_counter()
        upgrade()
        round_ = district_round(db.session, date(2027, 3, 1), folder / "evidence")
        db.session.commit()
        print(
            f"database: the demo and a closed round of every school, in {time.perf_counter() - started:.1f} s"
        )
        print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")

        # 1. One warm process: figures once for the round, then each scorecard one after the other.
        renderer = shared_renderer()
        started = time.perf_counter()
        figures = gather_round(db.session, round_)
        gather_seconds = time.perf_counter() - started
        cards = list(figures.scorecards.values())
        warm = cards[0]
        renderer.scorecard(warm, identifier_for(inputs_hash(warm)))  # warm-up: fonts, stylesheet, caches
        per_card, weasy, other = [], [], []
        memory = [(0, rss_mb())]
        storage = folder / "warm"
        cpu_started = time.process_time()
        with batch_gc():  # as the batch renders
            for number, data in enumerate(cards, start=1):
                t0 = time.perf_counter()
                digest = inputs_hash(data)
                rendered = renderer.scorecard(data, identifier_for(digest))
                store_pdf(storage, rendered.pdf)
                total = time.perf_counter() - t0
                per_card.append(total)
                weasy.append(rendered.pdf_seconds)
                other.append(total - rendered.pdf_seconds)
                if number in (20, len(cards) // 2, len(cards)):
                    memory.append((number, rss_mb()))
        cpu_seconds = time.process_time() - cpu_started
        share = gather_seconds / len(cards)
        print(f"\nschools: {len(cards)} ({sum(1 for c in cards if c.has_contacts)} with counted contacts)")
        print(
            f"figures for the whole round: {gather_seconds * 1000:.0f} ms ({share * 1000:.1f} ms per school)"
        )
        print(
            f"median per scorecard, one warm process: {statistics.median(per_card) * 1000:.0f} ms "
            f"(+{share * 1000:.1f} ms figures share; mean {statistics.mean(per_card) * 1000:.0f} ms, "
            f"CPU {cpu_seconds / len(cards) * 1000:.0f} ms)   target ≤ 350 ms"
        )
        outside = (sum(other) + gather_seconds) / (sum(per_card) + gather_seconds)
        print(
            f"time split: WeasyPrint {sum(weasy):.1f} s, figures + hash + templating + storing "
            f"{sum(other) + gather_seconds:.1f} s = {outside:.1%} outside WeasyPrint   target < 15 %"
        )
        print("resident memory along the batch: " + ", ".join(f"{n} cards {mb:.0f} MB" for n, mb in memory))

        # 2. The real batch, with 1 and with 2 worker processes (fresh storage, so everything is built).
        totals = {}
        for workers in (1, 2):
            db.session.rollback()
            db.session.execute(delete(Scorecard))
            db.session.commit()
            started, cpu_before = time.perf_counter(), _cpu_seconds()
            report = build_scorecards(db.session, round_, folder / f"batch{workers}", workers=workers)
            db.session.commit()
            totals[workers] = time.perf_counter() - started
            cpu_after = _cpu_seconds()
            parent_cpu, children_cpu = cpu_after[0] - cpu_before[0], cpu_after[1] - cpu_before[1]
            peaks = ", ".join(f"{kb / 1024:.0f} MB" for kb in sorted(report.worker_peak_kb.values()))
            print(
                f"\n{workers} worker{'s' if workers > 1 else ''}: {totals[workers]:.1f} s total "
                f"({report.summary()}); CPU {parent_cpu:.1f} s here + {children_cpu:.1f} s in workers; "
                f"peak memory per worker: {peaks}; load average now {os.getloadavg()[0]:.2f}"
            )
        print(f"speed-up with 2 workers: {totals[1] / totals[2]:.2f}×   target ≥ 1.7×")
        print(
            f"this process's peak memory: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
        )
        db.session.remove()
        db.engine.dispose()
    if args.keep:
        print(f"\nkept {folder}")
    else:
        import shutil

        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
