"""The schema comes from the migrations, identically on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from audits.models import Base, Level, School

# Every table the models declare; test_models_match_the_migrations checks their columns.
EXPECTED_TABLES = set(Base.metadata.tables)


def _tables() -> set[str]:
    return set(inspect(db.engine).get_table_names()) - {"alembic_version"}


def test_migrations_build_every_table_from_empty_and_tear_down(app: Flask) -> None:
    """Downgrade to nothing, upgrade again: the same tables, on this test's database."""
    assert _tables() == EXPECTED_TABLES
    downgrade(revision="base")
    assert _tables() == set()
    upgrade()
    assert _tables() == EXPECTED_TABLES


def test_models_match_the_migrations(app: Flask) -> None:
    """Autogenerate finds nothing to add: models and migrations cannot drift."""
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_foreign_keys_are_enforced(app: Flask) -> None:
    """A school pointing at a missing district is refused (SQLite has foreign keys on)."""
    db.session.add(School(district_id=999, nces_id="120000000001", name="Orphan", level=Level.OTHER))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
