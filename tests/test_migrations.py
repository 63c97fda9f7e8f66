"""The schema comes from the migrations, identically on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from audits.fieldwork.contacts import start_contact
from audits.models import Base, ContactEdit, Level, School
from tests.audits.fieldwork_helpers import build_fieldwork

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


def test_the_edit_log_is_renamed_to_entry_paths_and_back(app: Flask) -> None:
    """0009 names edited values by their place in an entry; downgrading restores the form's names."""
    world = build_fieldwork(db.session)  # type: ignore[arg-type]
    contact = start_contact(db.session, world.phone, world.auditor)  # type: ignore[arg-type]
    old = ["rings", "item-courtesy", "comment-courtesy", "outcome", "started_at"]
    for name in old:
        db.session.add(
            ContactEdit(
                contact_id=contact.id, user_id=world.reviewer.id, field=name, old_value="a", new_value="b"
            )
        )
    db.session.commit()
    downgrade(revision="0008")
    upgrade()
    renamed = ["timings.rings", "responses.courtesy", "responses.courtesy.comment", "outcome", "started_at"]
    assert _edit_fields() == renamed
    downgrade(revision="0008")
    assert _edit_fields() == old
    upgrade()


def _edit_fields() -> list[str]:
    with db.engine.connect() as connection:
        return list(connection.execute(text("SELECT field FROM contact_edits ORDER BY id")).scalars())
