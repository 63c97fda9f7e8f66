"""``flask rubrics`` (list, import, export YAML) and ``flask library load``."""

from __future__ import annotations

from pathlib import Path

import click

from app.cli.common import fail
from app.extensions import db
from audits.errors import DomainError
from audits.library import load_library
from audits.rubrics.versions import all_versions, create_draft, get_version, publish, spec_from_rubric
from audits.rubrics.yamlio import rubric_from_yaml, rubric_to_yaml


@click.group("rubrics", help="Rubric commands: list, import and export YAML.")
def rubrics_cli() -> None:
    """Rubric commands."""


@rubrics_cli.command("list")
def rubrics_list() -> None:
    """One line per rubric version: key, version, status, channel, name."""
    for rubric in all_versions(db.session):
        click.echo(
            f"{rubric.key}\t{rubric.version}\t{rubric.status.value}\t{rubric.channel.value}\t{rubric.name}"
        )


@rubrics_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--publish", "publish_now", is_flag=True, help="Publish the new version at once.")
def rubrics_import(file: Path, publish_now: bool) -> None:
    """Import a rubric YAML FILE as the next draft version of its key."""
    try:
        rubric = create_draft(db.session, rubric_from_yaml(file.read_bytes()))
        if publish_now:
            publish(db.session, rubric)
    except DomainError as error:
        fail(error)
        return
    db.session.commit()
    click.echo(f"{rubric.key} version {rubric.version} ({rubric.status.value})")


@rubrics_cli.command("export")
@click.argument("key")
@click.option("--version", type=int, help="Version to export (default: the latest published).")
def rubrics_export(key: str, version: int | None) -> None:
    """Write rubric KEY as YAML on standard output."""
    try:
        rubric = get_version(db.session, key, version)
    except DomainError as error:
        fail(error)
        return
    click.echo(rubric_to_yaml(spec_from_rubric(rubric), rubric.version, rubric.status.value), nl=False)


@click.group("library", help="The default library of rubrics and scenarios.")
def library_cli() -> None:
    """Library commands."""


@library_cli.command("load")
def library_load() -> None:
    """Load the shipped rubrics (published) and scenarios (shared library); safe to repeat."""
    try:
        report = load_library(db.session)
    except DomainError as error:
        fail(error)
        return
    db.session.commit()
    for line in report.lines():
        click.echo(line)
