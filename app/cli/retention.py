"""``flask retention purge``: delete evidence and blank free texts past their keeping period."""

from __future__ import annotations

import click

from app.cli.reminders import parse_moment
from app.retention import run_purge
from audits.retention import KINDS


@click.group("retention", help="Keeping periods of evidence and contact texts.")
def retention_cli() -> None:
    """Retention commands."""


@retention_cli.command("purge")
@click.option("--dry-run", is_flag=True, help="Count what would go; change nothing.")
@click.option(
    "--now", "now_text", metavar="ISO-DATETIME", help="Act as if it were this moment (default: now)."
)
def purge_command(dry_run: bool, now_text: str | None) -> None:
    """Delete expired photos, emails, text files and audio, blank expired free texts, remove orphan files.

    Rounds on legal hold are skipped. Scores, answers and scorecards stay. Safe to repeat.
    """
    report = run_purge(parse_moment(now_text) if now_text else None, dry_run=dry_run)
    verb = "would purge" if dry_run else "purged"
    click.echo(f"{verb}: {report.summary()}")
    for kind in KINDS:
        if report.counts[kind]:
            click.echo(f"  {kind.replace('_', ' ')}: {report.counts[kind]}")
    if report.held_round_ids:
        rounds = ", ".join(str(round_id) for round_id in report.held_round_ids)
        click.echo(f"skipped rounds on legal hold: {rounds}")
