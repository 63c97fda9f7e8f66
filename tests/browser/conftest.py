"""Fixtures of the real-browser tests: a live server process, Debian's Chromium and failure artefacts.

The app runs under gunicorn in its own process on 127.0.0.1 (a free port), configured
only through the environment, on the test database: the journey uses the suite's
per-test ``database_url``; the modules that need a whole district (accessibility,
keyboard, layout) get one demo world per module (``demo_world``): ``flask demo`` and
its earlier round's published scorecards, built once per test process and copied for each
module before its server starts (a SQLite file; on PostgreSQL a template database).

Chromium is Debian's ``/usr/bin/chromium``, never a downloaded one: without it every
browser test fails with a message saying what to install. When a test fails, the
server log, a screenshot and the HTML of every page it had open are kept under
``artifacts/browser/failures/``.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask_migrate import upgrade
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright
from sqlalchemy import create_engine, text

from app import create_app
from app.extensions import db
from config import normalise_database_url
from tests.conftest import REPO_ROOT, TEST_DATABASE_URL
from tests.database import recreate_database, sibling_database_url

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = REPO_ROOT / "artifacts" / "browser"
FAILURES = ARTIFACTS / "failures" / ("postgresql" if TEST_DATABASE_URL else "sqlite")
AXE_SCRIPT = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
DEMO_PASSWORD = "demo-password"  # audits.demo.DEMO_PASSWORD: every demo account's
SERVER_START_SECONDS = 120  # generous: on a loaded machine booting the app alone can take half a minute
ACTION_TIMEOUT_MS = 15_000

# Settings that could reach the outside world; the server never inherits them.
_OUTSIDE_SETTINGS = re.compile(
    r"^(MAIL_|TWILIO_|CELERY_|RECORDING_|OIDC_|DATABASE_URL$|TEST_DATABASE_URL$|FLASK_)"
)

_REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()
_FAILED_MODULES: set[str] = set()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[pytest.TestReport]:
    """Remember each phase's report on the test, so fixtures can keep artefacts of failures."""
    report: pytest.TestReport = yield
    item.stash.setdefault(_REPORTS, {})[report.when] = report
    if report.failed:
        _FAILED_MODULES.add(item.nodeid.split("::", 1)[0])
    return report


def has_failed(node: pytest.Item) -> bool:
    """Whether the test's setup or body failed (so far)."""
    return any(report.failed for report in node.stash.get(_REPORTS, {}).values())


def _slug(text_: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text_).strip("-")[:120]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_environment(database_url: str, workdir: Path, base_url: str = "") -> dict[str, str]:
    """The environment of a server or ``flask`` command on ``database_url``: files under ``workdir``.

    ``testing`` keeps mail in an in-memory outbox, runs background tasks in-process and
    ignores any Twilio account; nothing from the caller's environment can point it elsewhere.
    """
    env = {name: value for name, value in os.environ.items() if not _OUTSIDE_SETTINGS.match(name)}
    env.update(
        {
            "TOUCHPOINT_ENV": "testing",
            "DATABASE_URL": database_url,
            "SECRET_KEY": "browser-tests-" + "x" * 32,
            "TOUCHPOINT_INSTANCE_DIR": str(workdir / "instance"),
            "EVIDENCE_DIR": str(workdir / "evidence"),
            "STORAGE_DIR": str(workdir / "storage"),
            "PUBLIC_BASE_URL": base_url or "http://127.0.0.1",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def run_cli(database_url: str, workdir: Path, *args: str) -> str:
    """Run a ``flask`` command in-process on ``database_url``, with the files a server on ``workdir`` uses.

    The same commands an administrator types (``flask demo``, ``flask users create`` …),
    without starting a new interpreter for each; a failure fails the test with the output.
    """
    app = create_app(
        "testing",
        {
            "SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url),
            "EVIDENCE_DIR": str(workdir / "evidence"),
            "STORAGE_DIR": str(workdir / "storage"),
        },
    )
    with app.app_context():  # as ``flask`` itself does for every command
        result = app.test_cli_runner().invoke(args=list(args))
        db.session.remove()
        db.engine.dispose()
    if result.exit_code != 0:
        pytest.fail(
            f"flask {' '.join(args)} failed ({result.exit_code}):\n{result.output}\n{result.exception!r}"
        )
    return result.output


@dataclass
class LiveServer:
    """The app served by gunicorn in a child process."""

    url: str
    process: subprocess.Popen[bytes]
    database_url: str
    workdir: Path

    @property
    def log_path(self) -> Path:
        """Where gunicorn writes its access and error log."""
        return self.workdir / "server.log"

    def log(self) -> str:
        """What the server has written so far."""
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self) -> None:
        """Stop the server at once (gunicorn's quick shutdown), killing it if it does not stop in time."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)

    def keep_log(self, name: str) -> Path:
        """Copy the server log under ``artifacts/browser/failures/`` and return where."""
        target = FAILURES / _slug(name) / "server.log"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self.log_path, target)
        return target


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def start_server(
    database_url: str, workdir: Path, port: int | None = None, settings: dict[str, str] | None = None
) -> LiveServer:
    """Start gunicorn on ``port`` (a free one) of 127.0.0.1 and wait until it answers the sign-in page.

    ``settings`` are more environment variables for the server (``OIDC_*`` for a test provider).
    """
    workdir.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**server_environment(database_url, workdir, url), **(settings or {})}
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "1",
        "--worker-class",
        "gthread",
        "--threads",
        "4",
        "--timeout",
        "120",
        "--keep-alive",
        "30",  # longer than any pause of a test, so Chromium never reuses a connection being closed
        "--graceful-timeout",
        "3",
        "--no-control-socket",  # gunicorn's default control socket is shared by every gunicorn of the account
        "--access-logfile",
        "-",
        "--error-logfile",
        "-",
        "wsgi:app",
    ]
    with (workdir / "server.log").open("wb") as log:
        process = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    server = LiveServer(url, process, database_url, workdir)
    deadline = time.monotonic() + SERVER_START_SECONDS
    while not _answers(f"{url}/login"):
        if process.poll() is not None or time.monotonic() > deadline:
            server.stop()
            kept = server.keep_log(f"server-start-{workdir.parent.name}")
            pytest.fail(f"the server did not start on {url} (log kept in {kept}):\n{server.log()}")
        time.sleep(0.1)
    return server


@pytest.fixture
def live_server(database_url: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[LiveServer]:
    """The app in a real server process on this test's database; its log is kept if the test fails."""
    server = start_server(database_url, tmp_path / "server")
    try:
        yield server
    finally:
        server.stop()
        if has_failed(request.node):
            server.keep_log(request.node.name)


# --- A demo district shared by the tests of one module --------------------------------------------


@dataclass
class DemoWorld:
    """A server on a database holding ``flask demo``'s district, with the principal's scorecard published."""

    server: LiveServer
    database_url: str
    sessions: dict[str, Any] = field(default_factory=dict)  # email -> signed-in storage state

    @property
    def url(self) -> str:
        """The server's base URL."""
        return self.server.url

    def scalar(self, sql: str, **params: object) -> Any:
        """Read one value from the world's database (to find what to open, never to change it)."""
        return read_scalar(self.database_url, sql, **params)

    def unstarted_assignment(self, channel: str) -> tuple[str, int]:
        """An auditor's email and an assignment of theirs in the round in the field that nobody started.

        The demo plans its round around today, so who has which assignment changes from day
        to day: tests ask for one of a channel rather than name one.
        """
        engine = create_engine(normalise_database_url(self.database_url))
        try:
            with engine.connect() as connection:
                found = connection.execute(
                    text(
                        "SELECT u.email, a.id FROM assignments a JOIN users u ON u.id = a.auditor_id "
                        "JOIN rounds r ON r.id = a.round_id WHERE r.status = 'in_field' "
                        "AND r.follows_round_id IS NULL AND a.channel = :channel "
                        "AND NOT EXISTS (SELECT 1 FROM contacts c WHERE c.assignment_id = a.id) "
                        "ORDER BY a.id LIMIT 1"
                    ),
                    {"channel": channel},
                ).one()
        finally:
            engine.dispose()
        return str(found[0]), int(found[1])


def read_scalar(database_url: str, sql: str, **params: object) -> Any:
    """Read one value from a database (to find what to open in the browser, never to change it)."""
    engine = create_engine(normalise_database_url(database_url))
    try:
        with engine.connect() as connection:
            return connection.execute(text(sql), params).scalar_one()
    finally:
        engine.dispose()


def build_demo(database_url: str, files: Path) -> None:
    """Load ``flask demo``: its earlier round's scorecards are published, the principal's among them."""
    run_cli(database_url, files, "demo")


@dataclass(frozen=True)
class DemoSnapshot:
    """``flask demo`` built once: its database (a SQLite file, or a PostgreSQL template) and its files."""

    folder: Path
    database_url: str

    def copy(self, workdir: Path) -> str:
        """A copy of the demo for one module (files under ``workdir``); return its database URL."""
        shutil.copytree(self.folder, workdir, dirs_exist_ok=True)
        if not TEST_DATABASE_URL:
            return f"sqlite:///{workdir / 'demo.sqlite'}"
        copy = sibling_database_url(TEST_DATABASE_URL, "demo_world")
        recreate_database(copy, os.environ["TEST_DATABASE_URL"], template_url=self.database_url)
        return copy


@pytest.fixture(scope="session")
def demo_snapshot(database_template: str, tmp_path_factory: pytest.TempPathFactory) -> DemoSnapshot:
    """The demo built once per test process, for modules to copy: a SQLite file or a PostgreSQL template."""
    folder = tmp_path_factory.mktemp("demo-snapshot")
    if TEST_DATABASE_URL:
        url = sibling_database_url(TEST_DATABASE_URL, "demo")
        recreate_database(url, os.environ["TEST_DATABASE_URL"])
        migrate(url)
    else:
        shutil.copyfile(database_template, folder / "demo.sqlite")
        url = f"sqlite:///{folder / 'demo.sqlite'}"
    build_demo(url, folder / "server")
    return DemoSnapshot(folder, url)


def migrate(database_url: str) -> None:
    """Build the schema of an empty database with the migrations."""
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url)})
    with app.app_context():
        upgrade()
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="module")
def demo_world(
    demo_snapshot: DemoSnapshot, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[DemoWorld]:
    """The demo district (``flask demo``) served for one module, its earlier round's scorecards published.

    Each module gets its own copy of the demo, built once per test process.
    """
    workdir = tmp_path_factory.mktemp("demo-world")
    database_url = demo_snapshot.copy(workdir)
    world = DemoWorld(start_server(database_url, workdir / "server"), database_url)
    try:
        yield world
    finally:
        world.server.stop()
        if request.node.nodeid in _FAILED_MODULES:
            world.server.keep_log(request.node.name)


# --- Chromium ---------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Playwright]:
    """Playwright's driver, started once."""
    with sync_playwright() as driver:
        yield driver


def chromium_executable(path: Path = CHROMIUM) -> Path:
    """Debian's Chromium; fail the test (never skip it) with what to install when it is missing."""
    if not path.is_file() or not os.access(path, os.X_OK):
        pytest.fail(
            f"{path} is missing: the browser tests drive Debian's Chromium and never download one. "
            "Install it with 'sudo apt-get install chromium' (or 'make install-dev' as root).",
            pytrace=False,
        )
    return path


@pytest.fixture(scope="session")
def browser(playwright_driver: Playwright) -> Iterator[Browser]:
    """Debian's Chromium, headless. Missing, every browser test fails (it is never downloaded)."""
    chromium = playwright_driver.chromium.launch(
        executable_path=str(chromium_executable()), headless=True, args=["--no-sandbox"]
    )
    yield chromium
    chromium.close()


@dataclass
class Pages:
    """Opens browser pages (one context per person) and collects what went wrong in them."""

    browser: Browser
    base_url: str = ""
    contexts: list[tuple[str, BrowserContext]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def open(self, label: str, base_url: str | None = None, **context_options: Any) -> Page:
        """A new page in its own context (own cookies and storage), named ``label`` in artefacts."""
        context = self.browser.new_context(
            base_url=base_url or self.base_url, accept_downloads=True, **context_options
        )
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        self.contexts.append((label, context))
        page = context.new_page()
        page.on("pageerror", lambda error: self.errors.append(f"{label}: script error: {error}"))
        page.on("console", lambda message: self._console(label, message.type, message.text))
        return page

    def _console(self, label: str, kind: str, message: str) -> None:
        if kind == "error" and "Content Security Policy" in message:
            self.errors.append(f"{label}: {message}")

    def keep(self, name: str) -> Path:
        """Save a screenshot and the HTML of every open page under ``artifacts/browser/failures/``."""
        folder = FAILURES / _slug(name)
        shutil.rmtree(folder, ignore_errors=True)  # an earlier failure's pages
        folder.mkdir(parents=True)
        for label, context in self.contexts:
            for number, page in enumerate(context.pages, start=1):
                stem = f"{_slug(label)}-{number}"
                try:
                    page.screenshot(path=folder / f"{stem}.png", full_page=True)
                    (folder / f"{stem}.html").write_text(f"<!-- {page.url} -->\n{page.content()}")
                except Exception as error:  # a closed page must not hide the failure
                    (folder / f"{stem}.txt").write_text(f"could not save {page.url}: {error}")
        return folder

    def close(self) -> None:
        """Close every context."""
        for _, context in self.contexts:
            context.close()
        self.contexts.clear()


@pytest.fixture
def pages(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Pages]:
    """Open pages for one test; on failure keep their screenshots and HTML; fail on script/CSP errors."""
    opened = Pages(browser)
    try:
        yield opened
    finally:
        if has_failed(request.node):
            folder = opened.keep(request.node.name)
            reports = request.node.stash.get(_REPORTS, {}).values()
            (folder / "failure.txt").write_text("\n\n".join(r.longreprtext for r in reports if r.failed))
        opened.close()
    if opened.errors and not has_failed(request.node):
        pytest.fail("errors in the pages' scripts or Content-Security-Policy:\n" + "\n".join(opened.errors))


def sign_in(page: Page, email: str, password: str) -> None:
    """Sign in through the sign-in form and check it worked."""
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="Sign out").wait_for()


@pytest.fixture
def signed_in(pages: Pages, demo_world: DemoWorld) -> Callable[..., Page]:
    """Open a page on the demo world signed in as ``email`` (demo password), with context options.

    Each person signs in through the form once per module; later pages reuse the session.
    The page opens on ``path`` (by default the person's home page).
    """

    def open_as(email: str, path: str = "/", **context_options: Any) -> Page:
        """A new page signed in as ``email``, on ``path``."""
        state = demo_world.sessions.get(email)
        page = pages.open(email, base_url=demo_world.url, storage_state=state, **context_options)
        if state is None:
            sign_in(page, email, DEMO_PASSWORD)
            demo_world.sessions[email] = page.context.storage_state()
        if path != "/" or state is not None:
            response = page.goto(path)
            assert response is not None and response.ok, f"{path}: {response and response.status}"
        return page

    return open_as


@pytest.fixture(scope="module")
def targets(demo_world: DemoWorld) -> dict[str, int]:
    """The ids of the pages of ``tests.browser.pages.PAGES`` in the demo world."""
    from tests.browser.pages import TARGETS

    return {name: int(demo_world.scalar(sql)) for name, sql in TARGETS.items()}


@pytest.fixture
def catalogue_page(
    signed_in: Callable[..., Page], pages: Pages, demo_world: DemoWorld, targets: dict[str, int]
) -> Callable[..., Page]:
    """Open a page of ``tests.browser.pages.PAGES`` as ``who`` (``None``: signed out), with options."""

    def open_page(who: str | None, path: str, **context_options: Any) -> Page:
        if who:
            return signed_in(who, path.format(**targets), **context_options)
        page = pages.open("visitor", base_url=demo_world.url, **context_options)
        response = page.goto(path)
        assert response is not None and response.ok
        return page

    return open_page
