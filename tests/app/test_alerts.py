"""Leaders' email digests: ``flask alerts send`` and the hourly task, through the outbox, once, as chosen.

Digests name schools, channels, rubric items and days with links for leaders; never the auditor (Avery
Quinn, with their email and pseudonym) nor a staff member named in a comment.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from flask_mailman import EmailMultiAlternatives
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.alerts import CRITICAL_TOPIC, WEEKLY_TOPIC, send_alerts_task
from audits.alerts import critical_digests
from audits.models import AlertDelivery, AlertKind, AlertPreference, Channel, ContactStatus, OutboxEmail, Role
from tests.audits.test_alerts import FAILED, GOOD, MON, THU, TUE, WED, Alerts, at, build_alerts
from tests.conftest import AuthActions

BASE = "http://127.0.0.1:5000"


@pytest.fixture
def alerts(session: Session) -> Alerts:
    built = build_alerts(session)
    session.commit()
    return built


def outbox(app: Flask) -> list[EmailMultiAlternatives]:
    return getattr(app.extensions["mailman"], "outbox", [])


def _html(message: EmailMultiAlternatives) -> str:
    return next(str(content) for content, mimetype in message.alternatives if mimetype == "text/html")


def _secrets(alerts: Alerts) -> list[str]:
    auditor = alerts.world.auditor
    return ["Avery", "Quinn", auditor.email, auditor.pseudonym, "Ms. Rivera"]


def test_the_daily_digest_lists_each_critical_failure_once_without_names(
    app: Flask, runner: FlaskCliRunner, session: Session, alerts: Alerts
) -> None:
    a, b = alerts.schools
    failed = alerts.contact(a, Channel.PHONE, FAILED, approved_at=at(TUE, 15))
    failed.responses[0].comment = "Ms. Rivera hung up on Avery Quinn."  # a comment never goes into a digest
    alerts.contact(b, Channel.EMAIL, GOOD, approved_at=at(TUE, 15))
    session.commit()

    first = runner.invoke(args=["alerts", "send", "--now", at(WED, 8).isoformat()])
    assert first.exit_code == 0, first.output
    assert first.output == "wrote 2 critical-failure digests and 2 fieldwork digests\n"
    critical = {m.to[0]: m for m in outbox(app) if "critical failure" in m.subject}
    assert set(critical) == {alerts.lee.email, alerts.lia.email}  # the far district's leader hears nothing
    mail = critical[alerts.lee.email]
    assert mail.subject == "Touchpoint: 1 critical failure approved"
    assert "Hello Lee," in mail.body
    assert f"  - {a.name}, phone call, Feb 1, 2027 (Spring 2027 round)\n" in mail.body
    assert "    Failed: “Answered?”\n" in mail.body
    assert f"    {BASE}/contacts/{failed.id}\n" in mail.body
    html = _html(mail)
    assert f'<a href="{BASE}/contacts/{failed.id}">{a.name},' in html and "&ldquo;Answered?&rdquo;" in html
    assert f"{BASE}/account#alerts-heading" in mail.body
    for message in outbox(app):
        for secret in _secrets(alerts):
            assert secret not in message.body and secret not in _html(message), (secret, message.subject)
    deliveries = session.scalars(
        select(AlertDelivery).where(AlertDelivery.kind == AlertKind.CRITICAL_FAILURES)
    )
    for delivery in deliveries:
        email = session.get(OutboxEmail, delivery.email_id)
        assert email is not None and email.topic == CRITICAL_TOPIC and email.sent_at is not None
        assert (delivery.period, delivery.contact_ids) == (WED, [failed.id])

    # Again the same day, and the next day with nothing new: nothing more.
    sent = len(outbox(app))
    for moment in (at(WED, 9), at(WED, 20), at(THU, 8)):
        again = runner.invoke(args=["alerts", "send", "--now", moment.isoformat()])
        assert again.output == "wrote 0 critical-failure digests and 0 fieldwork digests\n"
    assert len(outbox(app)) == sent


def test_the_weekly_digest_goes_once_a_week_with_links_for_leaders(
    app: Flask, session: Session, alerts: Alerts
) -> None:
    a, b = alerts.schools
    alerts.contact(a, Channel.EMAIL, GOOD, approved_at=at(TUE), first_submitted_at=at(TUE))
    returned = alerts.contact(
        b,
        Channel.VISIT,
        GOOD,
        status=ContactStatus.RETURNED,
        first_submitted_at=at(TUE),
        submitted_at=at(TUE),
    )
    returned.responses[0].comment = "Avery Quinn was sent away by Ms. Rivera."
    alerts.open_assignment(a, Channel.PHONE, date(2027, 2, 1))
    session.add(AlertPreference(user_id=alerts.lia.id, critical_failures=True, weekly_fieldwork=False))
    session.commit()

    assert (
        send_alerts_task(at(MON, 6).isoformat()) == "wrote 0 critical-failure digests and 0 fieldwork digests"
    )
    assert (
        send_alerts_task(at(WED, 7).isoformat()) == "wrote 0 critical-failure digests and 1 fieldwork digest"
    )
    [mail] = outbox(app)
    assert mail.to == [alerts.lee.email]
    assert mail.subject == "Touchpoint: fieldwork this week, 1 overdue, 1 returned"
    body = " ".join(mail.body.split())  # lines are wrapped at 78 characters
    assert "week of Monday, February 1:" in body
    assert "Spring 2027 round: 1 of 3 assignments done; 2 contacts submitted in the last 7 days." in body
    assert f"Overdue (1): - {a.name}, phone call, due Feb 1, 2027 Returned" in body
    assert "Returned to the auditor, waiting for a fix (1):" in body
    assert f"- {b.name}, front-office visit, due Jan 25, 2027: {BASE}/contacts/{returned.id}" in body
    assert f"Progress board: {BASE}/rounds/{alerts.round.id}/progress" in body
    assert f'<a href="{BASE}/contacts/{returned.id}">contact</a>' in _html(mail)
    for secret in _secrets(alerts):
        assert secret not in body and secret not in _html(mail), secret
    assert session.scalars(select(OutboxEmail.topic)).all() == [WEEKLY_TOPIC]

    assert send_alerts_task(at(THU, 9).isoformat()).endswith("0 fieldwork digests")  # the same week
    assert send_alerts_task(at(date(2027, 2, 8), 9).isoformat()).endswith("1 fieldwork digest")  # the next


def test_each_leader_chooses_their_digests_on_the_account_page(
    app: Flask, client: FlaskClient, auth: AuthActions, session: Session, alerts: Alerts
) -> None:
    auth.sign_in(alerts.lee)
    page = client.get("/account").get_data(as_text=True)
    assert '<h2 id="alerts-heading">Email digests</h2>' in page
    boxes = re.findall(r"<input [^>]*type=\"checkbox\"[^>]*>", page)
    assert len(boxes) == 2 and all(" checked " in box for box in boxes)  # no choice made: both
    saved = client.post("/account/alerts", data={"weekly_fieldwork": "y"}, follow_redirects=True)
    assert "Saved: you receive fieldwork, once a week." in saved.get_data(as_text=True)
    choice = session.get(AlertPreference, alerts.lee.id)
    assert choice is not None and (choice.critical_failures, choice.weekly_fieldwork) == (False, True)
    assert client.post("/account/alerts", data={}, follow_redirects=True).status_code == 200
    session.refresh(choice)
    assert (choice.critical_failures, choice.weekly_fieldwork) == (False, False)

    # Lee now hears nothing; Lia (no choice made) hears both.
    alerts.contact(alerts.schools[0], Channel.PHONE, FAILED, approved_at=at(TUE, 15))
    session.commit()
    assert (
        send_alerts_task(at(WED, 8).isoformat()) == "wrote 1 critical-failure digest and 1 fieldwork digest"
    )
    assert {message.to[0] for message in outbox(app)} == {alerts.lia.email}

    reviewer = alerts.world.auditor
    reviewer.role = Role.REVIEWER
    session.commit()
    auth.sign_in(reviewer)
    assert "Email digests" not in client.get("/account").get_data(as_text=True)
    assert client.post("/account/alerts", data={"critical_failures": "y"}).status_code == 403
    assert session.get(AlertPreference, reviewer.id) is None


def test_two_runs_at_once_write_each_digest_once(
    app: Flask, session: Session, alerts: Alerts, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A second run that found the same digests due (before the first committed) writes nothing."""
    alerts.contact(alerts.schools[0], Channel.PHONE, FAILED, approved_at=at(TUE, 15))
    session.commit()
    found = critical_digests(session, at(WED, 8))  # what the second run found, before the first ran
    assert send_alerts_task(at(WED, 8).isoformat()).startswith("wrote 2 critical-failure digests")
    monkeypatch.setattr("app.alerts.critical_digests", lambda *args, **kwargs: found)
    assert (
        send_alerts_task(at(WED, 8).isoformat()) == "wrote 0 critical-failure digests and 0 fieldwork digests"
    )
    assert (
        len(
            session.scalars(
                select(AlertDelivery).where(AlertDelivery.kind == AlertKind.CRITICAL_FAILURES)
            ).all()
        )
        == 2
    )
    assert len(session.scalars(select(OutboxEmail).where(OutboxEmail.topic == CRITICAL_TOPIC)).all()) == 2
