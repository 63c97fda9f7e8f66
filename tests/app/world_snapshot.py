"""Watching a test database for changes: every row and stored file, compared and put back.

``Watch`` takes a baseline (every row of every table, every file under the given folders), tells
which tables and files differ from it, and restores the baseline. Quickly: PostgreSQL answers
with one digest per table in one statement; SQLite's ``data_version`` says "nothing written since
``mark``" before any row is read; files are compared by size and time before their bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import Engine, create_engine, select, text

from app.extensions import db
from audits.models import Base
from tests.database import empty_statement

# Bookkeeping that any authenticated request updates, whatever its answer.
IGNORED_COLUMNS = {("api_tokens", "last_used_at"), ("sign_ins", "last_seen_at")}


@dataclass
class Snapshot:
    """Every row of every table (compared without ``IGNORED_COLUMNS``) and every stored file."""

    rows: dict[str, list[dict[str, Any]]]
    files: dict[Path, bytes]

    def comparable(self) -> dict[str, list[tuple[Any, ...]]]:
        """The rows as tuples, without the ignored columns."""
        return {
            name: [
                tuple(value for key, value in row.items() if (name, key) not in IGNORED_COLUMNS)
                for row in rows
            ]
            for name, rows in self.rows.items()
        }


def take_snapshot(engine: Engine, folders: tuple[Path, ...]) -> Snapshot:
    """Read every table, in primary-key order, and every file under ``folders``."""
    rows: dict[str, list[dict[str, Any]]] = {}
    with engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            order = list(table.primary_key.columns) or list(table.columns)
            result = connection.execute(select(table).order_by(*order))
            rows[table.name] = [dict(row._mapping) for row in result]
    return Snapshot(rows, read_files(folders))


def read_files(folders: tuple[Path, ...]) -> dict[Path, bytes]:
    """The bytes of every file under ``folders``."""
    paths = (path for folder in folders for path in sorted(folder.rglob("*")))
    return {path: path.read_bytes() for path in paths if path.is_file()}


def restore_rows(engine: Engine, rows: dict[str, list[dict[str, Any]]]) -> None:
    """Replace every table's rows with ``rows`` (PostgreSQL: and move each id sequence past them)."""
    tables = Base.metadata.sorted_tables
    postgres = engine.dialect.name == "postgresql"
    with engine.begin() as connection:
        if postgres:
            connection.execute(text(empty_statement()))
        else:
            for table in reversed(tables):
                connection.execute(table.delete())
        for table in tables:
            if rows[table.name]:
                connection.execute(table.insert(), rows[table.name])
        if postgres:
            for table in tables:
                if "id" in table.columns and table.columns["id"].primary_key:
                    connection.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "
                            f'COALESCE((SELECT MAX(id) FROM "{table.name}"), 0) + 1, false)'
                        )
                    )


def restore_files(folders: tuple[Path, ...], files: dict[Path, bytes]) -> None:
    """Make the files under ``folders`` exactly ``files``."""
    for folder in folders:
        for path in sorted(folder.rglob("*"), reverse=True):
            if path.is_file() and path not in files:
                path.unlink()
    for path, data in files.items():
        if not path.is_file() or path.read_bytes() != data:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)


def file_stamps(folders: tuple[Path, ...]) -> dict[Path, tuple[int, int]]:
    """Each file under ``folders`` with its size and modification time."""
    return {
        path: (stat.st_size, stat.st_mtime_ns)
        for folder in folders
        for path in folder.rglob("*")
        if path.is_file() and (stat := path.stat())
    }


def digest_query() -> str:
    """PostgreSQL: one statement giving an MD5 of each table's rows (without ``IGNORED_COLUMNS``)."""
    parts = []
    for table in Base.metadata.sorted_tables:
        kept = [column.name for column in table.columns if (table.name, column.name) not in IGNORED_COLUMNS]
        columns = ", ".join(f'"{name}"' for name in kept)
        parts.append(
            f"(SELECT md5(coalesce(string_agg(r, '|' ORDER BY r), '')) "
            f'FROM (SELECT ROW({columns})::text AS r FROM "{table.name}") AS t)'
        )
    return "SELECT " + ", ".join(parts)


class Watch:
    """A baseline of the database and folders of ``app``, what differs from it, and putting it back."""

    def __init__(self, app: Flask, folders: tuple[Path, ...]) -> None:
        self.app, self.folders = app, folders
        with app.app_context():
            self.baseline = take_snapshot(db.engine, folders)
        self._comparable = self.baseline.comparable()
        self._clean_files = file_stamps(folders)
        self._names = [table.name for table in Base.metadata.sorted_tables]
        # A connection of its own for the quick questions (autocommit: it never holds a snapshot).
        self._engine = create_engine(app.config["SQLALCHEMY_DATABASE_URI"], isolation_level="AUTOCOMMIT")
        self._connection = self._engine.connect()
        self._postgres = self._engine.dialect.name == "postgresql"
        self._digests = self._digest() if self._postgres else ()
        self._mark: Any = None

    def close(self) -> None:
        """Close the watch's own connection."""
        self._connection.close()
        self._engine.dispose()

    def _digest(self) -> tuple[Any, ...]:
        return tuple(self._connection.exec_driver_sql(digest_query()).one())

    def _data_version(self) -> Any:
        return self._connection.exec_driver_sql("PRAGMA data_version").scalar()

    def mark(self) -> None:
        """Before a test's requests (SQLite): remember how often other connections have committed."""
        self._mark = None if self._postgres else self._data_version()

    def changes(self) -> list[str]:
        """The tables and files that differ from the baseline."""
        return self.changed_tables() + self.changed_files()

    def changed_tables(self) -> list[str]:
        """The names of the tables whose rows differ from the baseline."""
        if self._postgres:
            now = self._digest()
            return [name for name, a, b in zip(self._names, now, self._digests, strict=True) if a != b]
        if self._mark is not None and self._data_version() == self._mark:
            return []  # no other connection committed since ``mark``
        with self.app.app_context():
            rows = take_snapshot(db.engine, ()).comparable()
        return [name for name in self._names if rows[name] != self._comparable[name]]

    def changed_files(self) -> list[str]:
        """The stored files that differ from the baseline (added, removed or rewritten)."""
        if file_stamps(self.folders) == self._clean_files:
            return []
        now = read_files(self.folders)
        paths = set(now) | set(self.baseline.files)
        return [str(p) for p in sorted(paths) if now.get(p) != self.baseline.files.get(p)]

    def reset(self) -> None:
        """Put back every row and file that differs from the baseline."""
        if self.changed_tables():
            with self.app.app_context():
                restore_rows(db.engine, self.baseline.rows)
        if self.changed_files():
            restore_files(self.folders, self.baseline.files)
            self._clean_files = file_stamps(self.folders)
        self._mark = None
