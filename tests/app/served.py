"""The app served over HTTP in a thread of the test process, for requests racing each other.

Werkzeug's threaded server runs each request in a thread of its own, as gunicorn's
threads would: two requests released together really run at the same time, each with
its own database connection. ``race`` releases any number of requests at one instant
and returns their answers.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
from flask import Flask
from werkzeug.serving import make_server

from app import create_app
from app.extensions import db
from tests.conftest import PASSWORD, TEST_NOW


@dataclass
class Served:
    """An app answering on ``url``."""

    app: Flask
    url: str

    def signed_in(self, email: str) -> requests.Session:
        """A browser-like session signed in through the sign-in form."""
        browser = requests.Session()
        answer = browser.post(f"{self.url}/login", data={"email": email, "password": PASSWORD}, timeout=30)
        assert answer.status_code == 200 and answer.url.endswith("/"), f"{email} could not sign in"
        return browser


@contextmanager
def serve(database_url: str, folder: Path, **settings: Any) -> Iterator[Served]:
    """Serve an app on ``database_url`` (its own engine and pool) until the block ends."""
    app = create_app(
        "testing",
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "WTF_CSRF_ENABLED": False,
            "EVIDENCE_DIR": str(folder / "evidence"),
            "STORAGE_DIR": str(folder / "storage"),
            "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "pool_size": 8},
            "NOW": TEST_NOW,
            **settings,
        },
    )
    app.testing = False  # answer as production does: a bug is a 500 to count, not an exception here
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Served(app, f"http://127.0.0.1:{server.port}")
    finally:
        server.shutdown()
        thread.join(timeout=10)
        with app.app_context():
            db.engine.dispose()


def race(*calls: Callable[[], requests.Response]) -> list[requests.Response]:
    """Run ``calls`` at one instant in threads of their own; their answers, in the order given."""
    start = threading.Barrier(len(calls))
    answers: list[requests.Response | None] = [None] * len(calls)
    failures: list[BaseException] = []

    def run(index: int, call: Callable[[], requests.Response]) -> None:
        try:
            start.wait(timeout=30)
            answers[index] = call()
        except BaseException as error:  # reported below, in the test's own thread
            failures.append(error)

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    if failures:
        raise failures[0]
    return [answer for answer in answers if answer is not None]
