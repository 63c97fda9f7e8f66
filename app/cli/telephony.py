"""``flask telephony purge-recordings``: delete call recordings older than the retention period."""

from __future__ import annotations

import click
from flask import current_app

from app.cli.reminders import parse_moment
from app.telephony.client import twilio_configured
from app.telephony.tasks import purge_recordings
from audits.vocabulary import count_of


@click.group("telephony", help="Twilio click-to-call: call recordings.")
def telephony_cli() -> None:
    """Telephony commands."""


@telephony_cli.command("purge-recordings")
@click.option(
    "--now", "now_text", metavar="ISO-DATETIME", help="Act as if it were this moment (default: now)."
)
def purge_recordings_command(now_text: str | None) -> None:
    """Delete recordings older than RECORDING_RETENTION_DAYS, at Twilio and here.

    Also deletes any recording made where the recording policy did not allow one.
    Safe to repeat; a recording Twilio cannot delete now is kept and tried next time.
    """
    if not twilio_configured(current_app.config):
        click.echo("error: Twilio is not configured; recordings cannot be deleted at Twilio", err=True)
        raise SystemExit(1)
    report = purge_recordings(parse_moment(now_text) if now_text else None)
    days = current_app.config["RECORDING_RETENTION_DAYS"]
    click.echo(f"deleted {count_of(report.deleted, 'recording')} (retention: {count_of(days, 'day')})")
    if report.failed:
        click.echo(
            f"error: {count_of(report.failed, 'recording')} could not be deleted at Twilio; see the log",
            err=True,
        )
        raise SystemExit(1)
