"""``flask users import``: create and update a district's staff from a CSV or XLSX file."""

from __future__ import annotations

from pathlib import Path

import click
from sqlalchemy import select

from app.cli.common import fail
from app.extensions import db
from app.invitations.mail import invitation_lifetime, queue_invitations
from app.outbox import kick_outbox
from audits.errors import DomainError, ValidationError
from audits.importers.staff import Imported, Outcome, check_staff, import_staff, read_staff_file
from audits.models import District
from audits.vocabulary import count_of


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--district", "district_name", help="The district whose staff this is (default: the only one).")
@click.option("--dry-run", is_flag=True, help="Check the file and say what would change; save nothing.")
@click.option("--valid-only", is_flag=True, help="Import the valid rows even when others are refused.")
@click.option("--send-invites", is_flag=True, help="Email each new person an invitation link.")
def users_import(
    file: Path, district_name: str | None, dry_run: bool, valid_only: bool, send_invites: bool
) -> None:
    """Create or update the people of FILE (CSV or XLSX), matched by email.

    Columns: email, name, role (leader, reviewer, auditor, principal); nces_id for
    principals (several separated by ;); languages for auditors (e.g. en;es).
    A file with any refused row saves nothing unless --valid-only. New people are
    created invited (no password yet); --send-invites emails them their link.
    """
    try:
        district = _district(district_name)
        check = check_staff(db.session, district, read_staff_file(file.read_bytes()))
    except DomainError as error:
        fail(error)
        return
    for line in check.errors():
        click.echo(line, err=True)
    refused = len(check.refused_lines())
    if refused and not valid_only:
        db.session.rollback()
        rows = count_of(refused, "row")
        hint = "fix them, or import the rest with --valid-only"
        click.echo(f"nothing saved: {rows} refused ({hint})", err=True)
        raise SystemExit(1)
    for plan in check.planned:
        if plan.outcome is not Outcome.UNCHANGED:
            click.echo(plan.describe())
    if dry_run:
        db.session.rollback()
        click.echo(f"dry run, nothing saved: would be {check.summary()}")
        return
    imported = import_staff(
        db.session,
        None,
        check,
        file_name=file.name,
        valid_only=valid_only,
        send_invites=send_invites,
        lifetime=invitation_lifetime(),
    )
    queue_invitations(imported, None)
    db.session.commit()
    if imported.invitations:
        kick_outbox()
    _report(imported)


def _district(name: str | None) -> District:
    """The district named ``name``, or the only district when no name is given."""
    if name:
        district = db.session.scalar(select(District).where(District.name == name.strip()))
        if district is None:
            raise ValidationError("district", f"no district named {name!r}")
        return district
    districts = list(db.session.scalars(select(District).limit(2)))
    if len(districts) != 1:
        raise ValidationError("district", "choose the district with --district NAME")
    return districts[0]


def _report(imported: Imported) -> None:
    """Say what the import did, one count a line."""
    check = imported.check
    created = check.count(Outcome.CREATE)
    if imported.invitations:
        click.echo(f"{created} created and invited by email")
    else:
        click.echo(f"{created} created (invited, no email yet: add --send-invites, or resend from the web)")
    click.echo(f"{check.count(Outcome.CHANGE)} changed")
    click.echo(f"{check.count(Outcome.UNCHANGED)} left alone")
    if check.refused:
        click.echo(f"{len(check.refused_lines())} refused, not imported")
