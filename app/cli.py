"""Command-line tools: ``flask schools import``, ``flask users create``, ``flask demo``."""

from __future__ import annotations

import secrets
from pathlib import Path

import click
from flask import Flask, current_app
from sqlalchemy import select

from app.extensions import db
from audits.accounts import NewUser, create_user
from audits.demo import DEMO_PASSWORD, demo_is_loaded, demo_users, load_demo
from audits.errors import ValidationError
from audits.importers.schools import import_schools
from audits.models import District, Role, School


def _fail(error: ValidationError) -> None:
    db.session.rollback()
    for field, reason in error.problems:
        click.echo(f"error: {field}: {reason}" if field else f"error: {reason}", err=True)
    raise SystemExit(1)


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
    except ValidationError as error:
        _fail(error)
        return
    db.session.commit()
    for line in report.lines():
        click.echo(line)


@click.group("users", help="User account commands.")
def users_cli() -> None:
    """User account commands."""


@users_cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice([role.value for role in Role]), required=True)
@click.option("--school", "nces_ids", multiple=True, help="NCES id of a principal's school (repeatable).")
@click.option("--district", "district_name", help="District name (default: the school's district).")
@click.option("--name", default="", help="The person's full name.")
@click.option(
    "--password",
    default=None,
    help="Initial password (default: a random one, printed once). Prefer the prompt-free default.",
)
def users_create(
    email: str,
    role: str,
    nces_ids: tuple[str, ...],
    district_name: str | None,
    name: str,
    password: str | None,
) -> None:
    """Create a user with ROLE; a principal needs --school."""
    schools = list(db.session.scalars(select(School).where(School.nces_id.in_(nces_ids))))
    missing = sorted(set(nces_ids) - {school.nces_id for school in schools})
    if missing:
        _fail(ValidationError("school", f"no school with NCES id {', '.join(missing)}"))
    district_id = None
    if district_name:
        district = db.session.scalar(select(District).where(District.name == district_name))
        if district is None:
            _fail(ValidationError("district", f"no district named {district_name!r}"))
            return
        district_id = district.id
    elif schools:
        district_id = schools[0].district_id
    elif role != Role.ADMIN.value:
        only = list(db.session.scalars(select(District).limit(2)))
        if len(only) == 1:
            district_id = only[0].id
    generated = password is None
    password = password or secrets.token_urlsafe(12)
    try:
        user = create_user(
            db.session,
            NewUser(
                email=email,
                role=Role(role),
                password=password,
                name=name,
                district_id=district_id,
                school_ids=[school.id for school in schools],
            ),
        )
    except ValidationError as error:
        _fail(error)
        return
    db.session.commit()
    click.echo(f"created {user.role.value} {user.email}")
    if generated:
        click.echo(f"password: {password}")


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
        result = load_demo(db.session, Path(configured) if configured else None)
        db.session.commit()
        click.echo(f"demo district {result.district.name}: {result.report.summary()} (from {result.source})")
    users = demo_users(db.session)
    if users:
        click.echo(f"demo logins (password for all: {DEMO_PASSWORD}):")
    for user in users:
        extra = f" — principal of {user.schools[0].name}" if user.schools else ""
        click.echo(f"  {user.role.label:16} {user.email}{extra}")


def register(app: Flask) -> None:
    """Add the commands to ``app``."""
    app.cli.add_command(schools_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(demo_command)
