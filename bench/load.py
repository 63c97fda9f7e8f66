"""Load benchmark: 50 auditors saving drafts and submitting contacts while 5 leaders read dashboards.

What it does, from scratch:

1. (Re)creates the PostgreSQL database ``touchpoint_load`` (``--database-url``; the
   ``test``, ``touchpoint_bench`` and system databases are refused), runs the
   migrations and seeds it with the project's own functions: the demo district
   (``load_demo``: 208 Duval schools, the library, published rubrics, scenarios, a
   reviewer), ``--auditors`` auditors and ``--leaders`` leaders sharing one password
   hash (argon2 is slow on purpose, so it is computed once), a closed district-wide
   round with every contact approved (dashboards show trends), and a committed
   district-wide round in the field (3 calls, 2 emails, 1 visit per school, about 24
   assignments per auditor; the days already past get contacts in every review
   state through ``load_demo_fieldwork``). ``--reuse`` skips all this and works on
   the assignments still open.
2. Writes the plan for locust: each auditor's open assignments with a valid filled-in
   rubric (generated like the demo's), the rounds and schools leaders look at.
3. Starts ``gunicorn -w 2 -b 127.0.0.1:PORT wsgi:app`` with ``TOUCHPOINT_ENV=production``
   (so the real production settings: ``Secure`` cookies, no debug), mail to the
   console, no Celery broker (tasks in-process), no Twilio. Plain HTTP on loopback:
   the locust clients send the ``Secure`` session cookie to 127.0.0.1 as browsers
   do (a loopback address is a secure context), see ``bench/load_locustfile.py``.
4. Runs locust headless on loopback only (10 users started per second): auditors
   sign in, open My assignments, open a contact form, save 3-6 drafts (JSON with
   ``X-CSRFToken``, 1-4 s apart, as the page saves on every change), submit, and go
   on to the next; leaders sign in and load the round overview, heat map, progress
   board and school results (2-6 s apart). Signing in is a warm-up, reported apart:
   the ``--duration`` seconds measured start once every user has signed in (55
   argon2 checks in five seconds are not the workload being measured).
   Then prints, per endpoint: requests, failures, requests per second, median, p95,
   p99 and max milliseconds as the clients saw them (locust rounds times above
   100 ms to two significant digits); the same endpoints' server time from
   gunicorn's access log (the difference is time queued for a free worker); the
   CPU seconds of gunicorn, PostgreSQL and locust; the load average; and whether
   the targets are met: no errors, p95 under 250 ms for draft saves (and submits).
5. Checks that every submitted contact is in the database exactly once: at most one
   contact per handed-out assignment and per (assignment, attempt), exactly one
   ``submitted`` review event per submitted contact, and the submits locust saw
   succeed are exactly the submitted contacts in the database (and as many as
   locust's own statistics count).
6. Stops gunicorn (SIGTERM, graceful).

Run: ``.venv/bin/python bench/load.py [--duration 60] [--auditors 50] [--leaders 5]
[--workers 2] [--threads 1] [--port 8765] [--reuse]``. ``--threads N`` runs gthread
workers instead of sync ones. Seeding takes a minute or two. The figures (JSON), the
logs and the plan stay in ``--workdir`` (default ``/tmp/touchpoint-load``). Figures
depend on the machine and on what else runs on it: the load average is printed.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from unittest.mock import patch
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psutil
from flask_migrate import upgrade
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from app import create_app
from app.extensions import db
from audits.accounts import NewUser, create_user
from audits.demo import DEMO_ROUND_SCENARIOS, load_demo
from audits.demo_fieldwork import demo_entry, load_demo_fieldwork
from audits.fieldwork.drafts import entry_values
from audits.models import (
    Assignment,
    AuditorProfile,
    Channel,
    Contact,
    ContactStatus,
    District,
    ReviewAction,
    ReviewEvent,
    Role,
    Round,
    RoundStatus,
    Rubric,
    Scenario,
    SchoolSelection,
    User,
)
from audits.passwords import hash_password
from audits.planning.rounds import ChannelPlan, RoundSpec, commit_plan, move_round, save_round
from audits.rubrics.versions import latest_published
from audits.timeutil import utcnow

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent  # gunicorn and locust of this virtual environment
DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/touchpoint_load"
REFUSED = {"test", "touchpoint_bench", "postgres", "template0", "template1"}
PASSWORD = "load-password-123"
AUDITOR_EMAIL = "load-auditor-{:03d}@example.org"
LEADER_EMAIL = "load-leader-{:02d}@example.org"
CURRENT = "Load test round (in the field)"
EARLIER = "Load test round (closed)"
CURRENT_QUOTAS = {Channel.PHONE: 3, Channel.EMAIL: 2, Channel.VISIT: 1}
EARLIER_QUOTAS = {Channel.PHONE: 1, Channel.EMAIL: 1, Channel.VISIT: 1}
SPAWN_RATE = 10
DRAFT = "POST /contacts/[id]/draft"
SUBMIT = "POST /contacts/[id]/submit"
TARGET_P95_MS = 250
# Gunicorn's access log: when, method, path, status and the seconds the worker spent on the request.
ACCESS_FORMAT = "%(t)s %(m)s %(U)s %(s)s %(L)s"
ACCESS_LINE = re.compile(r"^\[([^\]]+)\] (\S+) (\S+) (\d+) ([0-9.]+)$")
DISTRICT_TIMEZONE = "America/New_York"  # the demo district, Duval County (Florida)


# --- the database


def ensure_fresh_database(url: str, reuse: bool) -> None:
    """Create the database (dropped first unless ``reuse``); refuse shared and system databases."""
    parsed = make_url(url)
    name = parsed.database or ""
    if name in REFUSED or not re.fullmatch(r"[a-z0-9_]+", name):
        raise SystemExit(f"refusing to load-test in database {name!r}: use a dedicated one")
    if parsed.host not in {"127.0.0.1", "localhost", "::1"}:
        raise SystemExit(f"refusing a database on {parsed.host}: the load test runs on loopback only")
    engine = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        exists = connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name})
        if exists and not reuse:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        if not exists or not reuse:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()


def _round(
    session: Session,
    district: District,
    name: str,
    first_day: date,
    last_day: date,
    quotas: dict[Channel, int],
    seed: int,
) -> Round:
    """A district-wide round, planned by the planner and committed, in the field."""
    scenario_ids = dict(
        session.execute(select(Scenario.key, Scenario.id).where(Scenario.district_id == district.id))
        .tuples()
        .all()
    )
    spec = RoundSpec(
        name=name,
        first_day=first_day,
        last_day=last_day,
        school_selection=SchoolSelection.ALL,
        channels={
            channel: ChannelPlan(per_school, [scenario_ids[key] for key in DEMO_ROUND_SCENARIOS[channel]])
            for channel, per_school in quotas.items()
        },
        seed=seed,
    )
    round_ = save_round(session, district, spec)
    commit_plan(session, round_)
    move_round(session, round_, RoundStatus.IN_FIELD)
    return round_


def seed(session: Session, auditors: int, leaders: int, today: date, evidence_dir: Path) -> None:
    """The demo district plus the load-test accounts, a closed round and a round in the field."""
    started = time.perf_counter()
    demo = load_demo(session, today=today, evidence_dir=evidence_dir)
    district = demo.district
    shared_hash = hash_password(PASSWORD)
    people = []
    with patch("audits.accounts.hash_password", return_value=shared_hash):  # one argon2 hash for all
        for number in range(1, auditors + 1):
            people.append(
                create_user(
                    session,
                    NewUser(
                        AUDITOR_EMAIL.format(number), Role.AUDITOR, PASSWORD, f"Auditor {number}", district.id
                    ),
                )
            )
        for number in range(1, leaders + 1):
            people.append(
                create_user(
                    session,
                    NewUser(
                        LEADER_EMAIL.format(number), Role.LEADER, PASSWORD, f"Leader {number}", district.id
                    ),
                )
            )
    for number, user in enumerate(people):
        if user.role is Role.AUDITOR:
            languages = ["en", "es"] if number % 3 == 0 else ["en"]
            session.add(AuditorProfile(user_id=user.id, languages=languages, max_per_day=6))
    session.flush()
    users = [*demo.users, *people]
    print(f"seed: demo district and {len(people)} accounts in {time.perf_counter() - started:.0f} s")

    earlier = _round(
        session,
        district,
        EARLIER,
        today - timedelta(days=200),
        today - timedelta(days=170),
        EARLIER_QUOTAS,
        2025,
    )
    approved = load_demo_fieldwork(
        session,
        earlier,
        users,
        earlier.last_day + timedelta(days=1),
        evidence_dir,
        all_approved=True,
        seed=2025,
    )
    move_round(session, earlier, RoundStatus.CLOSED)
    print(
        f"seed: closed round, {len(earlier.assignments)} assignments, {approved.approved} approved and "
        f"{approved.unreached} unreached contacts ({time.perf_counter() - started:.0f} s)"
    )
    current = _round(
        session,
        district,
        CURRENT,
        today - timedelta(days=7),
        today + timedelta(days=42),
        CURRENT_QUOTAS,
        2026,
    )
    work = load_demo_fieldwork(session, current, users, today, evidence_dir, seed=2026)
    print(
        f"seed: round in the field, {len(current.assignments)} assignments; days past: {work.approved} "
        f"approved, {work.submitted} submitted, {work.returned} returned, {work.unreached} unreached "
        f"({time.perf_counter() - started:.0f} s)"
    )


# --- the plan locust follows


def filled_form(
    assignment: Assignment, rubric: Rubric, rng: random.Random, started: datetime
) -> dict[str, str]:
    """A valid contact form for ``assignment``: a reached school, every item answered (as the demo's)."""
    quality = rng.choice([0.95, 0.85, 0.7, 0.5, 0.35])
    entry = demo_entry(assignment, rubric, quality, rng, started)
    return entry_values(entry, assignment.round.district.timezone)


def write_plan(session: Session, auditors: int, leaders: int, path: Path) -> dict[str, Any]:
    """Every load auditor's open assignments in the round in the field, with the form each will submit."""
    current = session.scalars(select(Round).where(Round.name == CURRENT)).one()
    earlier = session.scalars(select(Round).where(Round.name == EARLIER)).one()
    emails = [AUDITOR_EMAIL.format(number) for number in range(1, auditors + 1)]
    users = {user.email: user for user in session.scalars(select(User).where(User.email.in_(emails)))}
    leader_emails = [LEADER_EMAIL.format(number) for number in range(1, leaders + 1)]
    found_leaders = session.scalar(
        select(func.count()).select_from(User).where(User.email.in_(leader_emails))
    )
    if len(users) < auditors or found_leaders < leaders:
        raise SystemExit(
            f"the database has {len(users)} load auditors and {found_leaders} leaders, not "
            f"{auditors} and {leaders}: run without --reuse"
        )
    started = utcnow().replace(second=0, microsecond=0) - timedelta(days=1)
    rubrics: dict[str, Rubric] = {}
    plan_auditors = []
    for email in emails:
        user = users[email]
        open_ = session.scalars(
            select(Assignment)
            .where(
                Assignment.round_id == current.id,
                Assignment.auditor_id == user.id,
                ~select(Contact.id).where(Contact.assignment_id == Assignment.id).exists(),
            )
            .order_by(Assignment.due_day, Assignment.slot, Assignment.id)
        ).all()
        rng = random.Random(email)
        items = []
        for assignment in open_:
            key = assignment.scenario.rubric_key
            if key not in rubrics:
                rubric = latest_published(session, key)
                assert rubric is not None, f"no published rubric {key}"
                rubrics[key] = rubric
            items.append({"id": assignment.id, "data": filled_form(assignment, rubrics[key], rng, started)})
        plan_auditors.append({"email": email, "assignments": items})
    schools = sorted(
        set(session.scalars(select(Assignment.school_id).where(Assignment.round_id == current.id)))
    )
    plan = {
        "password": PASSWORD,
        "auditors": plan_auditors,
        "leaders": leader_emails,
        "current_round": current.id,
        "earlier_round": earlier.id,
        "schools": schools,
    }
    path.write_text(json.dumps(plan))
    return plan


# --- gunicorn and locust


def port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def server_env(url: str, workdir: Path) -> dict[str, str]:
    """Production settings for the server: no SMTP (console), no broker, no Twilio, its own folders."""
    dropped = ("MAIL_", "CELERY_", "TWILIO_", "TEST_DATABASE_URL", "FLASK_")
    env = {key: value for key, value in os.environ.items() if not key.startswith(dropped)}
    env.update(
        TOUCHPOINT_ENV="production",
        SECRET_KEY=secrets.token_hex(32),
        DATABASE_URL=url,
        TOUCHPOINT_INSTANCE_DIR=str(workdir / "instance"),
        EVIDENCE_DIR=str(workdir / "evidence"),
        STORAGE_DIR=str(workdir / "storage"),
        PUBLIC_BASE_URL="http://127.0.0.1",
    )
    return env


def start_gunicorn(url: str, workdir: Path, port: int, workers: int, threads: int) -> subprocess.Popen[bytes]:
    """Start gunicorn on loopback and wait until it answers (sync workers, or gthread with ``threads``)."""
    command = [
        str(BIN / "gunicorn"),
        "-w", str(workers),
        "-b", f"127.0.0.1:{port}",
        "--error-logfile", str(workdir / "gunicorn.log"),
        "--access-logfile", str(workdir / "access.log"),
        "--access-logformat", ACCESS_FORMAT,
        "--graceful-timeout", "20",
        "--no-control-socket",  # gunicorn's default socket is shared by every gunicorn of this account
        # gthread keeps connections alive (2 s by default): longer than any pause between two requests, so
        # that a client never reuses a connection the server is closing (an error no browser would show).
        *(["--threads", str(threads), "--keep-alive", "30"] if threads > 1 else []),
        "wsgi:app",
    ]  # fmt: skip
    server = subprocess.Popen(command, cwd=ROOT, env=server_env(url, workdir))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}; see {workdir / 'gunicorn.log'}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=5) as reply:
                if reply.status == 200:
                    return server
        except OSError:
            time.sleep(0.3)
    stop(server)
    raise SystemExit(f"gunicorn did not answer within 60 s; see {workdir / 'gunicorn.log'}")


def stop(server: subprocess.Popen[bytes]) -> None:
    """Stop gunicorn gracefully (SIGTERM lets workers finish their requests)."""
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def cpu_times(processes: list[psutil.Process]) -> dict[int, float]:
    """CPU seconds (user + system) of each process, by pid."""
    times = {}
    for process in processes:
        try:
            cpu = process.cpu_times()
        except psutil.Error:
            continue
        times[process.pid] = cpu.user + cpu.system
    return times


def cpu_used(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds used between two readings (processes started in between count from zero)."""
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


def postgres_processes() -> list[psutil.Process]:
    """The PostgreSQL server's processes (every database's backends, not only this benchmark's)."""
    return [p for p in psutil.process_iter(["name"]) if p.info["name"] in {"postgres", "postmaster"}]


class LoadSampler(threading.Thread):
    """Samples the 1-minute load average every 5 s while the run lasts."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.samples: list[float] = []
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(5):
            self.samples.append(os.getloadavg()[0])


def run_locust(
    args: argparse.Namespace, plan_path: Path, workdir: Path, server: subprocess.Popen[bytes]
) -> dict[str, Any]:
    """Run locust headless against the server; return CPU use and load average of the run."""
    for old in ("submits.log", "warmup.json", "result.json"):
        (workdir / old).unlink(missing_ok=True)
    (workdir / "submits.log").write_text("")
    env = dict(
        os.environ,
        LOAD_PLAN=str(plan_path),
        LOAD_SUBMIT_LOG=str(workdir / "submits.log"),
        LOAD_WARMUP=str(workdir / "warmup.json"),
        LOAD_RESULT=str(workdir / "result.json"),
        LOAD_DURATION=str(args.duration),
        LOAD_AUDITORS=str(args.auditors),
        LOAD_LEADERS=str(args.leaders),
    )
    command = [
        str(BIN / "locust"),
        "-f", str(ROOT / "bench" / "load_locustfile.py"),
        "--headless",
        "-u", str(args.auditors + args.leaders),
        "-r", str(SPAWN_RATE),
        "-t", f"{args.duration + 300}s",  # a cap: the locustfile stops DURATION s after the sign-ins
        "--stop-timeout", "30",
        "--host", f"http://127.0.0.1:{args.port}",
        "--only-summary",
        "--loglevel", "WARNING",
        "--exit-code-on-error", "0",
    ]  # fmt: skip
    before = {"gunicorn": cpu_times(server_processes(server)), "postgres": cpu_times(postgres_processes())}
    sampler = LoadSampler()
    load_before = os.getloadavg()
    sampler.start()
    started = time.perf_counter()
    with open(workdir / "locust.log", "w") as log:
        returncode = subprocess.run(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        ).returncode
    elapsed = time.perf_counter() - started
    after = {"gunicorn": cpu_times(server_processes(server)), "postgres": cpu_times(postgres_processes())}
    sampler.done.set()
    sampler.join()
    load_after = os.getloadavg()
    if returncode != 0:
        print((workdir / "locust.log").read_text()[-3000:])
        raise SystemExit(f"locust exited with {returncode}; see {workdir / 'locust.log'}")
    children = psutil.Process().cpu_times()
    return {
        "elapsed": elapsed,
        "gunicorn_cpu": cpu_used(before["gunicorn"], after["gunicorn"]),
        "postgres_cpu": cpu_used(before["postgres"], after["postgres"]),
        "locust_cpu": children.children_user + children.children_system,
        "load_before": load_before,
        "load_after": load_after,
        "load_samples": sampler.samples,
    }


def server_processes(server: subprocess.Popen[bytes]) -> list[psutil.Process]:
    master = psutil.Process(server.pid)
    return [master, *master.children(recursive=True)]


# --- the report


def read_phase(path: Path) -> dict[str, Any] | None:
    """A phase's figures as the locustfile wrote them, or ``None``."""
    return json.loads(path.read_text()) if path.exists() and path.read_text() else None


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


def print_phase(phase: dict[str, Any], rates: bool = True) -> None:
    """One table row per request name, then the total (milliseconds)."""
    print(HEADER)
    print("-" * len(HEADER))
    for row in phase["requests"]:
        if not row["requests"] and row["name"] != "total":
            continue  # e.g. sign-ins, all in the warm-up
        if row["name"] == "total":
            print("-" * len(HEADER))
        rate = f"{row['rps']:.1f}" if rates else ""
        print(
            f"{row['name']:34} {row['requests']:>8} {row['failures']:>5} {rate:>6} {_ms(row['median']):>7} "
            f"{_ms(row['p95']):>6} {_ms(row['p99']):>6} {_ms(row['max']):>6}"
        )


def phase_errors(phase: dict[str, Any] | None) -> list[dict[str, Any]]:
    return [*phase["errors"], *phase["exceptions"]] if phase else []


HEADER = (
    f"{'endpoint':34} {'requests':>8} {'fail':>5} {'req/s':>6} {'median':>7} {'p95':>6} {'p99':>6} {'max':>6}"
)


def endpoint_name(method: str, path: str) -> str:
    """The locust name of a request: numbers in the path become ``[id]``."""
    return f"{method} {re.sub(r'/[0-9]+(?=/|$)', '/[id]', path)}"


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def server_report(workdir: Path, since: float) -> None:
    """Server time per endpoint from gunicorn's access log (the measured phase): handling without queueing."""
    times: dict[str, list[float]] = {}
    access = workdir / "access.log"
    for line in access.read_text().splitlines() if access.exists() else []:
        found = ACCESS_LINE.match(line)
        if not found:
            continue
        when = datetime.strptime(found.group(1), "%d/%b/%Y:%H:%M:%S %z").timestamp()
        if when + 1 < since:  # the log has whole seconds
            continue
        times.setdefault(endpoint_name(found.group(2), found.group(3)), []).append(
            float(found.group(5)) * 1000
        )
    if not times:
        return
    print()
    print("server time (gunicorn's access log, same phase; the difference to the figures above is queueing):")
    print(f"{'endpoint':34} {'requests':>8} {'median':>7} {'p95':>6} {'max':>6}")
    for name, values in sorted(times.items()):
        print(
            f"{name:34} {len(values):>8} {percentile(values, 0.5):>7.0f} "
            f"{percentile(values, 0.95):>6.0f} {max(values):>6.0f}"
        )


def report(workdir: Path, run: dict[str, Any], args: argparse.Namespace) -> bool:
    """Print the figures, the errors and the targets; return whether the targets hold."""
    warmup, result = read_phase(workdir / "warmup.json"), read_phase(workdir / "result.json")
    if result is None:
        raise SystemExit(f"locust wrote no figures; see {workdir / 'locust.log'}")
    print()
    if warmup is None:
        print("warm-up: not every user signed in; the figures below include the sign-ins")
    else:
        print(f"warm-up (every user signs in; not in the figures below): {warmup['seconds']:.0f} s")
        print_phase(warmup, rates=False)
    threads = f" × {args.threads} threads" if args.threads > 1 else ""
    print()
    print(
        f"figures (milliseconds; {args.auditors} auditors, {args.leaders} leaders, {result['seconds']:.0f} s "
        f"after the sign-ins, gunicorn {args.workers} workers{threads}):"
    )
    print_phase(result)
    server_report(workdir, result["since"])
    errors = [*phase_errors(warmup), *phase_errors(result)]
    print()
    if errors:
        print("errors (warm-up included):")
        for error in errors:
            print(f"  {error['count']:>5} × {error['where']}: {error['error'][:150]}")
    else:
        print("errors: none (warm-up included)")
    samples = run["load_samples"] or [run["load_after"][0]]
    print(
        f"machine: {os.cpu_count()} cores; "
        f"load average before {' '.join(f'{v:.2f}' for v in run['load_before'])}, "
        f"during (1-min, every 5 s) mean {sum(samples) / len(samples):.2f} max {max(samples):.2f}, "
        f"after {' '.join(f'{v:.2f}' for v in run['load_after'])}"
    )
    print(
        f"CPU seconds over the {run['elapsed']:.0f} s of locust (warm-up included): gunicorn "
        f"{run['gunicorn_cpu']:.1f}, PostgreSQL (whole server) {run['postgres_cpu']:.1f}, "
        f"locust {run['locust_cpu']:.1f}"
    )
    by_name = {row["name"]: row for row in result["requests"]}
    failures = sum(row["failures"] for phase in (warmup, result) if phase for row in phase["requests"][-1:])
    count = failures + sum(
        error["count"] for phase in (warmup, result) for error in (phase or {}).get("exceptions", [])
    )
    ok = count == 0
    print()
    print(f"target: zero errors (warm-up included) — {count}: {'met' if ok else 'MISSED'}")
    for name in (DRAFT, SUBMIT):
        row = by_name.get(name)
        if row is None or row["p95"] is None:
            print(f"target: p95 of {name} under {TARGET_P95_MS} ms — no such request: MISSED")
            ok = False
            continue
        met = row["p95"] < TARGET_P95_MS
        ok = ok and met
        print(
            f"target: p95 of {name} under {TARGET_P95_MS} ms — {row['p95']:.0f} ms: "
            f"{'met' if met else 'MISSED'}"
        )
    return ok


def read_submit_log(path: Path) -> list[tuple[str, int, int, str]]:
    entries = []
    for line in path.read_text().splitlines():
        result, assignment_id, contact_id, detail = [*line.split(" ", 3), ""][:4]
        entries.append((result, int(assignment_id), int(contact_id), detail))
    return entries


def exactly_once(session: Session, plan: dict[str, Any], workdir: Path) -> bool:
    """Each submit locust saw succeed is one submitted contact in the database, and nothing else is."""
    handed = [item["id"] for auditor in plan["auditors"] for item in auditor["assignments"]]
    log = read_submit_log(workdir / "submits.log")
    ok_pairs = {(a, c) for result, a, c, _ in log if result == "ok"}
    ok_count = sum(1 for result, *_ in log if result == "ok")
    locust_ok = 0  # successful submits in locust's statistics, warm-up included
    for phase in (read_phase(workdir / "warmup.json"), read_phase(workdir / "result.json")):
        for row in phase["requests"] if phase else []:
            if row["name"] == SUBMIT:
                locust_ok += row["requests"] - row["failures"]

    per_assignment = dict(
        session.execute(
            select(Contact.assignment_id, func.count())
            .where(Contact.assignment_id.in_(handed))
            .group_by(Contact.assignment_id)
        )
        .tuples()
        .all()
    )
    attempts_twice = session.execute(
        select(Contact.assignment_id, Contact.attempt)
        .where(Contact.assignment_id.in_(handed))
        .group_by(Contact.assignment_id, Contact.attempt)
        .having(func.count() > 1)
    ).all()
    contacts = session.execute(
        select(Contact.id, Contact.assignment_id, Contact.status).where(Contact.assignment_id.in_(handed))
    ).all()
    submitted = {(a, c) for c, a, status in contacts if status is ContactStatus.SUBMITTED}
    drafts = sum(1 for _, _, status in contacts if status is ContactStatus.DRAFT)
    events = Counter(
        dict(
            session.execute(
                select(ReviewEvent.contact_id, func.count())
                .where(
                    ReviewEvent.contact_id.in_([c for c, _, _ in contacts]),
                    ReviewEvent.action == ReviewAction.SUBMITTED,
                )
                .group_by(ReviewEvent.contact_id)
            )
            .tuples()
            .all()
        )
    )
    several = {a: n for a, n in per_assignment.items() if n > 1}
    bad_events = {c: events[c] for _, c in submitted if events[c] != 1}
    stray_events = {c: n for c, n in events.items() if c not in {c for _, c in submitted}}
    missing = ok_pairs - submitted
    unlogged = submitted - ok_pairs
    print()
    print("exactly-once check (the assignments handed to locust):")
    print(
        f"  handed out {len(handed)} open assignments; {len(per_assignment)} got a contact, "
        f"{drafts} still drafts"
    )
    print(
        f"  successful submits: {ok_count} in locust's log, {locust_ok} in locust's statistics; "
        f"{len(submitted)} submitted contacts in the database"
    )
    for result, assignment_id, contact_id, detail in log:
        if result != "ok":
            where = f"assignment {assignment_id}, contact {contact_id}"
            print(f"  a submit that did not succeed ({result}, {where}): {detail}")
    checks = [
        ("one contact per assignment", not several, f"{len(several)} assignments with several: {several}"),
        ("one contact per (assignment, attempt)", not attempts_twice, f"duplicates: {attempts_twice}"),
        ("one 'submitted' event per submitted contact", not bad_events, f"contacts: {bad_events}"),
        ("no 'submitted' event on an unsubmitted contact", not stray_events, f"contacts: {stray_events}"),
        ("each logged submit is in the database", not missing, f"missing: {sorted(missing)[:20]}"),
        ("each submitted contact was logged", not unlogged, f"not logged: {sorted(unlogged)[:20]}"),
        (
            "no submit logged twice",
            ok_count == len(ok_pairs),
            f"{ok_count} entries, {len(ok_pairs)} distinct",
        ),
        ("log, statistics and database agree", ok_count == locust_ok == len(submitted), "counts differ"),
    ]
    for label, passed, detail in checks:
        print(f"  {'ok  ' if passed else 'FAIL'} {label}{'' if passed else ': ' + detail}")
    passed_all = all(passed for _, passed, _ in checks)
    print(f"  exactly once: {'yes' if passed_all else 'NO'}")
    return passed_all


# --- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--duration", type=int, default=60, help="seconds of load (default 60)")
    parser.add_argument(
        "--auditors", type=int, default=50, help="auditors saving and submitting (default 50)"
    )
    parser.add_argument("--leaders", type=int, default=5, help="leaders loading dashboards (default 5)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (default 2)")
    parser.add_argument(
        "--threads", type=int, default=1, help="threads per worker (default 1: sync workers; more: gthread)"
    )
    parser.add_argument("--port", type=int, default=8765, help="port on 127.0.0.1 (default 8765)")
    parser.add_argument("--reuse", action="store_true", help="skip reseeding; use the assignments still open")
    parser.add_argument("--database-url", default=DEFAULT_URL, help=f"default {DEFAULT_URL}")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/touchpoint-load"), help="logs, CSV, plan")
    args = parser.parse_args()
    if not port_is_free(args.port):
        raise SystemExit(f"port {args.port} on 127.0.0.1 is in use: pick another with --port")
    workdir: Path = args.workdir
    url = args.database_url
    if not args.reuse and workdir.exists():
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    ensure_fresh_database(url, args.reuse)
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        if not args.reuse:
            upgrade()
            today = utcnow().astimezone(ZoneInfo(DISTRICT_TIMEZONE)).date()
            seed(db.session, args.auditors, args.leaders, today, workdir / "evidence")
            db.session.commit()
        plan = write_plan(db.session, args.auditors, args.leaders, workdir / "plan.json")
        db.session.commit()
    handed = [len(auditor["assignments"]) for auditor in plan["auditors"]]
    print(
        f"plan: {sum(handed)} open assignments for {args.auditors} auditors "
        f"({min(handed)}-{max(handed)} each), "
        f"{len(plan['schools'])} schools for {args.leaders} leaders"
    )
    if min(handed) < 8:
        print("warning: some auditors have few open assignments left; run without --reuse to reseed")
    server = start_gunicorn(url, workdir, args.port, args.workers, args.threads)
    try:
        kind = f"gthread, {args.threads} threads each" if args.threads > 1 else "sync"
        print(
            f"gunicorn: {args.workers} workers ({kind}) on 127.0.0.1:{args.port}, TOUCHPOINT_ENV=production; "
            f"locust: {args.auditors + args.leaders} users, {SPAWN_RATE}/s, {args.duration} s"
        )
        run = run_locust(args, workdir / "plan.json", workdir, server)
    finally:
        stop(server)
    print(f"gunicorn stopped (exit code {server.returncode})")
    targets = report(workdir, run, args)
    with app.app_context():
        once = exactly_once(db.session, plan, workdir)
        db.session.rollback()
    print()
    print(f"result: targets {'met' if targets else 'MISSED'}; exactly once {'yes' if once else 'NO'}")
    print(
        f"files: {workdir} (result.json, warmup.json, submits.log, access.log, locust.log, "
        "gunicorn.log, plan.json)"
    )


if __name__ == "__main__":
    main()
