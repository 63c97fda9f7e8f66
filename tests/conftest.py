"""Shared fixtures: one app for the whole run on a freshly migrated database, clients and factories.

The schema is built once by the migrations. The app is built once too (as indico's tests
do): building one costs about a tenth of a second, mostly compiling routes and the OpenAPI
document. Each test gets a clean slate all the same: without ``TEST_DATABASE_URL`` the
SQLite file is copied back from the migrated template before the test; with it
(PostgreSQL) every table is emptied and every used sequence restarted after the test.
Settings and extensions a test changes on the app are put back afterwards, the mail
outbox is emptied, and passwords are hashed at argon2's cheapest cost.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, g
from flask.testing import FlaskClient, FlaskCliRunner
from flask_migrate import upgrade
from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session

from app import create_app
from app.auth.session import SIGN_IN_KEY, THROTTLE
from app.extensions import db
from audits.models import District, Level, Role, School, User
from audits.passwords import hash_password, use_profile
from audits.sign_ins import start_sign_in
from tests.database import empty_postgres, ensure_database, worker_database_url
from tests.mail_servers import dovecot, mail_account, smtp_server  # noqa: F401  (fixtures)

# The PostgreSQL database the suite runs on (each pytest-xdist worker has its own); empty: SQLite.
TEST_DATABASE_URL = worker_database_url(os.environ.get("TEST_DATABASE_URL", ""))
DATABASE_KIND = "postgresql" if TEST_DATABASE_URL else "sqlite"
REPO_ROOT = Path(__file__).resolve().parents[1]
# The rendered scorecards kept for a person to look at, one folder per database: CI's two runs overlap.
SCORECARD_ARTIFACTS = REPO_ROOT / "artifacts" / "scorecards" / DATABASE_KIND
PASSWORD = "correct-horse-battery"
use_profile("cheapest")  # what the testing configuration asks for, before any app exists
PASSWORD_HASH = hash_password(PASSWORD)
TEST_TODAY = date(2027, 1, 4)
# Contacts' recorded times are checked against a fixed moment after every contact the tests record.
TEST_NOW = datetime(2027, 6, 30, 16, tzinfo=UTC)


def _make_app(database_url: str, **overrides: Any) -> Flask:
    settings = {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        # Rounds are planned against a fixed date, so that the tests' 2027 rounds are never "in the past".
        "TODAY": TEST_TODAY,
        "NOW": TEST_NOW,
    }
    settings.update(overrides)
    return create_app("testing", settings)


def reset_postgres_schema(url: str) -> None:
    """Drop every object in the PostgreSQL test database's public schema."""
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def database_template(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Build the schema once with the migrations; return what each test starts from."""
    if TEST_DATABASE_URL:
        ensure_database(TEST_DATABASE_URL, os.environ["TEST_DATABASE_URL"])
        reset_postgres_schema(TEST_DATABASE_URL)
        app = _make_app(TEST_DATABASE_URL)
        with app.app_context():
            upgrade()
            db.engine.dispose()
        return TEST_DATABASE_URL
    path = tmp_path_factory.mktemp("template") / "template.sqlite"
    app = _make_app(f"sqlite:///{path}")
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return str(path)


@pytest.fixture(scope="session")
def test_database(database_template: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """Where every test's database lives: one SQLite file (copied from the template), or PostgreSQL."""
    if TEST_DATABASE_URL:
        return TEST_DATABASE_URL
    return f"sqlite:///{tmp_path_factory.mktemp('database') / 'test.sqlite'}"


@pytest.fixture
def database_url(database_template: str, test_database: str) -> Iterator[str]:
    """A database URL for one test, with the migrated schema and no rows."""
    if TEST_DATABASE_URL:
        yield TEST_DATABASE_URL
        empty_postgres(TEST_DATABASE_URL)
        return
    shutil.copyfile(database_template, test_database.removeprefix("sqlite:///"))
    yield test_database


@pytest.fixture(scope="session")
def shared_app(test_database: str) -> Flask:
    """The application every test runs on (see ``app``)."""
    return _make_app(test_database)


@pytest.fixture
def app(
    shared_app: Flask, database_url: str, request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[Flask]:
    """The application on this test's database; ``@pytest.mark.csrf`` turns CSRF on.

    Inside its own application context, with evidence and storage folders of its own;
    whatever the test changes in its settings or extensions is put back afterwards.
    """
    application = shared_app
    config, extensions = dict(application.config), dict(application.extensions)
    application.config.update(
        WTF_CSRF_ENABLED=request.node.get_closest_marker("csrf") is not None,
        EVIDENCE_DIR=str(tmp_path / "evidence"),
        STORAGE_DIR=str(tmp_path / "storage"),
    )
    use_profile(application.config["PASSWORD_HASHING"])  # another test may have built a production app
    application.extensions[THROTTLE].reset()  # failed sign-ins of earlier tests do not count
    celery = application.extensions["celery"]
    celery.set_current()  # shared tasks run in this app, not in the last one built
    celery.set_default()
    try:
        with application.app_context():
            yield application
            db.session.remove()
            if not TEST_DATABASE_URL:
                db.engine.dispose()  # the next test copies a fresh file over this one
    finally:
        application.config.clear()
        application.config.update(config)
        application.extensions.clear()
        application.extensions.update(extensions)
        if hasattr(application.extensions["mailman"], "outbox"):
            del application.extensions["mailman"].outbox


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client for ``app``."""
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    """A CLI runner for ``app``'s ``flask`` commands."""
    return app.test_cli_runner()


@pytest.fixture
def session(app: Flask) -> Session:
    """The database session, inside the app context."""
    return db.session  # type: ignore[return-value]


@pytest.fixture
def shared_schools_dir() -> Path:
    """The folder of real NCES school directories shipped beside the repository."""
    shared = REPO_ROOT.parent / "shared" / "data" / "schools"
    return shared if shared.is_dir() else REPO_ROOT / "tests" / "fixtures" / "schools"


@pytest.fixture
def make_district(session: Session) -> Callable[..., District]:
    """Create a district (committed) with sensible defaults."""
    counter = iter(range(1, 10_000))

    def make(name: str | None = None, **fields: Any) -> District:
        district = District(name=name or f"District {next(counter)}", **fields)
        session.add(district)
        session.commit()
        return district

    return make


@pytest.fixture
def make_school(session: Session, make_district: Callable[..., District]) -> Callable[..., School]:
    """Create a school (committed), in a new district unless one is given."""
    counter = iter(range(1, 10_000))

    def make(district: District | None = None, **fields: Any) -> School:
        number = next(counter)
        values: dict[str, Any] = {
            "nces_id": f"9999{number:08d}",
            "name": f"School {number}",
            "level": Level.ELEMENTARY,
            "phone": f"+1904555{number:04d}",
            "email": f"office{number}@school.example.org",
            "street": f"{number} School Street",
        }
        values.update(fields)
        school = School(district=district or make_district(), **values)
        session.add(school)
        session.commit()
        return school

    return make


@pytest.fixture
def make_user(session: Session) -> Callable[..., User]:
    """Create a user (committed) whose password is ``PASSWORD``."""
    counter = iter(range(1, 10_000))

    def make(
        role: Role,
        district: District | None = None,
        schools: list[School] | None = None,
        email: str | None = None,
        **fields: Any,
    ) -> User:
        user = User(
            email=email or f"{role.value}{next(counter)}@example.org",
            role=role,
            password_hash=PASSWORD_HASH,
            district=district,
            schools=schools or [],
            **fields,
        )
        session.add(user)
        session.commit()
        return user

    return make


def put_in_session(client: FlaskClient, user: User, base_url: str = "http://localhost") -> None:
    """Record a sign-in of ``user`` (committed) and put it in ``client``'s session cookie."""
    secret = start_sign_in(db.session, user)
    db.session.commit()
    with client.session_transaction(base_url=base_url) as web_session:
        web_session.clear()
        web_session["_user_id"] = str(user.id)
        web_session["_fresh"] = True
        web_session[SIGN_IN_KEY] = secret


class AuthActions:
    """Sign a test client in and out: through the sign-in form, or straight into its session."""

    def __init__(self, client: FlaskClient) -> None:
        self._client = client

    def login(self, email: str, password: str = PASSWORD) -> Any:
        """Post the sign-in form (for tests of signing in itself)."""
        return self._client.post("/login", data={"email": email, "password": password})

    def sign_in(self, who: User | str) -> None:
        """Sign ``who`` (a user or an email) in as a successful sign-in does, without the form."""
        user = who if isinstance(who, User) else db.session.scalars(select(User).filter_by(email=who)).one()
        put_in_session(self._client, user)
        g.pop("_login_user", None)  # requests share the test's app context, where Flask-Login caches the user

    def logout(self) -> Any:
        """Post the sign-out form."""
        return self._client.post("/logout")


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    """Sign-in helper bound to ``client``."""
    return AuthActions(client)


# The slowest modules first, so that parallel test processes (``make test`` runs pytest-xdist with
# ``--dist loadfile --no-loadscope-reorder``) finish together instead of waiting for one long module
# at the end. The order of tests inside a module is kept; no test depends on the order of modules.
SLOW_FIRST = (
    "tests/browser/test_journey.py",
    "tests/browser/",
    "tests/app/hostile/test_hostile_forms.py",
    "tests/app/test_route_matrix.py",
    "tests/app/test_scorecards.py",
    "tests/audits/test_demo.py",
    "tests/reports/",
    "tests/app/test_rubric_editor.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the slowest modules first (see ``SLOW_FIRST``)."""

    def rank(item: pytest.Item) -> int:
        return next(
            (i for i, prefix in enumerate(SLOW_FIRST) if item.nodeid.startswith(prefix)), len(SLOW_FIRST)
        )

    items.sort(key=rank)
