"""The ``flask`` commands: schools import, users create, demo."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

from flask.testing import FlaskCliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from audits.appeals.window import window_of
from audits.businesshours import BusinessCalendar
from audits.demo import DEMO_USERS
from audits.models import (
    ActionPlan,
    Appeal,
    AppealOutcome,
    AuditorProfile,
    Channel,
    Contact,
    ContactStatus,
    District,
    Evidence,
    OutboxEmail,
    PlanStatus,
    Response,
    Round,
    RoundStatus,
    School,
    Scorecard,
    User,
)
from audits.scorecards import school_principals
from tests.conftest import AuthActions


def test_schools_import_prints_the_summary_and_skipped_lines(
    runner: FlaskCliRunner, shared_schools_dir: Path, session: Session
) -> None:
    path = shared_schools_dir / "austin_isd_ccd_2013.csv"
    result = runner.invoke(args=["schools", "import", str(path), "--district", "Austin ISD"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "imported 128, updated 0, unchanged 0, skipped 5"
    assert sum("skipped" in line and line.startswith("line ") for line in lines) == 5
    again = runner.invoke(args=["schools", "import", str(path), "--district", "Austin ISD"])
    assert again.output.splitlines()[0] == "imported 0, updated 0, unchanged 128, skipped 5"
    assert session.scalar(select(District.name)) == "Austin ISD"


def test_schools_import_of_a_bad_file_fails_cleanly(
    runner: FlaskCliRunner, tmp_path: Path, session: Session
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("name,phone\nA,1\n")
    result = runner.invoke(args=["schools", "import", str(bad)])
    assert result.exit_code == 1
    assert "error: file:" in result.output
    assert session.scalar(select(func.count()).select_from(School)) == 0


def test_users_create_principal_with_school(
    runner: FlaskCliRunner, make_school: Callable[..., School], session: Session, auth: AuthActions
) -> None:
    school = make_school(nces_id="120048003173")
    result = runner.invoke(
        args=["users", "create", "p@example.org", "--role", "principal", "--school", "120048003173"]
    )
    assert result.exit_code == 0, result.output
    assert "created principal p@example.org" in result.output
    password = result.output.split("password: ")[1].strip()
    user = session.scalars(select(User).where(User.email == "p@example.org")).one()
    assert user.schools == [school]
    assert user.district_id == school.district_id
    assert auth.login("p@example.org", password).status_code == 302


def test_users_create_reports_problems(runner: FlaskCliRunner, session: Session) -> None:
    result = runner.invoke(
        args=["users", "create", "p@example.org", "--role", "principal", "--school", "000"]
    )
    assert result.exit_code == 1
    assert "no school with NCES id 000" in result.output
    result = runner.invoke(args=["users", "create", "nobody", "--role", "admin", "--password", "x"])
    assert result.exit_code == 1
    assert "error: email:" in result.output and "error: password:" in result.output
    assert session.scalar(select(func.count()).select_from(User)) == 0


def test_demo_loads_once_and_every_login_works(
    runner: FlaskCliRunner, session: Session, auth: AuthActions
) -> None:
    result = runner.invoke(args=["demo", "--if-empty", "--today", "2026-11-27"])
    assert result.exit_code == 0, result.output
    assert "imported 208, updated 0, unchanged 0, skipped 2" in result.output
    assert "demo-password" in result.output
    for email, _, _ in DEMO_USERS:
        assert email in result.output
        assert auth.login(email, "demo-password").status_code == 302, email
        auth.logout()
    principal = session.scalars(select(User).where(User.email == "principal@example.org")).one()
    assert [school.name for school in principal.schools] == ["ABESS PARK ELEMENTARY SCHOOL"]
    assert "… and 11 more principals, one per school: principal.<school>@example.org" in result.output
    district = session.scalars(select(District)).one()
    assert district.timezone == "America/New_York"
    assert district.closures, "the demo calendar has closures"
    assert "library rubric phone-standard v1: published" in result.output
    earlier, round_ = session.scalars(
        select(Round).where(Round.follows_round_id.is_(None)).order_by(Round.first_day)
    ).all()
    # The earlier round gives every school a change and a trend, and its principal a scorecard.
    assert earlier.status is RoundStatus.PUBLISHED
    assert f"round {earlier.name!r} closed: 12 scorecards published" in result.output
    cards = session.scalars(select(Scorecard).where(Scorecard.round_id == earlier.id)).all()
    assert len(cards) == 12 and all(card.published_at is not None for card in cards)
    # Every school of both rounds has exactly one principal, and each published card reached them.
    principals = school_principals(session, {a.school_id for r in (earlier, round_) for a in r.assignments})
    assert len(principals) == 12 and all(len(users) == 1 for users in principals.values())
    assert "12 emails to their principals wait in the outbox" in result.output
    # The demo principal queried two answers: one upheld (the scorecard rebuilt), one not; more can follow.
    decided = (
        "appeals of principal@example.org: 2 answers queried, 1 upheld (its scorecard rebuilt), 1 not upheld"
    )
    assert decided in result.output
    appeals = session.scalars(select(Appeal).order_by(Appeal.id)).all()
    assert [a.outcome for a in appeals] == [AppealOutcome.UPHELD, AppealOutcome.NOT_UPHELD]
    assert {a.contact.assignment.school_id for a in appeals} == {principal.schools[0].id}
    # Plans in every state: the demo principal's a draft to write; the approved one with an action
    # closed, checked again by a follow-up round in the field after its due dates.
    plans = {plan.status: plan for plan in session.scalars(select(ActionPlan))}
    assert set(plans) == {PlanStatus.DRAFT, PlanStatus.SUBMITTED, PlanStatus.SENT_BACK, PlanStatus.APPROVED}
    assert plans[PlanStatus.DRAFT].school_id == principal.schools[0].id
    approved = plans[PlanStatus.APPROVED]
    assert [action.closed for action in approved.actions] == [True, False]
    follow_up = session.scalars(select(Round).where(Round.follows_round_id == earlier.id)).one()
    assert follow_up.status is RoundStatus.IN_FIELD
    assert {a.school_id for a in follow_up.assignments} == {approved.school_id}
    assert min(a.due_day for a in follow_up.assignments) > max(a.due_on for a in approved.actions)
    assert f"round {follow_up.name!r} in the field: 2 assignments" in result.output
    # The published round's appeal window is open: the demo principal can query another answer.
    card = next(card for card in cards if card.school_id == principal.schools[0].id)
    published_on = BusinessCalendar.of(district).local_day(card.published_at)  # type: ignore[arg-type]
    window = window_of(card, district, published_on)
    assert window is not None and window.open and window.last_day > published_on
    queued = {email.recipient: email for email in session.scalars(select(OutboxEmail))}
    for card in cards:
        (school_principal,) = principals[card.school_id]
        assert school_principal.email.endswith("@example.org")
        assert card.token in queued[school_principal.email].text
    other = principals[next(card.school_id for card in cards if card.school_id != principal.schools[0].id)][0]
    assert auth.login(other.email, "demo-password").status_code == 302
    auth.logout()
    assert runner.invoke(args=["outbox", "send"]).exit_code == 0
    sent = getattr(runner.app.extensions["mailman"], "outbox", [])
    assert sorted(m.to[0] for m in sent) == sorted(queued)
    assert {
        c.status
        for c in session.scalars(
            select(Contact).join(Contact.assignment).where(Contact.assignment.has(round_id=earlier.id))
        )
    } == {ContactStatus.APPROVED}
    assert round_.status is RoundStatus.IN_FIELD
    assert round_.name == "Fall 2026 front-office round"
    assert len(round_.assignments) == 36  # twelve schools x phone, email and visit
    assert {a.auditor.email for a in round_.assignments} == {
        "auditor1@example.org",
        "auditor2@example.org",
        "auditor3@example.org",
    }
    assert "1 waiting for review, 1 returned, 1 draft, 1 unreached" in result.output
    # Each demo persona sends from its own mailbox on the local mail servers (`make mail-servers`).
    profiles = session.scalars(select(AuditorProfile)).all()
    mailboxes = {profile.mailbox.address: profile.mailbox for profile in profiles if profile.mailbox}
    assert set(mailboxes) == {profile.persona_email for profile in profiles} == {
        "maria.family@example.net", "chris.family@example.net", "lucia.family@example.net",
    }  # fmt: skip
    servers = {(m.smtp_host, m.smtp_port, m.imap_port) for m in mailboxes.values()}
    assert servers == {("127.0.0.1", 1025, 1143)}
    assert "start the servers with `make mail-servers`" in result.output
    statuses = Counter(c.status for c in session.scalars(select(Contact).where(Contact.unreached.is_(False))))
    assert statuses[ContactStatus.APPROVED] > 0
    assert statuses[ContactStatus.SUBMITTED] == statuses[ContactStatus.RETURNED] == 1
    assert statuses[ContactStatus.DRAFT] == 1
    assert session.scalar(select(func.count()).select_from(Contact).where(Contact.unreached.is_(True))) == 2
    channels = {c.assignment.channel for c in session.scalars(select(Contact))}
    assert channels == {Channel.PHONE, Channel.EMAIL, Channel.VISIT}
    assert session.scalar(select(func.count()).select_from(Response).where(Response.na.is_(True))) > 0
    assert session.scalar(select(func.count()).select_from(Evidence)) > 0

    again = runner.invoke(args=["demo", "--if-empty"])
    assert again.exit_code == 0
    assert "not loaded again" in again.output
    assert session.scalar(select(func.count()).select_from(User)) == len(DEMO_USERS) + 11
    refused = runner.invoke(args=["demo"])
    assert refused.exit_code != 0


def test_demo_refuses_production(runner: FlaskCliRunner) -> None:
    runner.app.config["TOUCHPOINT_ENV"] = "production"
    result = runner.invoke(args=["demo"])
    assert result.exit_code != 0
    assert "not for production" in result.output
