"""Overdue actions are reminded by email through the outbox: once a school day at most, never on a
weekend, by the hourly task and by ``flask reminders plans``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.plans.reminders import send_plan_reminders, send_plan_reminders_task
from audits.models import ActionPlan, OutboxEmail, PlanReminder
from audits.plans.actions import ActionEntry, add_action, approve_plan, submit_plan
from audits.plans.weak import weaknesses
from audits.scorecards import publish
from tests.audits.plan_helpers import build_plan_world
from tests.conftest import TEST_TODAY

TUESDAY = datetime(2027, 1, 5, 15, tzinfo=UTC)  # 10:00 in New York, the day after the action was due


def _overdue_world(session: Session) -> None:
    world = build_plan_world(session)
    publish(session, world.round, world.leader, now=TUESDAY)
    plan = session.scalars(select(ActionPlan).where(ActionPlan.school_id == world.low.id)).one()
    weak = weaknesses(session, world.round, world.low)
    later = TEST_TODAY + timedelta(days=30)
    for change, due in (("Greet callers by name.", TEST_TODAY), ("Post the office hours.", later)):
        add_action(
            session, plan, ActionEntry(change, "front_office", due), world.principals["B"], weak, TEST_TODAY
        )
    submit_plan(session, plan, world.principals["B"], TEST_TODAY)
    approve_plan(session, plan, world.leader)
    session.commit()


def _reminders(session: Session) -> list[OutboxEmail]:
    return list(session.scalars(select(OutboxEmail).where(OutboxEmail.topic == "plan_overdue")))


def test_an_overdue_action_is_emailed_once_a_school_day(app: Flask, session: Session) -> None:
    _overdue_world(session)
    assert send_plan_reminders(TUESDAY - timedelta(days=1)) == (0, 0)  # Monday: due today, not overdue
    assert send_plan_reminders(TUESDAY) == (1, 1)
    (email,) = _reminders(session)
    assert email.recipient == "principal.b@example.org"
    assert email.subject == "Touchpoint: 1 action of your plan overdue"
    assert "School B: Greet callers by name. (Front-office staff, due Mon, Jan 4)" in email.text
    assert "Post the office hours" not in email.text  # not due yet
    assert "/plans/" in email.text and email.html is not None and "Greet callers by name." in email.html
    assert send_plan_reminders(TUESDAY + timedelta(hours=5)) == (0, 0)  # the same school day
    assert (
        send_plan_reminders_task((TUESDAY + timedelta(days=4)).isoformat(), respect_hour=False) == 0
    )  # Saturday
    # The hourly task waits for the district's reminder hour (7 a.m. in New York).
    assert send_plan_reminders_task(datetime(2027, 1, 6, 11, tzinfo=UTC).isoformat()) == 0
    assert send_plan_reminders_task(datetime(2027, 1, 6, 13, tzinfo=UTC).isoformat()) == 1
    assert len(_reminders(session)) == 2
    assert [
        r.sent_on.isoformat() for r in session.scalars(select(PlanReminder).order_by(PlanReminder.id))
    ] == [
        "2027-01-05",
        "2027-01-06",
    ]


def test_the_command_queues_the_reminders(runner: FlaskCliRunner, session: Session) -> None:
    _overdue_world(session)
    result = runner.invoke(args=["reminders", "plans", "--now", "2027-01-05T15:00:00Z"])
    assert result.exit_code == 0, result.output
    assert "queued 1 reminder email (1 overdue action)" in result.output
    again = runner.invoke(args=["reminders", "plans", "--now", "2027-01-05T16:00:00Z"])
    assert "queued 0 reminder emails (0 overdue actions)" in again.output
