"""Locust users for ``bench/load.py``: auditors keep drafts and submit contacts, leaders read results.

Not meant to be run by hand: ``bench/load.py`` seeds the database, writes the plan
this file reads (``LOAD_PLAN``, JSON: accounts, each auditor's open assignments with
a valid filled-in rubric, the rounds and schools leaders look at) and starts
locust headless against gunicorn on 127.0.0.1.

An auditor signs in, opens My assignments, then works through its own assignments
one at a time as a browser with ``contact-form.js`` would: open the contact form
(which starts the contact), save a few drafts as JSON with the ``X-CSRFToken``
header (each a little more filled in), submit the whole form, follow the redirect
back to My assignments. Each step is one locust task, so a stopping run ends
between steps and never abandons a submit half-way. Every submit's result is
appended to ``LOAD_SUBMIT_LOG`` (``ok``/``fail``/``unknown`` assignment contact
status), which the benchmark compares with the database afterwards.

A leader signs in and loads the round overview, the heat map, the progress board
and school results pages.

Signing in (argon2, slow on purpose) is a warm-up: the statistics of that phase are
written to ``LOAD_WARMUP`` and reset once every user has signed in, and the run
then lasts ``LOAD_DURATION`` seconds, so the figures are those of people at work,
not of 55 people signing in within five seconds. That phase's figures are written
to ``LOAD_RESULT`` once every user has stopped.

Production sends the session cookie with ``Secure``; browsers send such cookies to
``http://127.0.0.1`` (a loopback address is a secure context), so these clients do
the same on loopback only.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import time
from http.cookiejar import Cookie, DefaultCookiePolicy
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import gevent
from locust import between, events, task
from locust.contrib.fasthttp import FastHttpUser
from locust.env import Environment

PLAN: dict[str, Any] = (
    json.loads(Path(os.environ["LOAD_PLAN"]).read_text()) if "LOAD_PLAN" in os.environ else {}
)
SUBMIT_LOG = os.environ.get("LOAD_SUBMIT_LOG", os.devnull)
WARMUP_FILE = os.environ.get("LOAD_WARMUP", os.devnull)
RESULT_FILE = os.environ.get("LOAD_RESULT", os.devnull)
DURATION = float(os.environ.get("LOAD_DURATION", "60"))
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
DRAFT_URL = re.compile(r'data-draft-url="/contacts/(\d+)/draft"')


class LoopbackSecureCookies(DefaultCookiePolicy):
    """Send ``Secure`` cookies over plain HTTP to a loopback host, as browsers do; elsewhere the default."""

    def return_ok_secure(self, cookie: Cookie, request: Any) -> bool:
        host = urlsplit(request.get_full_url()).hostname or ""
        return host in LOOPBACK or super().return_ok_secure(cookie, request)


_auditor_numbers = itertools.count()
_leader_numbers = itertools.count()
_signed_in = itertools.count(1)
_started = time.monotonic()
_phase = {"since": _started, "wall": time.time()}  # when the phase being measured began


def _stats_of(environment: Environment) -> dict[str, Any]:
    """The phase's statistics per request name (milliseconds; locust rounds them), errors and exceptions."""
    stats = environment.stats
    seconds = max(time.monotonic() - _phase["since"], 0.001)
    runner = environment.runner
    return {
        "seconds": round(seconds, 1),
        "since": _phase["wall"],
        "requests": [
            {
                "name": "total" if row is stats.total else row.name,
                "method": row.method or "",
                "requests": row.num_requests,
                "failures": row.num_failures,
                "rps": row.num_requests / seconds,
                "median": row.median_response_time if row.num_requests else None,
                "p95": row.get_response_time_percentile(0.95) if row.num_requests else None,
                "p99": row.get_response_time_percentile(0.99) if row.num_requests else None,
                "max": row.max_response_time if row.num_requests else None,
            }
            for row in [*sorted(stats.entries.values(), key=lambda entry: entry.name), stats.total]
        ],
        "errors": [
            {"where": f"{error.method} {error.name}", "error": str(error.error), "count": error.occurrences}
            for error in stats.errors.values()
        ],
        "exceptions": [
            {"where": "exception", "error": row["msg"], "count": row["count"]}
            for row in (runner.exceptions.values() if runner else [])
        ],
    }


def _one_more_signed_in(environment: Environment) -> None:
    """Once everyone has signed in: keep the warm-up's figures, reset them, and run for ``DURATION``."""
    if next(_signed_in) != AuditorUser.fixed_count + LeaderUser.fixed_count:
        return
    with open(WARMUP_FILE, "w") as handle:
        json.dump(_stats_of(environment), handle)
    environment.stats.reset_all()
    _phase.update(since=time.monotonic(), wall=time.time())
    assert environment.runner is not None
    gevent.spawn_later(DURATION, environment.runner.quit)


def _log_submit(result: str, assignment_id: int, contact_id: int, detail: str) -> None:
    with open(SUBMIT_LOG, "a") as handle:
        handle.write(f"{result} {assignment_id} {contact_id} {detail}\n")


class SignedIn(FastHttpUser):
    """A person who signs in with the form (CSRF token from the page) before anything else."""

    abstract = True
    email = ""

    def on_start(self) -> None:
        self.client.cookiejar.set_policy(LoopbackSecureCookies())
        self.csrf = ""
        try:
            self.sign_in()
        finally:
            _one_more_signed_in(self.environment)

    def sign_in(self) -> None:
        with self.client.get("/login", name="GET /login", catch_response=True) as page:
            found = CSRF_INPUT.search(page.text or "")
            if page.status_code != 200 or not found:
                page.failure(f"no sign-in form (HTTP {page.status_code})")
                raise RuntimeError(f"{self.email}: no sign-in form")
        form = {"csrf_token": found.group(1), "email": self.email, "password": PLAN["password"], "next": ""}
        with self.client.post(
            "/login",
            name="POST /login",
            data=urlencode(form),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            allow_redirects=False,
            catch_response=True,
        ) as reply:
            if reply.status_code != 302:
                reply.failure(f"sign-in refused (HTTP {reply.status_code})")
                raise RuntimeError(f"{self.email}: sign-in refused")

    def page(self, url: str, name: str) -> str:
        """GET a page that must answer 200; keep its CSRF token."""
        with self.client.get(url, name=name, catch_response=True) as reply:
            if reply.status_code != 200:
                reply.failure(f"HTTP {reply.status_code}")
                return ""
            text = reply.text or ""
            found = CSRF_META.search(text)
            if found:
                self.csrf = found.group(1)
            return text


class AuditorUser(SignedIn):
    """An auditor working through its own open assignments: open, draft, draft…, submit."""

    fixed_count = int(os.environ.get("LOAD_AUDITORS", "50"))
    wait_time = between(1, 4)  # typing between two autosaves (the page saves on change and every 5 s)

    def on_start(self) -> None:
        mine = PLAN["auditors"][next(_auditor_numbers) % len(PLAN["auditors"])]
        self.email = mine["email"]
        self.todo: list[dict[str, Any]] = list(mine["assignments"])
        self.rng = random.Random(self.email)
        self.current: dict[str, Any] | None = None
        super().on_start()
        self.page("/assignments/", "GET /assignments/")

    @task
    def next_step(self) -> None:
        if self.current is None:
            self.open_next()
        elif self.drafts_left > 0:
            self.save_draft()
        else:
            self.submit()

    def open_next(self) -> None:
        if not self.todo:
            return  # nothing left to do: this auditor idles
        assignment = self.todo.pop(0)
        text = self.page(f"/assignments/{assignment['id']}/contact", "GET /assignments/[id]/contact")
        found = DRAFT_URL.search(text)
        if not found:
            return  # counted as a failure above, or the form came without a draft URL
        self.current = assignment
        self.contact_id = int(found.group(1))
        self.drafts_total = self.rng.randint(3, 6)
        self.drafts_left = self.drafts_total

    def save_draft(self) -> None:
        assert self.current is not None
        data: dict[str, str] = self.current["data"]
        done = self.drafts_total - self.drafts_left + 1
        keys = list(data)
        typed = {key: data[key] for key in keys[: max(1, len(keys) * done // (self.drafts_total + 1))]}
        with self.client.post(
            f"/contacts/{self.contact_id}/draft",
            name="POST /contacts/[id]/draft",
            json=typed,
            headers={"X-CSRFToken": self.csrf},
            allow_redirects=False,
            catch_response=True,
        ) as reply:
            if reply.status_code != 200 or "saved_at" not in (reply.text or ""):
                reply.failure(
                    f"HTTP {reply.status_code}: {getattr(reply, 'error', None) or (reply.text or '')[:120]}"
                )
        self.drafts_left -= 1

    def submit(self) -> None:
        assert self.current is not None
        assignment_id, contact_id = self.current["id"], self.contact_id
        form = {"csrf_token": self.csrf, **self.current["data"]}
        self.current = None
        result, detail = "unknown", ""
        try:
            with self.client.post(
                f"/contacts/{contact_id}/submit",
                name="POST /contacts/[id]/submit",
                data=urlencode(form),
                headers={"Content-Type": "application/x-www-form-urlencoded"},
                allow_redirects=False,
                catch_response=True,
            ) as reply:
                location = reply.headers.get("Location", "") if reply.headers else ""
                detail = f"HTTP-{reply.status_code}"
                if reply.status_code == 302 and location.rstrip("/").endswith("/assignments"):
                    result = "ok"
                else:
                    result = "fail" if reply.status_code else "unknown"
                    reply.failure(f"HTTP {reply.status_code} (Location {location or 'none'})")
        except BaseException as error:  # the user stopped mid-request, or the client broke
            detail = type(error).__name__
            raise
        finally:
            _log_submit(result, assignment_id, contact_id, f"{detail} at {time.monotonic() - _started:.1f} s")
        if result == "ok":
            self.page("/assignments/", "GET /assignments/")


class LeaderUser(SignedIn):
    """A district leader following the round: overview, heat map, progress board, school results."""

    fixed_count = int(os.environ.get("LOAD_LEADERS", "5"))
    wait_time = between(2, 6)  # reading a dashboard before clicking on

    def on_start(self) -> None:
        leaders = PLAN["leaders"]
        self.email = leaders[next(_leader_numbers) % len(leaders)]
        self.rng = random.Random(self.email)
        super().on_start()

    @task(3)
    def overview(self) -> None:
        self.page(f"/rounds/{PLAN['current_round']}/dashboard", "GET /rounds/[id]/dashboard")

    @task(2)
    def heat_map(self) -> None:
        self.page(f"/rounds/{PLAN['current_round']}/heatmap", "GET /rounds/[id]/heatmap")

    @task(2)
    def progress(self) -> None:
        self.page(f"/rounds/{PLAN['current_round']}/progress", "GET /rounds/[id]/progress")

    @task(1)
    def earlier_overview(self) -> None:
        self.page(f"/rounds/{PLAN['earlier_round']}/dashboard", "GET /rounds/[id]/dashboard")

    @task(3)
    def school(self) -> None:
        school = self.rng.choice(PLAN["schools"])
        round_id = self.rng.choice([PLAN["current_round"], PLAN["earlier_round"]])
        self.page(f"/schools/{school}/results?round={round_id}", "GET /schools/[id]/results")


@events.test_start.add_listener
def _check_plan(environment: Environment, **_kwargs: Any) -> None:
    if not PLAN:
        raise SystemExit("LOAD_PLAN is not set: run bench/load.py, which writes the plan and starts locust")


@events.test_stop.add_listener
def _write_result(environment: Environment, **_kwargs: Any) -> None:
    """The measured phase's final figures (every user has stopped; locust's CSV may be a second old)."""
    with open(RESULT_FILE, "w") as handle:
        json.dump(_stats_of(environment), handle)
