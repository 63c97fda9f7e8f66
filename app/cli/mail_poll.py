"""``flask mail poll``: read every persona mailbox now (from cron when no worker runs)."""

from __future__ import annotations

import click

from app.mailpoll.service import poll_all


@click.group("mail", help="Persona mailboxes.")
def mail_cli() -> None:
    """Mail commands."""


@mail_cli.command("poll")
@click.option("--force", is_flag=True, help="Also read mailboxes waiting to retry after a failure.")
def mail_poll(force: bool) -> None:
    """Read each persona mailbox's new messages and capture the replies; safe to repeat."""
    report = poll_all(force=force)
    for result in report.results:
        if result.error:
            click.echo(f"mailbox {result.mailbox_id}: {result.error}", err=True)
    click.echo(report.summary())
