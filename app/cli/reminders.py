"""``flask reminders send``: email auditors their contacts due next school day and overdue."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import click

from app.plans.reminders import send_plan_reminders
from app.reminders import send_reminders
from audits.vocabulary import count_of


def parse_moment(text: str) -> datetime:
    """Read an ISO 8601 date-time; one without an offset is taken as UTC."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(f"{text!r} is not an ISO date-time, e.g. 2027-02-01T12:00:00Z") from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def hourly_job(command: Callable[..., None]) -> Callable[..., None]:
    """The options of a command cron runs every hour: ``--now`` (a moment) and ``--respect-hour``."""
    command = click.option(
        "--respect-hour",
        is_flag=True,
        help="Skip districts where it is not yet REMINDER_HOUR (for a cron job that runs every hour).",
    )(command)
    return click.option(
        "--now",
        "now",
        metavar="ISO-DATETIME",
        callback=lambda _context, _option, text: parse_moment(text) if text else None,
        help="Act as if it were this moment (default: now).",
    )(command)


@click.group("reminders", help="Email reminders to auditors, and to principals of their overdue actions.")
def reminders_cli() -> None:
    """Reminder commands."""


@reminders_cli.command("send")
@hourly_job
def reminders_send(now: datetime | None, respect_hour: bool) -> None:
    """Send each auditor one email about their assignments due next school day and overdue.

    Safe to repeat: a reminder goes out at most once a day.
    """
    report = send_reminders(now, respect_hour=respect_hour)
    click.echo(
        f"sent {count_of(report.emails, 'reminder email')} ({count_of(report.assignments, 'assignment')})"
    )
    if report.failed:
        click.echo(f"error: {count_of(report.failed, 'email')} could not be sent; see the log", err=True)
        raise SystemExit(1)


@reminders_cli.command("plans")
@hourly_job
def reminders_plans(now: datetime | None, respect_hour: bool) -> None:
    """Email each principal the overdue actions of their schools' approved plans (through the outbox).

    Safe to repeat: an action is reminded at most once a school day.
    """
    emails, actions = send_plan_reminders(now, respect_hour=respect_hour)
    click.echo(f"queued {count_of(emails, 'reminder email')} ({count_of(actions, 'overdue action')})")
