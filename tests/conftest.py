"""Shared fixtures: an app on a freshly migrated database, clients and factories.

Without ``TEST_DATABASE_URL`` every test gets its own SQLite file, copied from one
built by the migrations. With it (PostgreSQL), the schema is rebuilt from the
migrations once per run and every table is emptied after each test.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from flask_migrate import upgrade
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from app import create_app
from app.extensions import db
from audits.models import Base, District, Level, Role, School, User
from audits.passwords import hash_password

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
REPO_ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "correct-horse-battery"
PASSWORD_HASH = hash_password(PASSWORD)  # hashed once: argon2 is slow on purpose


def _make_app(database_url: str, **overrides: Any) -> Flask:
    settings = {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
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


@pytest.fixture
def database_url(database_template: str, tmp_path: Path) -> Iterator[str]:
    """A database URL for one test, with the migrated schema and no rows."""
    if TEST_DATABASE_URL:
        yield TEST_DATABASE_URL
        engine = create_engine(TEST_DATABASE_URL)
        tables = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
        with engine.begin() as connection:
            connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        engine.dispose()
        return
    path = tmp_path / "test.sqlite"
    shutil.copyfile(database_template, path)
    yield f"sqlite:///{path}"


@pytest.fixture
def app(database_url: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Flask]:
    """The application on this test's database; ``@pytest.mark.csrf`` turns CSRF on."""
    csrf = request.node.get_closest_marker("csrf") is not None
    application = _make_app(
        database_url,
        WTF_CSRF_ENABLED=csrf,
        EVIDENCE_DIR=str(tmp_path / "evidence"),
        STORAGE_DIR=str(tmp_path / "storage"),
    )
    with application.app_context():
        yield application
        db.session.remove()
        db.engine.dispose()


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


class AuthActions:
    """Sign a test client in and out."""

    def __init__(self, client: FlaskClient) -> None:
        self._client = client

    def login(self, email: str, password: str = PASSWORD) -> Any:
        """Post the sign-in form."""
        return self._client.post("/login", data={"email": email, "password": password})

    def logout(self) -> Any:
        """Post the sign-out form."""
        return self._client.post("/logout")


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    """Sign-in helper bound to ``client``."""
    return AuthActions(client)
