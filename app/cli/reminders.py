"""``flask reminders send``: email auditors their contacts due next school day and overdue."""

from __future__ import annotations

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


@click.group("reminders", help="Email reminders to auditors, and to principals of their overdue actions.")
def reminders_cli() -> None:
    """Reminder commands."""


@reminders_cli.command("send")
@click.option(
    "--now", "now_text", metavar="ISO-DATETIME", help="Act as if it were this moment (default: now)."
)
@click.option(
    "--respect-hour",
    is_flag=True,
    help="Skip districts where it is not yet REMINDER_HOUR (for a cron job that runs every hour).",
)
def reminders_send(now_text: str | None, respect_hour: bool) -> None:
    """Send each auditor one email about their assignments due next school day and overdue.

    Safe to repeat: a reminder goes out at most once a day.
    """
    report = send_reminders(parse_moment(now_text) if now_text else None, respect_hour=respect_hour)
    click.echo(
        f"sent {count_of(report.emails, 'reminder email')} ({count_of(report.assignments, 'assignment')})"
    )
    if report.failed:
        click.echo(f"error: {count_of(report.failed, 'email')} could not be sent; see the log", err=True)
        raise SystemExit(1)


@reminders_cli.command("plans")
@click.option(
    "--now", "now_text", metavar="ISO-DATETIME", help="Act as if it were this moment (default: now)."
)
@click.option(
    "--respect-hour",
    is_flag=True,
    help="Skip districts where it is not yet REMINDER_HOUR (for a cron job that runs every hour).",
)
def reminders_plans(now_text: str | None, respect_hour: bool) -> None:
    """Email each principal the overdue actions of their schools' approved plans (through the outbox).

    Safe to repeat: an action is reminded at most once a school day.
    """
    emails, actions = send_plan_reminders(
        parse_moment(now_text) if now_text else None, respect_hour=respect_hour
    )
    click.echo(f"queued {count_of(emails, 'reminder email')} ({count_of(actions, 'overdue action')})")
