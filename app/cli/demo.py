"""``flask demo``: the demo district, its users and the library."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app

from app.extensions import db
from audits.demo import DEMO_PASSWORD, demo_is_loaded, demo_users, load_demo


@click.command("demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has users.")
def demo_command(if_empty: bool) -> None:
    """Load the demo district, its schools and one user per role."""
    if current_app.config["TOUCHPOINT_ENV"] == "production":
        raise click.ClickException("the demo is not for production: its accounts share a published password")
    if demo_is_loaded(db.session):
        if not if_empty:
            raise click.ClickException("the database already has data; the demo loads only into an empty one")
        click.echo("database already has data; demo not loaded again")
    else:
        configured = current_app.config["DEMO_SCHOOLS_FILE"]
        evidence_dir = Path(
            current_app.config.get("EVIDENCE_DIR") or Path(current_app.instance_path) / "evidence"
        )
        result = load_demo(db.session, Path(configured) if configured else None, evidence_dir=evidence_dir)
        db.session.commit()
        click.echo(f"demo district {result.district.name}: {result.report.summary()} (from {result.source})")
        for line in result.library.lines():
            click.echo(f"library {line}")
        click.echo(f"{result.scenarios} library scenarios adopted by {result.district.name}")
        click.echo(
            f"round {result.round.name!r} in the field: {len(result.round.assignments)} assignments "
            f"for the demo auditors"
        )
        if result.fieldwork:
            work = result.fieldwork
            click.echo(
                f"contacts: {work.approved} approved, {work.submitted} waiting for review, "
                f"{work.returned} returned, {work.unreached} unreached"
            )
    users = demo_users(db.session)
    if users:
        click.echo(f"demo logins (password for all: {DEMO_PASSWORD}):")
    for user in users:
        extra = f" — principal of {user.schools[0].name}" if user.schools else ""
        click.echo(f"  {user.role.label:16} {user.email}{extra}")
