"""``flask alerts send``: write the district leaders' digests that are due (critical failures, fieldwork)."""

from __future__ import annotations

import click

from app.alerts import send_alerts
from app.cli.reminders import parse_moment


@click.group("alerts", help="Email digests to district leaders.")
def alerts_cli() -> None:
    """Alert commands."""


@alerts_cli.command("send")
@click.option(
    "--now", "now_text", metavar="ISO-DATETIME", help="Act as if it were this moment (default: now)."
)
@click.option(
    "--respect-hour",
    is_flag=True,
    help="Skip districts where it is not yet REMINDER_HOUR (for a cron job that runs every hour).",
)
def alerts_send(now_text: str | None, respect_hour: bool) -> None:
    """Put each leader's due digests in the outbox: critical failures approved since their last one (once
    a day) and the fieldwork of rounds in the field (once a week), as each leader chose.

    Safe to repeat: a digest goes out once a day or once a week. ``flask outbox send`` sends them.
    """
    report = send_alerts(parse_moment(now_text) if now_text else None, respect_hour=respect_hour)
    click.echo(report.summary())
