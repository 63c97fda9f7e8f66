"""Reminder emails: ``flask reminders send``, the Celery task, and mail that can never leave a test."""

from __future__ import annotations

import importlib
import logging
import sys
from collections.abc import Callable
from typing import Any

import pytest
from celery import Celery
from flask import Flask
from flask.testing import FlaskCliRunner
from flask_mailman import EmailMultiAlternatives
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import create_app
from app.mail import send_message
from app.reminders import send_reminders_task
from audits.models import ReminderLog, Role, School, User
from config import load_config
from tests.audits.test_reminders import MON, THU, TUE, WED, at, start_fieldwork

NOW = at(TUE).isoformat()  # Tuesday noon in New York


@pytest.fixture
def auditors(
    session: Session, make_user: Callable[..., User], make_school: Callable[..., School]
) -> tuple[User, User]:
    """Ana: two contacts due Wednesday and one overdue; Ben: one due Wednesday; Cy (inactive): one."""
    work = start_fieldwork(session, make_school(name="Abess Park Elementary"))
    other_school = make_school(work.district, name="Arlington Middle & High")
    ana = make_user(Role.AUDITOR, work.district, name="Ana Auditor", email="ana@example.org")
    ben = make_user(Role.AUDITOR, work.district, name="Ben", email="ben@example.org")
    cy = make_user(Role.AUDITOR, work.district, email="cy@example.org", active=False)
    work.assign(ana, WED)
    work.assign(ana, WED, school=other_school)
    work.assign(ana, MON)
    work.assign(ana, THU)  # not due yet
    work.assign(ben, WED, school=other_school)
    work.assign(cy, WED)
    return ana, ben


def outbox(app: Flask) -> list[EmailMultiAlternatives]:
    """The messages the test outbox holds (the locmem backend creates it on first use)."""
    return getattr(app.extensions["mailman"], "outbox", [])


def _html(message: EmailMultiAlternatives) -> str:
    return next(content for content, mimetype in message.alternatives if mimetype == "text/html")


def test_send_emails_each_auditor_once(
    app: Flask, runner: FlaskCliRunner, auditors: tuple[User, User]
) -> None:
    result = runner.invoke(args=["reminders", "send", "--now", NOW])
    assert result.exit_code == 0, result.output
    assert result.output == "sent 2 reminder emails (4 assignments)\n"
    messages = {message.to[0]: message for message in outbox(app)}
    assert set(messages) == {"ana@example.org", "ben@example.org"}
    ana = messages["ana@example.org"]
    assert ana.subject == "Touchpoint: 2 contacts due tomorrow, 1 overdue"
    assert ana.from_email == "Touchpoint <no-reply@localhost>"
    assert "Hello Ana Auditor," in ana.body
    assert "Due tomorrow, Wednesday, February 3:" in ana.body
    assert "  - Abess Park Elementary: phone call, morning\n" in ana.body
    assert "  - Arlington Middle & High: phone call, morning\n" in ana.body
    assert "  - Abess Park Elementary: phone call, morning, due Monday, February 1\n" in ana.body
    assert "http://127.0.0.1:5000/assignments/" in ana.body
    html = _html(ana)
    assert '<a href="http://127.0.0.1:5000/assignments/">' in html
    assert "Arlington Middle &amp; High" in html
    assert messages["ben@example.org"].subject == "Touchpoint: 1 contact due tomorrow"


def test_emails_hold_no_script_or_persona(
    app: Flask, runner: FlaskCliRunner, auditors: tuple[User, User]
) -> None:
    runner.invoke(args=["reminders", "send", "--now", NOW])
    for message in outbox(app):
        for text in (message.body, _html(message)):
            assert "Ask the question" not in text  # the scenario's script
            assert "third-grader" not in text  # its persona
            assert "proof of residence" not in text  # its answer key


def test_a_second_run_sends_nothing(
    app: Flask, runner: FlaskCliRunner, session: Session, auditors: tuple[User, User]
) -> None:
    runner.invoke(args=["reminders", "send", "--now", NOW])
    assert session.scalar(select(func.count()).select_from(ReminderLog)) == 4
    result = runner.invoke(args=["reminders", "send", "--now", at(TUE, 17).isoformat()])
    assert result.output == "sent 0 reminder emails (0 assignments)\n"
    assert len(outbox(app)) == 2


def test_respect_hour_waits_for_reminder_hour(
    app: Flask, runner: FlaskCliRunner, auditors: tuple[User, User]
) -> None:
    early = runner.invoke(args=["reminders", "send", "--respect-hour", "--now", at(TUE, 6).isoformat()])
    assert early.output == "sent 0 reminder emails (0 assignments)\n"
    later = runner.invoke(args=["reminders", "send", "--respect-hour", "--now", at(TUE, 7).isoformat()])
    assert later.output == "sent 2 reminder emails (4 assignments)\n"


def test_now_must_be_a_date_time(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["reminders", "send", "--now", "next tuesday"])
    assert result.exit_code == 2
    assert "is not an ISO date-time" in result.output


def test_one_failed_email_does_not_stop_the_others(
    app: Flask,
    runner: FlaskCliRunner,
    session: Session,
    auditors: tuple[User, User],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def flaky_send(to: str, *args: Any) -> None:
        if to == "ana@example.org":
            raise ConnectionRefusedError("no SMTP server")
        send_message(to, *args)

    monkeypatch.setattr("app.reminders.send_message", flaky_send)
    result = runner.invoke(args=["reminders", "send", "--now", NOW])
    assert result.exit_code == 1
    assert "sent 1 reminder email (1 assignment)" in result.output
    assert [message.to for message in outbox(app)] == [["ben@example.org"]]
    ana = auditors[0]
    assert f"could not email reminders to auditor {ana.id}" in caplog.text
    # Ana's reminders were not recorded, so the next run sends them.
    monkeypatch.undo()
    retry = runner.invoke(args=["reminders", "send", "--now", at(TUE, 13).isoformat()])
    assert retry.output == "sent 1 reminder email (3 assignments)\n"


def test_the_task_runs_in_process_and_sends_the_same(app: Flask, auditors: tuple[User, User]) -> None:
    celery_app: Celery = app.extensions["celery"]
    assert celery_app.conf.task_always_eager is True
    assert celery_app.conf.broker_url == "memory://"
    assert send_reminders_task.delay(now=NOW).get() == 2
    assert {message.to[0] for message in outbox(app)} == {"ana@example.org", "ben@example.org"}
    assert send_reminders_task.apply(kwargs={"now": NOW}).get() == 0  # already sent today


def test_the_task_waits_for_reminder_hour_unless_told(app: Flask, auditors: tuple[User, User]) -> None:
    early = at(TUE, 6).isoformat()
    assert send_reminders_task.apply(kwargs={"now": early}).get() == 0
    assert send_reminders_task.apply(kwargs={"now": early, "respect_hour": False}).get() == 2


def test_testing_never_uses_smtp_or_a_broker_whatever_the_environment(
    monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    monkeypatch.setenv("MAIL_SERVER", "smtp.example.org")
    monkeypatch.setenv("MAIL_USERNAME", "someone")
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://redis.example.org:6379/0")
    settings = load_config("testing")
    assert settings["MAIL_BACKEND"] == "locmem"
    assert settings["CELERY_BROKER_URL"] == ""
    built = create_app("testing", {"SQLALCHEMY_DATABASE_URI": database_url})
    assert built.extensions["mailman"].backend == "locmem"
    assert built.extensions["celery"].conf.task_always_eager is True
    with pytest.raises(RuntimeError, match="tests must use the 'locmem' mail backend"):
        create_app("testing", {"SQLALCHEMY_DATABASE_URI": database_url, "MAIL_BACKEND": "smtp"})


def test_without_mail_server_mail_goes_to_the_console_and_the_log_says_so(
    monkeypatch: pytest.MonkeyPatch, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.delenv("MAIL_SERVER", raising=False)
    monkeypatch.setenv("SECRET_KEY", "s" * 32)
    monkeypatch.setenv("DATABASE_URL", database_url)
    with caplog.at_level(logging.INFO):
        built = create_app("production")
    assert built.extensions["mailman"].backend == "console"
    assert "MAIL_SERVER is not set: emails are written to the console" in caplog.text


def test_the_worker_module_exposes_a_celery_app_with_the_hourly_schedule(
    monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    monkeypatch.setenv("TOUCHPOINT_ENV", "testing")
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.delitem(sys.modules, "worker", raising=False)
    worker = importlib.import_module("worker")
    monkeypatch.delitem(sys.modules, "worker")
    assert isinstance(worker.celery_app, Celery)
    assert worker.celery_app is worker.flask_app.extensions["celery"]
    schedule = worker.celery_app.conf.beat_schedule
    assert [entry["task"] for entry in schedule.values()] == [
        "touchpoint.send_reminders",
        "touchpoint.send_plan_reminders",
        "touchpoint.send_alerts",
        "touchpoint.send_outbox",
        "touchpoint.recover_jobs",
        "touchpoint.poll_mailboxes",
        "touchpoint.purge_recordings",
        "touchpoint.purge_expired_evidence",
    ]
    for entry in schedule.values():
        assert entry["task"] in worker.celery_app.tasks
    assert worker.celery_app.conf.task_acks_late and worker.celery_app.conf.task_reject_on_worker_lost
    assert "touchpoint.purge_expired_evidence" in worker.celery_app.tasks
