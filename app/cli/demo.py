"""``flask demo``: the demo district, its users, the library, two rounds and published scorecards."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import click
from flask import current_app

from app.extensions import db
from app.mailboxes.credentials import vault
from app.scorecards.emails import queue_publication_emails
from app.scorecards.jobs import storage_dir
from audits.appeals.window import published_scorecard
from audits.businesshours import BusinessCalendar
from audits.demo import (
    DEMO_PASSWORD,
    SCHOOL_PRINCIPAL_EMAIL,
    DemoResult,
    demo_is_loaded,
    demo_users,
    load_demo,
    school_principal_count,
)
from audits.demo_appeals import DemoAppeals, load_demo_appeals
from audits.demo_mail import DemoMailServers, load_demo_mailboxes
from audits.demo_plans import DemoPlans, load_demo_plans
from audits.models import Role, RoundStatus
from audits.scorecards import publish
from audits.timeutil import utcnow
from audits.vocabulary import count_of, plural
from reports.batch import build_scorecards


def decide_demo_appeals(result: DemoResult) -> DemoAppeals | None:
    """The demo principal's two appeals on the published round, decided by the leader; the school's
    scorecard rebuilt with the upheld correction (so it says it changed on appeal)."""
    if result.earlier is None:
        return None
    principal = next(user for user in result.users if user.role is Role.PRINCIPAL)
    leader = next(user for user in result.users if user.role is Role.LEADER)
    school = principal.schools[0]
    card = published_scorecard(db.session, school, result.earlier)
    if card is None or card.published_at is None:
        return None
    calendar = BusinessCalendar.of(result.district)
    after_the_round = datetime.combine(result.earlier.last_day + timedelta(days=1), time(12), UTC)
    now = max(utcnow(), after_the_round)
    appeals = load_demo_appeals(
        db.session, result.earlier, principal, leader, calendar.local_day(card.published_at), now
    )
    if appeals.upheld is not None:
        build_scorecards(db.session, result.earlier, storage_dir(), school_ids={school.id})
    return appeals


def take_demo_plans(result: DemoResult) -> DemoPlans | None:
    """The published round's plans taken to each state, and a follow-up round in the field."""
    if result.earlier is None or result.earlier.status is not RoundStatus.PUBLISHED:
        return None
    leader = next(user for user in result.users if user.role is Role.LEADER)
    principal = next(user for user in result.users if user.role is Role.PRINCIPAL)
    after_the_round = datetime.combine(result.earlier.last_day + timedelta(days=1), time(12), UTC)
    return load_demo_plans(
        db.session,
        result.earlier,
        leader,
        result.principals,
        principal,
        result.today,
        max(utcnow(), after_the_round),
        Path(current_app.config["EVIDENCE_DIR"]),
    )


def demo_mail_servers() -> DemoMailServers:
    """Where the demo's persona mailboxes point: DEMO_MAIL_HOST, DEMO_SMTP_PORT and DEMO_IMAP_PORT."""
    config = current_app.config
    return DemoMailServers(
        host=str(config["DEMO_MAIL_HOST"]),
        smtp_port=int(config["DEMO_SMTP_PORT"]),
        imap_port=int(config["DEMO_IMAP_PORT"]),
        password=str(config["DEMO_MAIL_PASSWORD"]),
    )


def publish_earlier_scorecards(result: DemoResult) -> tuple[int, int]:
    """Build the earlier round's scorecards and publish them as the demo leader would.

    As a publication from the web does, each school's principals get an email in the
    outbox, in the same transaction. Returns how many scorecards and how many emails.
    """
    if result.earlier is None:
        return 0, 0
    report = build_scorecards(db.session, result.earlier, storage_dir())
    if report.failed:
        school, reason = report.failed[0]
        raise click.ClickException(f"the demo scorecard of {school.label} failed: {reason}")
    leader = next(user for user in result.users if user.role is Role.LEADER)
    cards = publish(db.session, result.earlier, leader, note="Published by the demo")
    return len(cards), queue_publication_emails(result.earlier, cards)


@click.command("demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has users.")
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Plan the demo around this date instead of today (YYYY-MM-DD).",
)
def demo_command(if_empty: bool, today: datetime | None) -> None:
    """Load the demo district, its schools, one user per role, a principal per audited school, two rounds."""
    if current_app.config["TOUCHPOINT_ENV"] == "production":
        raise click.ClickException("the demo is not for production: its accounts share a published password")
    if demo_is_loaded(db.session):
        if not if_empty:
            raise click.ClickException("the database already has data; the demo loads only into an empty one")
        click.echo("database already has data; demo not loaded again")
    else:
        _load(today.date() if today else None)
    users = demo_users(db.session)
    if users:
        click.echo(f"demo logins (password for all: {DEMO_PASSWORD}):")
    for user in users:
        extra = f" — principal of {user.schools[0].name}" if user.schools else ""
        click.echo(f"  {user.role.label:16} {user.email}{extra}")
    if more := school_principal_count(db.session):
        pattern = SCHOOL_PRINCIPAL_EMAIL.format(slug="<school>")
        click.echo(f"  … and {more} more principals, one per school: {pattern}")


def _load(today: date | None) -> None:
    """Load everything, commit once, and say what was made."""
    configured = current_app.config["DEMO_SCHOOLS_FILE"]
    evidence_dir = Path(current_app.config["EVIDENCE_DIR"])
    result = load_demo(
        db.session, Path(configured) if configured else None, today=today, evidence_dir=evidence_dir
    )
    mailboxes = load_demo_mailboxes(
        db.session,
        result.district,
        [user for user in result.users if user.role is Role.AUDITOR],
        vault(),
        demo_mail_servers(),
    )
    published, emails = publish_earlier_scorecards(result)
    appeals = decide_demo_appeals(result)
    plans = take_demo_plans(result)
    db.session.commit()
    click.echo(f"demo district {result.district.name}: {result.report.summary()} (from {result.source})")
    for line in result.library.lines():
        click.echo(f"library {line}")
    click.echo(f"{result.scenarios} library scenarios adopted by {result.district.name}")
    if result.earlier is not None:
        click.echo(f"round {result.earlier.name!r} closed: {count_of(published, 'scorecard')} published")
        click.echo(
            f"{count_of(emails, 'email')} to their principals {plural(emails, 'waits', 'wait')} in the "
            "outbox (a Celery worker sends them within a minute; without one, `flask outbox send`)"
        )
    if appeals is not None:
        decided = [a for a in (appeals.upheld, appeals.not_upheld) if a is not None]
        click.echo(
            f"appeals of principal@example.org: {count_of(len(decided), 'answer')} queried, "
            f"{1 if appeals.upheld else 0} upheld (its scorecard rebuilt), {1 if appeals.not_upheld else 0} "
            "not upheld; the window stays open for more"
        )
    if plans is not None:
        states = [
            (plan.school.name, plan.status.label.lower())
            for plan in (plans.draft, plans.submitted, plans.sent_back, plans.approved)
            if plan is not None
        ]
        click.echo("action plans: " + "; ".join(f"{name} {status}" for name, status in states))
        if plans.follow_up is not None:
            follow_up = plans.follow_up
            assignments = count_of(len(follow_up.assignments), "assignment")
            click.echo(f"round {follow_up.name!r} in the field: {assignments}, from {follow_up.first_day}")
    click.echo(
        f"round {result.round.name!r} in the field: {count_of(len(result.round.assignments), 'assignment')} "
        f"for the demo auditors"
    )
    if mailboxes:
        servers = demo_mail_servers()
        click.echo(
            f"persona mailboxes: {', '.join(m.address for m in mailboxes)} on {servers.host} (SMTP "
            f"{servers.smtp_port}, IMAP {servers.imap_port}): start the servers with `make mail-servers`"
        )
    if result.fieldwork:
        work = result.fieldwork
        click.echo(
            f"contacts: {work.approved} approved, {work.submitted} waiting for review, "
            f"{work.returned} returned, {count_of(work.drafts, 'draft')}, {work.unreached} unreached"
        )
