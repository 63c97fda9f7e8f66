"""What every command shares: reporting domain errors and exiting non-zero."""

from __future__ import annotations

import click

from app.extensions import db
from audits.errors import DomainError


def fail(error: DomainError) -> None:
    """Roll back, print each problem of ``error`` on standard error and exit with status 1."""
    db.session.rollback()
    for field, reason in error.problems:
        click.echo(f"error: {field}: {reason}" if field else f"error: {reason}", err=True)
    raise SystemExit(1)
