"""``flask backup FILE`` and ``flask restore FILE``: the embedded database and files in one archive."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app

from app.backups import BackupError, Places, create_backup, restore_backup, sqlite_path
from app.extensions import db
from audits.vocabulary import count_of

POSTGRES_HELP = (
    "error: the database is not the embedded SQLite one, so `flask {command}` cannot {verb} it.\n"
    "PostgreSQL: use pg_dump and pg_restore (with WAL archiving for point-in-time recovery), e.g.\n"
    "  pg_dump --format=custom --file=touchpoint.dump postgresql://USER@HOST/DB\n"
    "  pg_restore --clean --if-exists --no-owner --dbname=postgresql://USER@HOST/DB touchpoint.dump\n"
    'and copy EVIDENCE_DIR and STORAGE_DIR with it. See the README, "Backups and restore".'
)


def _places(command: str, verb: str) -> Places:
    """Where this install keeps its data; a non-SQLite database stops the command with the way to go."""
    database = sqlite_path(current_app.config["SQLALCHEMY_DATABASE_URI"])
    if database is None:
        click.echo(POSTGRES_HELP.format(command=command, verb=verb), err=True)
        raise SystemExit(1)
    return Places(
        database=database,
        evidence=Path(current_app.config["EVIDENCE_DIR"]),
        storage=Path(current_app.config["STORAGE_DIR"]),
    )


def _size(count: int) -> str:
    return f"{count / (1024 * 1024):.1f} MB"


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(file: Path) -> None:
    """Write the SQLite database, the evidence and the generated files to FILE (a .tar.gz).

    The database is copied with SQLite's online backup API: the app may keep running.
    """
    places = _places("backup", "back up")
    if file.exists():
        click.echo(f"error: {file} exists already; choose another name", err=True)
        raise SystemExit(1)
    try:
        manifest = create_backup(places, file)
    except BackupError as error:
        click.echo(f"error: {error}", err=True)
        raise SystemExit(1) from None
    files = len(manifest.files) - 1
    total = sum(size for size, _ in manifest.files.values())
    click.echo(
        f"backed up the database (schema {manifest.alembic_revision}) and {count_of(files, 'file')}, "
        f"{_size(total)} in all, to {file}"
    )


@click.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace the database and files that are here now.")
def restore_command(file: Path, force: bool) -> None:
    """Put the database and files of the backup FILE in place (stop the app first).

    The archive is checked whole before anything changes; existing data is replaced only with --force.
    """
    places = _places("restore", "restore")
    db.session.remove()
    db.engine.dispose()  # no connection of ours may hold the file being replaced
    try:
        manifest = restore_backup(file, places, force=force)
    except BackupError as error:
        click.echo(f"error: {error}", err=True)
        raise SystemExit(1) from None
    click.echo(
        f"restored the backup made at {manifest.created_at} (schema {manifest.alembic_revision}, "
        f"{count_of(len(manifest.files) - 1, 'file')}); run `flask db upgrade` if this Touchpoint is newer"
    )
