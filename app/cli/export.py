"""``flask export round``: a round's results to a CSV or XLSX file, written as they are read."""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

import click

from app.extensions import db
from audits.errors import StorageFullError
from audits.models import Round
from audits.storage import write_file
from audits.vocabulary import count_of
from reports.exports import FORMATS, LEVELS, round_table, write_xlsx


@click.group("export", help="Export results.")
def export_cli() -> None:
    """Export results."""


@export_cli.command("round")
@click.argument("round_id", type=int)
@click.option("--level", type=click.Choice(list(LEVELS)), default="items", show_default=True)
@click.option("--format", "extension", type=click.Choice(list(FORMATS)), default="csv", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="File to write.")
def export_round(round_id: int, level: str, extension: str, out: Path) -> None:
    """Write round ROUND_ID's item-level or school-level results to FILE; print the rows written.

    The file appears only once complete: rows go to a temporary file beside it first.
    """
    round_ = db.session.get(Round, round_id)
    if round_ is None:
        click.echo(f"error: no round with id {round_id}", err=True)
        raise SystemExit(1)
    table = round_table(db.session, round_, level)

    def fill(handle: BinaryIO) -> None:
        if extension == "xlsx":
            write_xlsx(table, handle)
        else:
            for chunk in FORMATS[extension](table):
                handle.write(chunk)

    try:
        write_file(out, fill)
    except StorageFullError as error:
        raise click.ClickException(f"{error.reason} ({out})") from error
    click.echo(f"wrote {count_of(table.written, f'{level} row')} of {round_.name} to {out}")
