"""``flask schools import``: load an NCES school directory."""

from __future__ import annotations

from pathlib import Path

import click

from app.cli.common import fail
from app.extensions import db
from audits.errors import DomainError
from audits.importers.schools import import_schools


@click.group("schools", help="School directory commands.")
def schools_cli() -> None:
    """School directory commands."""


@schools_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--district", "district_name", help="Put every school in this district (created if new).")
def schools_import(file: Path, district_name: str | None) -> None:
    """Import an NCES school directory FILE (search export or CCD flat file)."""
    try:
        report = import_schools(db.session, file.read_bytes(), district_name=district_name)
    except DomainError as error:
        fail(error)
        return
    db.session.commit()
    for line in report.lines():
        click.echo(line)
