"""``flask outbox send``: send the emails waiting in the outbox (from cron when no worker runs)."""

from __future__ import annotations

import click

from app.extensions import db
from app.outbox import send_outbox
from audits.outbox import waiting


@click.group("outbox", help="Emails waiting to be sent.")
def outbox_cli() -> None:
    """Outbox commands."""


@outbox_cli.command("send")
def outbox_send() -> None:
    """Send every due email of the outbox; a failed one is kept and retried later. Safe to repeat."""
    report = send_outbox()
    click.echo(f"{report.summary()}, waiting {waiting(db.session)}")
