"""A real outage: a PostgreSQL cluster of this module's own, stopped and started again under a running app.

Never the shared server on 5432: ``initdb`` builds a throw-away cluster in a temporary
folder (as the ``postgres`` user when the tests run as root), listening on a free port
of 127.0.0.1 and a socket in that folder. The app answers, the cluster stops at once
(``pg_ctl stop -m immediate``, as a crash would), pages answer 503 with Retry-After in
the layout, the API answers JSON 503, ``/healthz`` still 200 and ``/readyz`` 503; the
cluster starts again and everything answers as before. If the cluster cannot be built
or started, the module fails and says why: it never skips.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine

from app import create_app
from app.extensions import db
from audits.models import Base, Role, User
from audits.tokens import create_token
from tests.app.test_outages import assert_outage_page
from tests.browser.conftest import free_port
from tests.conftest import PASSWORD_HASH, put_in_session


def _postgres_bin() -> Path:
    """The newest PostgreSQL server binaries installed (``/usr/lib/postgresql/<version>/bin``)."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    if not found:
        pytest.fail(
            "no PostgreSQL server binaries under /usr/lib/postgresql/*/bin (apt-get install postgresql)"
        )
    return found[-1].parent


@dataclass
class Cluster:
    """A throw-away PostgreSQL cluster: its folder, port and ``pg_ctl``."""

    folder: Path
    port: int
    bin: Path

    @property
    def url(self) -> str:
        """The SQLAlchemy URL of its ``postgres`` database over TCP."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *command: str) -> None:
        as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        result = subprocess.run(
            [*as_postgres, *command], capture_output=True, text=True, timeout=60, check=False
        )
        if result.returncode != 0:
            log = self.folder / "server.log"
            pytest.fail(
                f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}\n"
                + (log.read_text(errors="replace") if log.exists() else "")
            )

    def init(self) -> None:
        """Create the cluster: trust authentication, no fsync (nothing here needs to survive)."""
        self._run(
            str(self.bin / "initdb"),
            "-D",
            str(self.folder / "data"),
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--no-sync",
        )

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.folder / "data"),
            "-o",
            options,
            "-l",
            str(self.folder / "server.log"),
            "-w",
            "-t",
            "30",
            "start",
        )

    def stop(self) -> None:
        """Stop the server at once, as a crash would."""
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.folder / "data"), "-m", "immediate", "-w", "stop")


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    """A running throw-away cluster with the app's schema; removed after the module."""
    folder = Path(tempfile.mkdtemp(prefix="touchpoint-outage-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    found = Cluster(folder, free_port(), _postgres_bin())
    try:
        found.init()
        found.start()
        engine = create_engine(found.url)
        Base.metadata.create_all(engine)
        engine.dispose()
        yield found
    finally:
        if (folder / "data" / "postmaster.pid").exists():
            found.stop()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def outage_app(cluster: Cluster) -> Iterator[Flask]:
    """The app on the cluster, answering as in production (an error is an answer, not an exception)."""
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": cluster.url, "WTF_CSRF_ENABLED": False})
    app.testing = False
    yield app
    with app.app_context():
        db.engine.dispose()


def _signed_in_client(app: Flask) -> tuple[FlaskClient, str]:
    """A client signed in as a new administrator, and their's API token."""
    with app.app_context():
        user = User(email="outage@example.org", role=Role.ADMIN, password_hash=PASSWORD_HASH)
        db.session.add(user)
        db.session.flush()
        _, token = create_token(db.session, user, "outage")  # type: ignore[arg-type]
        db.session.commit()
        client = app.test_client()
        put_in_session(client, user)
    return client, token


def test_a_stopped_database_answers_503_and_the_app_recovers_when_it_starts(
    cluster: Cluster, outage_app: Flask
) -> None:
    client, token = _signed_in_client(outage_app)
    api = {"Authorization": f"Bearer {token}"}
    assert client.get("/").status_code == 200
    assert client.get("/api/v1/districts", headers=api).status_code == 200
    assert client.get("/readyz").status_code == 200

    cluster.stop()
    try:
        assert_outage_page(client.get("/"))  # the signed-in user cannot be loaded
        assert_outage_page(client.get("/no-such-page"))  # nor drawn in the 404 page's layout
        assert_outage_page(client.post("/login", data={"email": "outage@example.org", "password": "x"}))
        answer = client.get("/api/v1/districts", headers=api)
        assert answer.status_code == 503 and answer.headers["Retry-After"] == "30"
        assert answer.get_json()["code"] == "unavailable"
        assert client.get("/healthz").status_code == 200
        ready = client.get("/readyz")
        assert ready.status_code == 503 and ready.get_json()["checks"]["database"]["ok"] is False
    finally:
        cluster.start()

    assert client.get("/readyz").get_json() == {
        "status": "ready",
        "checks": {"database": {"ok": True, "seconds": pytest.approx(0, abs=2)}},
    }
    assert client.get("/").status_code == 200  # the pool's dead connections are replaced
    assert client.get("/api/v1/districts", headers=api).status_code == 200
