"""``flask storage check [--repair]``: files no row refers to, and rows whose file is gone."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app

from app.extensions import db
from audits.storage_check import check_storage, remove_orphans
from audits.vocabulary import count_of


@click.group("storage", help="Check the stored files against the database.")
def storage_cli() -> None:
    """Storage commands."""


@storage_cli.command("check")
@click.option(
    "--repair", is_flag=True, help="Delete the orphan files (missing files cannot be brought back)."
)
def storage_check(repair: bool) -> None:
    """List orphan files (no row refers to them) and missing files (a row refers to a file that is gone).

    Exits 1 when a file is missing, or when orphans are left (without ``--repair``).
    """
    report = check_storage(
        db.session, Path(current_app.config["EVIDENCE_DIR"]), Path(current_app.config["STORAGE_DIR"])
    )
    for path in report.orphans:
        click.echo(f"orphan: {path}")
    for what, path in report.missing:
        click.echo(f"missing: {what}: {path}")
    removed = remove_orphans(report) if repair else 0
    summary = count_of(len(report.orphans), "orphan")
    summary += f", {len(report.missing)} missing"
    if repair:
        summary += f"; removed {count_of(removed, 'orphan')}"
    click.echo(summary)
    if report.missing or (report.orphans and not repair):
        raise SystemExit(1)
