"""``flask alerts send``: write the district leaders' digests that are due (critical failures, fieldwork)."""

from __future__ import annotations

from datetime import datetime

import click

from app.alerts import send_alerts
from app.cli.reminders import hourly_job


@click.group("alerts", help="Email digests to district leaders.")
def alerts_cli() -> None:
    """Alert commands."""


@alerts_cli.command("send")
@hourly_job
def alerts_send(now: datetime | None, respect_hour: bool) -> None:
    """Put each leader's due digests in the outbox: critical failures approved since their last one (once
    a day) and the fieldwork of rounds in the field (once a week), as each leader chose.

    Safe to repeat: a digest goes out once a day or once a week. ``flask outbox send`` sends them.
    """
    report = send_alerts(now, respect_hour=respect_hour)
    click.echo(report.summary())
