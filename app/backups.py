"""Backing up and restoring the embedded install: the SQLite database and the file stores in one archive.

An archive is a gzipped tar holding ``database/touchpoint.sqlite`` (a consistent copy taken
with SQLite's online backup API, so the app may keep running), ``evidence/…`` (the evidence
folder, call recordings included), ``storage/…`` (scorecard PDFs and the other generated
files) and, last, ``manifest.json``: the archive format's version, when it was made (UTC),
the database's Alembic revision and every file with its size and SHA-256.

A restore reads the whole archive and checks it against its manifest before touching
anything: a damaged or incomplete archive, a file that is not what the manifest says, a path
that would land outside its folder, or a database from a newer schema than this code knows
is refused with the reason. The files are unpacked into temporary folders beside their
destinations, then each is renamed into place. Existing data is replaced only when asked to
(``force``). PostgreSQL installs use ``pg_dump``/``pg_restore`` instead (see the README).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import secrets
import shutil
import sqlite3
import tarfile
import zlib
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError

from audits.timeutil import utcnow

FORMAT = "touchpoint-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATABASE_MEMBER = "database/touchpoint.sqlite"
# Archive folder → what it holds.
STORES = ("evidence", "storage")
MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
# What a damaged archive can raise while it is read.
ARCHIVE_ERRORS = (tarfile.TarError, EOFError, zlib.error, OSError, UnicodeDecodeError, ValueError, KeyError)


class BackupError(RuntimeError):
    """A backup or a restore cannot go ahead; the message says why and what to do."""


@dataclass(frozen=True)
class Places:
    """Where an install keeps its data: the SQLite file and the two file stores."""

    database: Path
    evidence: Path
    storage: Path

    def store(self, name: str) -> Path:
        """The folder of the archive's store ``name`` (``evidence`` or ``storage``)."""
        return self.evidence if name == "evidence" else self.storage


@dataclass(frozen=True)
class Manifest:
    """What an archive says about itself."""

    created_at: str
    alembic_revision: str | None
    files: dict[str, tuple[int, str]]  # archive path → (size, SHA-256)


def sqlite_path(database_url: str) -> Path | None:
    """The file of a ``sqlite:///`` URL; ``None`` for any other database."""
    for prefix in ("sqlite:///", "sqlite+pysqlite:///"):
        if database_url.startswith(prefix):
            return Path(database_url.removeprefix(prefix))
    return None


def _store_files(folder: Path) -> Iterator[tuple[str, Path]]:
    """Every regular file under ``folder``, by its path relative to it (sorted)."""
    if not folder.is_dir():
        return
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink():
            yield path.relative_to(folder).as_posix(), path


class _Hashing(io.RawIOBase):
    """A file read through once, exactly ``size`` bytes, hashing what goes by."""

    def __init__(self, handle: BinaryIO, size: int) -> None:
        self.handle, self.left, self.digest = handle, size, hashlib.sha256()

    def readable(self) -> bool:
        """A source tarfile reads from."""
        return True

    def read(self, size: int = -1) -> bytes:
        """Up to ``size`` bytes of the file (never past the size it had when the backup began)."""
        wanted = self.left if size < 0 else min(size, self.left)
        data = self.handle.read(wanted)
        if len(data) < wanted:
            raise BackupError("a file shrank while it was being backed up; run the backup again")
        self.left -= len(data)
        self.digest.update(data)
        return data


def _add(archive: tarfile.TarFile, name: str, path: Path, files: dict[str, tuple[int, str]]) -> None:
    with path.open("rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        info = tarfile.TarInfo(name)
        info.size, info.mode, info.mtime = size, 0o600, int(utcnow().timestamp())
        reader = _Hashing(handle, size)
        archive.addfile(info, reader)  # type: ignore[arg-type]
        files[name] = (size, reader.digest.hexdigest())


def _revision(database: Path) -> str | None:
    with closing(sqlite3.connect(database)) as connection:
        try:
            row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.DatabaseError:
            return None
    return row[0] if row else None


def create_backup(places: Places, out: Path, now: datetime | None = None) -> Manifest:
    """Write a backup of ``places`` to ``out`` (written beside it first, then renamed into place)."""
    if not places.database.is_file():
        raise BackupError(f"there is no database at {places.database}")
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.{secrets.token_hex(4)}.partial")
    files: dict[str, tuple[int, str]] = {}
    try:
        copy = partial.with_suffix(".sqlite")
        source = sqlite3.connect(places.database)  # only read: the backup API copies its pages
        target = sqlite3.connect(copy)
        try:
            source.backup(target)  # SQLite's online backup: consistent while the app writes
        finally:
            target.close()
            source.close()
        revision = _revision(copy)
        with tarfile.open(partial, "w:gz") as archive:
            _add(archive, DATABASE_MEMBER, copy, files)
            copy.unlink()
            for store in STORES:
                for relative, path in _store_files(places.store(store)):
                    _add(archive, f"{store}/{relative}", path, files)
            created = (now or utcnow()).isoformat()
            manifest = {
                "format": FORMAT,
                "version": FORMAT_VERSION,
                "created_at": created,
                "alembic_revision": revision,
                "files": [
                    {"path": name, "size": size, "sha256": digest} for name, (size, digest) in files.items()
                ],
            }
            info = tarfile.TarInfo(MANIFEST)
            body = json.dumps(manifest, indent=2).encode()
            info.size, info.mode, info.mtime = len(body), 0o600, int(utcnow().timestamp())
            archive.addfile(info, io.BytesIO(body))
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)
        partial.with_suffix(".sqlite").unlink(missing_ok=True)
    return Manifest(created, revision, files)


def _read_manifest(data: bytes) -> Manifest:
    try:
        raw = json.loads(data)
        if raw.get("format") != FORMAT:
            raise BackupError("this is not a Touchpoint backup (its manifest names another format)")
        version = raw["version"]
        if not isinstance(version, int) or version > FORMAT_VERSION:
            raise BackupError(
                f"this backup's format (version {version}) is newer than this Touchpoint reads "
                f"(version {FORMAT_VERSION}); restore it with the Touchpoint that made it, or a newer one"
            )
        files = {entry["path"]: (int(entry["size"]), str(entry["sha256"])) for entry in raw["files"]}
        return Manifest(str(raw["created_at"]), raw.get("alembic_revision"), files)
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise BackupError("the archive's manifest is damaged; the backup cannot be restored") from error


def _safe_name(name: str) -> bool:
    path = PurePosixPath(name)
    return (
        not path.is_absolute()
        and ".." not in path.parts
        and (name == DATABASE_MEMBER or (len(path.parts) > 1 and path.parts[0] in STORES))
    )


def _staging(places: Places, tag: str) -> dict[str, Path]:
    """Temporary places beside each destination (same file system, so a rename moves them in)."""
    database = places.database.with_name(f".{places.database.name}.restore-{tag}")
    staging = {DATABASE_MEMBER: database}
    for store in STORES:
        final = places.store(store)
        staging[store] = final.with_name(f".{final.name}.restore-{tag}")
    return staging


def _target(name: str, staging: dict[str, Path]) -> Path:
    if name == DATABASE_MEMBER:
        return staging[DATABASE_MEMBER]
    store, _, relative = name.partition("/")
    return staging[store] / relative


def _unpack(archive_path: Path, staging: dict[str, Path]) -> Manifest:
    """Unpack every file into ``staging`` as it streams by, then check them all against the manifest."""
    found: dict[str, tuple[int, str]] = {}
    manifest_data: bytes | None = None
    for folder in (staging[store] for store in STORES):
        folder.mkdir(parents=True)
    try:
        with tarfile.open(archive_path, "r:*") as archive:
            for member in archive:
                source = archive.extractfile(member) if member.isfile() else None
                if member.name == MANIFEST and source is not None:
                    manifest_data = source.read(1024 * 1024 * 64)
                    continue
                if source is None or not _safe_name(member.name) or member.name in found:
                    raise BackupError(
                        f"the archive holds {member.name!r}, which a Touchpoint backup never does"
                    )
                path = _target(member.name, staging)
                path.parent.mkdir(parents=True, exist_ok=True)
                digest, size = hashlib.sha256(), 0
                with path.open("wb") as out:
                    while chunk := source.read(1024 * 1024):
                        digest.update(chunk)
                        size += len(chunk)
                        out.write(chunk)
                found[member.name] = (size, digest.hexdigest())
    except BackupError:
        raise
    except FileNotFoundError as error:
        raise BackupError(f"there is no file at {archive_path}") from error
    except ARCHIVE_ERRORS as error:
        raise BackupError(f"the archive is damaged or incomplete ({error}); it cannot be restored") from error
    if manifest_data is None:
        raise BackupError("the archive has no manifest: it is damaged, or not a Touchpoint backup")
    manifest = _read_manifest(manifest_data)
    if set(manifest.files) != set(found) or DATABASE_MEMBER not in found:
        raise BackupError("the archive does not hold exactly the files its manifest lists; it is damaged")
    for name, expected in manifest.files.items():
        if found[name] != expected:
            raise BackupError(
                f"{name} in the archive is not the file that was backed up (its SHA-256 differs)"
            )
    return manifest


def check_revision(revision: str | None, migrations_dir: Path = MIGRATIONS_DIR) -> None:
    """Refuse a database from a schema this code does not know (a newer Touchpoint's)."""
    scripts = ScriptDirectory(str(migrations_dir))
    heads = ", ".join(scripts.get_heads())
    if revision is None:
        raise BackupError("the backed-up database has no schema revision; it is not a Touchpoint database")
    try:
        known = scripts.get_revision(revision)
    except CommandError:
        known = None
    if known is None:
        raise BackupError(
            f"the backup comes from a newer schema (revision {revision}) than this Touchpoint knows "
            f"(up to {heads}); install the newer Touchpoint, then restore"
        )


def holds_data(places: Places) -> bool:
    """Whether anything is already at ``places``: a database, evidence or generated files."""
    if places.database.exists() and places.database.stat().st_size > 0:
        return True
    return any(True for store in STORES for _ in _store_files(places.store(store)))


def restore_backup(archive_path: Path, places: Places, *, force: bool = False) -> Manifest:
    """Put ``archive_path``'s database and files in place of ``places``' (only with ``force`` over data).

    Nothing at ``places`` changes unless the whole archive checks out.
    """
    if holds_data(places) and not force:
        raise BackupError(
            "there is data here already (a database or files); restoring would replace it. "
            "Stop the app and run again with --force to replace it"
        )
    staging = _staging(places, secrets.token_hex(4))
    for path in staging.values():
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        manifest = _unpack(archive_path, staging)
        check_revision(manifest.alembic_revision)
    except BaseException:
        for path in staging.values():
            _remove(path)
        raise
    _swap_in(
        [(staging[DATABASE_MEMBER], places.database)]
        + [(staging[store], places.store(store)) for store in STORES]
    )
    return manifest


def _swap_in(staged: list[tuple[Path, Path]]) -> None:
    """Rename each staged copy into place; the data it replaces is removed afterwards."""
    for suffix in ("-wal", "-shm", "-journal"):  # a stale write-ahead log must not meet the new file
        database = staged[0][1]
        database.with_name(database.name + suffix).unlink(missing_ok=True)
    replaced = []
    for temporary, final in staged:
        if final.is_dir():
            old = final.with_name(f".{final.name}.replaced-{secrets.token_hex(4)}")
            final.rename(old)
            replaced.append(old)
        os.replace(temporary, final)
    for old in replaced:
        _remove(old)


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)
