"""``flask schools import|directory|undo-import``: load an NCES school directory or the district's
own directory, and undo an import."""

from __future__ import annotations

from pathlib import Path

import click

from app.cli.common import fail
from app.cli.users_import import _district
from app.extensions import db
from audits.errors import DomainError, ValidationError
from audits.importers.school_directory import check_directory, read_directory, save_directory
from audits.importers.schools import import_schools
from audits.models import ImportBatch
from audits.school_imports import undo_import
from audits.vocabulary import count_of


@click.group("schools", help="School directory commands.")
def schools_cli() -> None:
    """School directory commands."""


@schools_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--district", "district_name", help="Put every school in this district (created if new).")
@click.option(
    "--allow-other-lea",
    is_flag=True,
    help="Import schools of another NCES LEA or state than the district's schools (refused otherwise).",
)
def schools_import(file: Path, district_name: str | None, allow_other_lea: bool) -> None:
    """Import an NCES school directory FILE (search export or CCD flat file) as one batch."""
    try:
        report = import_schools(
            db.session,
            file.read_bytes(),
            district_name=district_name,
            allow_other_lea=allow_other_lea,
            file_name=file.name,
        )
    except DomainError as error:
        fail(error)
        return
    db.session.commit()
    for line in report.lines():
        click.echo(line)
    for other in report.other_leas:
        click.echo(f"imported as allowed: {other.describe()}")
    if report.batch is not None:
        click.echo(f"batch {report.batch.id} (undo with `flask schools undo-import {report.batch.id}`)")


@schools_cli.command("directory")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--district", "district_name", help="The district whose directory this is (default: the only one)."
)
@click.option("--dry-run", is_flag=True, help="Check the file and list the changes; save nothing.")
@click.option("--valid-only", is_flag=True, help="Save the valid rows even when others are refused.")
def schools_directory(file: Path, district_name: str | None, dry_run: bool, valid_only: bool) -> None:
    """Import the district's own directory FILE (CSV or XLSX): emails, phones, principals, websites …"""
    try:
        district = _district(district_name)
        check = check_directory(db.session, district, read_directory(file.read_bytes()))
    except DomainError as error:
        fail(error)
        return
    for row in check.changed:
        changes = ", ".join(f"{name} {old!r} → {new!r}" for name, (old, new) in row.changes.items())
        click.echo(f"line {row.line}: {row.school.name}: {changes}")
    for line in check.errors():
        click.echo(line, err=True)
    if dry_run:
        db.session.rollback()
        click.echo(f"dry run, nothing saved: {check.summary()}")
        return
    try:
        batch = save_directory(db.session, check, None, file_name=file.name, valid_only=valid_only)
    except DomainError as error:
        fail(error)
        return
    db.session.commit()
    click.echo(f"{check.summary()}; batch {batch.id} (undo with `flask schools undo-import {batch.id}`)")


@schools_cli.command("undo-import")
@click.argument("batch_id", type=int)
def schools_undo_import(batch_id: int) -> None:
    """Undo import BATCH_ID: remove the schools it created, put back the details it changed."""
    batch = db.session.get(ImportBatch, batch_id)
    if batch is None:
        fail(ValidationError("batch", f"no import {batch_id}"))
        return
    try:
        plan = undo_import(db.session, batch, None)
    except DomainError as error:
        fail(error)
        return
    db.session.commit()
    click.echo(
        f"undid import {batch_id}: {count_of(len(plan.remove), 'school')} removed, "
        f"{count_of(len(plan.restore), 'detail')} restored"
    )
    for restore in plan.restore:
        click.echo(f"restored {restore.describe()}")
