"""Emails that follow a publication: written with it, sent by a retrying job, never lost, never doubled."""

from __future__ import annotations

import smtplib
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from flask_mailman import EmailMultiAlternatives
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import outbox
from audits.models import OutboxEmail, Role, RoundStatus, Scorecard, User
from audits.outbox import backoff
from audits.timeutil import utcnow
from reports.batch import build_scorecards
from tests.conftest import AuthActions
from tests.reports.scorecard_helpers import ScorecardWorld, scorecard_world

YES = {"confirm": "yes"}  # what a confirmation page posts

# Nothing listens here: a broker that is down.
CLOSED_BROKER = "redis://127.0.0.1:6390/0"


@pytest.fixture
def closed_round(app: Flask, session: Session, make_user: Callable[..., User]) -> ScorecardWorld:
    """A closed round with its scorecards built, a leader and two schools' principals."""
    built = scorecard_world(session)
    district = built.world.district
    make_user(Role.LEADER, district, email="leader@example.org")
    make_user(Role.PRINCIPAL, district, schools=[built.schools[0]], email="pa@example.org", name="Pat A")
    make_user(Role.PRINCIPAL, district, schools=[built.schools[1]], email="pb@example.org", name="Pat B")
    built.round.status = RoundStatus.CLOSED
    build_scorecards(session, built.round, Path(app.config["STORAGE_DIR"]))
    session.commit()
    return built


def sent_mail(app: Flask) -> list[EmailMultiAlternatives]:
    return list(getattr(app.extensions["mailman"], "outbox", []))


def publish(client: FlaskClient, auth: AuthActions, built: ScorecardWorld) -> str:
    auth.sign_in("leader@example.org")
    response = client.post(f"/scorecards/rounds/{built.round.id}/publish", data=YES, follow_redirects=True)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def waiting(session: Session) -> list[OutboxEmail]:
    session.expire_all()
    return list(session.scalars(select(OutboxEmail).where(OutboxEmail.sent_at.is_(None))))


def test_publishing_with_the_broker_down_answers_normally_and_the_emails_go_out_once_it_is_back(
    app: Flask,
    client: FlaskClient,
    auth: AuthActions,
    runner: FlaskCliRunner,
    session: Session,
    closed_round: ScorecardWorld,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    celery = app.extensions["celery"]
    monkeypatch.setitem(app.config, "CELERY_BROKER_URL", CLOSED_BROKER)
    monkeypatch.setitem(celery.conf, "broker_url", CLOSED_BROKER)
    monkeypatch.setitem(celery.conf, "task_always_eager", False)
    page = publish(client, auth, closed_round)
    assert "Published 3 scorecards" in page
    assert sent_mail(app) == []
    assert sorted(email.recipient for email in waiting(session)) == ["pa@example.org", "pb@example.org"]
    assert all(card.published_at is not None for card in session.scalars(select(Scorecard)))
    url = f"/scorecards/rounds/{closed_round.round.id}/publish"
    again = client.post(url, data=YES, follow_redirects=True)
    assert "already published" in again.get_data(as_text=True)  # and the emails are still there
    assert len(waiting(session)) == 2

    result = runner.invoke(args=["outbox", "send"])  # the broker is back: beat (or cron) sends the outbox
    assert result.exit_code == 0 and "sent 2, failed 0, waiting 0" in result.output
    assert runner.invoke(args=["outbox", "send"]).output.startswith("sent 0, failed 0")
    messages = {message.to[0]: message for message in sent_mail(app)}
    assert len(sent_mail(app)) == 2 and set(messages) == {"pa@example.org", "pb@example.org"}
    assert closed_round.round.name in messages["pa@example.org"].subject
    card = session.scalar(select(Scorecard).where(Scorecard.school_id == closed_round.schools[0].id))
    assert card is not None and f"/scorecards/{card.token}.pdf" in messages["pa@example.org"].body


def test_an_smtp_failure_keeps_the_emails_and_retries_them_later(
    app: Flask,
    client: FlaskClient,
    auth: AuthActions,
    session: Session,
    closed_round: ScorecardWorld,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refuse(*args: object) -> None:
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    monkeypatch.setattr(outbox, "send_message", refuse)
    page = publish(client, auth, closed_round)  # no broker: the outbox is tried at once, in-process
    assert "Published 3 scorecards" in page
    emails = waiting(session)
    assert len(emails) == 2 and sent_mail(app) == []
    for email in emails:
        assert email.attempts == 1 and "SMTPServerDisconnected" in email.last_error
        assert email.next_attempt_at > utcnow() + timedelta(seconds=50)
    assert outbox.send_outbox().sent == 0  # not due yet
    # The leader sees on the round's scorecards page that two emails wait, and why.
    page = client.get(f"/scorecards/rounds/{closed_round.round.id}").get_data(as_text=True)
    assert "0 sent, 2 waiting to be sent." in page and "Touchpoint tries again by itself" in page
    assert "To pa@example.org: tried 1 time," in page and "SMTPServerDisconnected" in page
    monkeypatch.undo()
    later = utcnow() + backoff(1) + timedelta(seconds=1)
    assert outbox.send_outbox(now=later).sent == 2
    assert outbox.send_outbox(now=later + timedelta(hours=2)).sent == 0
    assert sorted(message.to[0] for message in sent_mail(app)) == ["pa@example.org", "pb@example.org"]
    assert waiting(session) == []
    page = client.get(f"/scorecards/rounds/{closed_round.round.id}").get_data(as_text=True)
    assert "2 sent." in page and "Touchpoint tries again" not in page
