"""``flask backup`` and ``flask restore``: the same rows and files back, or a clear refusal."""

from __future__ import annotations

import hashlib
import io
import json
import sqlite3
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from flask import Flask
from sqlalchemy import create_engine

from app import create_app
from app.backups import MANIFEST, MIGRATIONS_DIR
from app.extensions import db
from audits.models import Base, District, Level, Role, School, User
from tests.conftest import PASSWORD_HASH

HEAD = ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()
FILES = {
    "evidence/3f2a9c": b"\x89PNG a photo of the front desk",
    "evidence/recordings/b7e1.mp3": b"ID3 a call",
    "storage/scorecards/5d41.pdf": b"%PDF-1.7 a scorecard",
}


@pytest.fixture(scope="module")
def schema(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty database with the schema at the migrations' head (built once)."""
    path = tmp_path_factory.mktemp("backup-schema") / "schema.sqlite"
    engine = create_engine(f"sqlite:///{path}")
    Base.metadata.create_all(engine)
    engine.dispose()
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)")
        connection.execute("INSERT INTO alembic_version VALUES (?)", (HEAD,))
    return path


def _instance(tmp_path: Path, schema: Path | None) -> Flask:
    instance = tmp_path / "instance"
    instance.mkdir(parents=True)
    database = instance / "touchpoint.sqlite"
    if schema is not None:
        database.write_bytes(schema.read_bytes())
    return create_app(
        "testing",
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
            "EVIDENCE_DIR": str(instance / "evidence"),
            "STORAGE_DIR": str(instance / "storage"),
        },
    )


@pytest.fixture
def instance(tmp_path: Path, schema: Path) -> Iterator[Flask]:
    """A running install in a temporary instance folder: a district, schools, users and files."""
    app = _instance(tmp_path / "source", schema)
    with app.app_context():
        district = District(name="Backup County", timezone="America/New_York")
        db.session.add(district)
        db.session.flush()
        for number in range(5):
            nces = f"1200000000{number:02d}"
            db.session.add(
                School(district_id=district.id, nces_id=nces, name=f"School {number}", level=Level.MIDDLE)
            )
        db.session.add(
            User(email="leader@example.org", role=Role.LEADER, district=district, password_hash=PASSWORD_HASH)
        )
        db.session.commit()
        db.session.remove()
    for name, data in FILES.items():
        store, _, relative = name.partition("/")
        path = Path(app.config["EVIDENCE_DIR" if store == "evidence" else "STORAGE_DIR"]) / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    yield app
    with app.app_context():
        db.engine.dispose()


def _database(app: Flask) -> Path:
    return Path(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"))


def _rows(app: Flask) -> dict[str, object]:
    """Every table's row count, and the schools and users as rows."""
    with sqlite3.connect(_database(app)) as connection:
        counts = {
            table: connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
            for table in Base.metadata.tables
        }
        schools = connection.execute("SELECT nces_id, name, level FROM schools ORDER BY nces_id").fetchall()
        users = connection.execute("SELECT email, role, password_hash FROM users").fetchall()
    return {"counts": counts, "schools": schools, "users": users}


def _files(app: Flask) -> dict[str, str]:
    """Every stored file, by store and path, with its SHA-256."""
    found = {}
    for store, setting in (("evidence", "EVIDENCE_DIR"), ("storage", "STORAGE_DIR")):
        root = Path(app.config[setting])
        for path in sorted(root.rglob("*")):
            if path.is_file():
                found[f"{store}/{path.relative_to(root).as_posix()}"] = hashlib.sha256(
                    path.read_bytes()
                ).hexdigest()
    return found


def _run(app: Flask, *args: str) -> tuple[int, str]:
    with app.app_context():
        result = app.test_cli_runner().invoke(args=list(args))
    return result.exit_code, result.output


def test_backup_then_restore_gives_back_the_same_rows_and_files(instance: Flask, tmp_path: Path) -> None:
    rows, files = _rows(instance), _files(instance)
    assert rows["counts"]["schools"] == 5 and set(files) == set(FILES)  # type: ignore[index]
    archive = tmp_path / "touchpoint.tar.gz"
    code, output = _run(instance, "backup", str(archive))
    assert code == 0, output
    assert f"schema {HEAD}" in output and "3 files" in output
    with tarfile.open(archive) as opened:
        manifest = json.load(opened.extractfile(MANIFEST))  # type: ignore[arg-type]
    assert manifest["alembic_revision"] == HEAD and manifest["created_at"].endswith("+00:00")
    listed = {entry["path"]: entry["sha256"] for entry in manifest["files"]}
    assert {name: listed[name] for name in files} == files

    # Then things change: a school goes, a file changes, another appears.
    with sqlite3.connect(_database(instance)) as connection:
        connection.execute("DELETE FROM schools WHERE nces_id = '120000000003'")
    (Path(instance.config["EVIDENCE_DIR"]) / "3f2a9c").write_bytes(b"tampered")
    (Path(instance.config["STORAGE_DIR"]) / "new.pdf").write_bytes(b"%PDF later")
    changed_rows, changed_files = _rows(instance), _files(instance)

    code, output = _run(instance, "restore", str(archive))
    assert code == 1 and "--force" in output
    assert (_rows(instance), _files(instance)) == (changed_rows, changed_files)

    code, output = _run(instance, "restore", str(archive), "--force")
    assert code == 0, output
    assert _rows(instance) == rows
    assert _files(instance) == files
    assert not list(_database(instance).parent.glob(".*restore*"))  # no staging left behind


def test_a_backup_restores_into_an_empty_instance_without_force(instance: Flask, tmp_path: Path) -> None:
    archive = tmp_path / "touchpoint.tar.gz"
    assert _run(instance, "backup", str(archive))[0] == 0
    empty = _instance(tmp_path / "elsewhere", None)
    code, output = _run(empty, "restore", str(archive))
    assert code == 0, output
    assert (_rows(empty), _files(empty)) == (_rows(instance), _files(instance))


def _rewrite(archive: Path, out: Path, change: dict[str, bytes]) -> None:
    """Copy ``archive`` to ``out`` with some members' bytes replaced."""
    with tarfile.open(archive) as source, tarfile.open(out, "w:gz") as target:
        for member in source:
            data = change.get(member.name, source.extractfile(member).read())  # type: ignore[union-attr]
            member.size = len(data)
            target.addfile(member, io.BytesIO(data))


def test_a_damaged_or_newer_archive_is_refused_and_nothing_changes(instance: Flask, tmp_path: Path) -> None:
    archive = tmp_path / "touchpoint.tar.gz"
    assert _run(instance, "backup", str(archive))[0] == 0
    with tarfile.open(archive) as opened:
        manifest = json.load(opened.extractfile(MANIFEST))  # type: ignore[arg-type]
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    altered = tmp_path / "altered.tar.gz"
    _rewrite(archive, altered, {"evidence/3f2a9c": b"not the photo that was backed up"})
    newer = tmp_path / "newer.tar.gz"
    _rewrite(archive, newer, {MANIFEST: json.dumps({**manifest, "alembic_revision": "9999"}).encode()})
    before = (_rows(instance), _files(instance))
    for bad, reason in (
        (cut, "damaged or incomplete"),
        (altered, "evidence/3f2a9c in the archive is not the file that was backed up"),
        (newer, "newer schema (revision 9999)"),
        (tmp_path / "missing.tar.gz", "no file at"),
    ):
        code, output = _run(instance, "restore", str(bad), "--force")
        assert code == 1 and reason in output, output
        assert (_rows(instance), _files(instance)) == before
    assert not [path.name for path in _database(instance).parent.iterdir() if path.name.startswith(".")]


def test_on_postgresql_backup_says_to_use_pg_dump(tmp_path: Path) -> None:
    app = create_app(
        "testing", {"SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://touchpoint@db.invalid/touchpoint"}
    )
    for command in ("backup", "restore"):
        code, output = _run(app, command, str(tmp_path / "x.tar.gz"))
        assert code == 1 and "pg_dump" in output and "Backups and restore" in output
