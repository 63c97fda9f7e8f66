"""``flask mail poll`` and the beat task: every persona mailbox read, a failing one never stops the rest."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.mailboxes.credentials import vault
from app.mailpoll.service import poll_all, poll_mailboxes_task
from app.tasks import BEAT_SCHEDULE, TASK_MODULES
from audits.models import Contact, PollStatus, ReceivedMessage, ReplyStatus, Role, User
from tests.audits.mail.messages import bounce, reply
from tests.audits.mail.poll_helpers import SCHOOL_EMAIL, SUBJECT, persona_mailbox, send_email_contact
from tests.conftest import AuthActions
from tests.mail_servers import MailAccount, reply_to

NOON = datetime(2027, 2, 3, 17, 0, tzinfo=UTC)


def test_flask_mail_poll_captures_the_reply_and_reports_a_failing_mailbox(
    app: Flask,
    runner: FlaskCliRunner,
    session: Session,
    mail_account: MailAccount,
    tmp_path: Path,
    make_user: Callable[..., User],
) -> None:
    app.config["NOW"] = NOON
    sent = send_email_contact(session, mail_account, tmp_path / "sent")
    keys = vault()  # the server's own key, as the settings page stores passwords
    sent.mailbox.imap_password_encrypted = keys.encrypt(mail_account.password)
    broken = persona_mailbox(
        session, sent.fieldwork, mail_account, address="second@touchpoint.test",
        imap_password_encrypted=keys.encrypt("not the password"),
    )  # fmt: skip
    session.commit()
    delivered = mail_account.sent_to(SCHOOL_EMAIL)[-1].message
    answer = reply_to(delivered, SCHOOL_EMAIL, "Yes, come on Tuesday.", "Wed, 03 Feb 2027 15:00:00 +0000")
    mail_account.deliver(answer)
    result = runner.invoke(args=["mail", "poll"])
    assert result.exit_code == 0, result.output
    assert "mailboxes 2, read 1, replies 1, failed 1" in result.output
    assert "refused the username or password" in result.output
    contact = session.get(Contact, sent.contact.id)
    assert contact is not None and contact.reply_status is ReplyStatus.RECEIVED
    assert contact.response_business_hours is not None
    assert list(Path(app.config["EVIDENCE_DIR"]).iterdir())  # the reply, stored as evidence
    assert broken.last_poll_status is PollStatus.FAILED and broken.next_poll_at is not None
    again = runner.invoke(args=["mail", "poll"])
    assert "read 0, replies 0, failed 0, waiting to retry 1" in again.output
    # The leader sees why on the mailbox's settings page.
    client = app.test_client()
    AuthActions(client).sign_in(make_user(Role.LEADER, sent.fieldwork.district))
    page = client.get(f"/mailboxes/{broken.id}").get_data(as_text=True)
    assert "failed" in page and "refused the username or password" in page and "next try" in page


def test_the_poll_runs_every_five_minutes_in_the_worker(app: Flask) -> None:
    app.config["NOW"] = NOON
    assert poll_mailboxes_task.delay().get() == (
        "mailboxes 0, read 0, replies 0, failed 0, waiting to retry 0, marked no reply 0"
    )
    assert "app.mailpoll.service" in TASK_MODULES
    entry = BEAT_SCHEDULE["poll-mailboxes-every-five-minutes"]
    assert entry["task"] == "touchpoint.poll_mailboxes"
    assert entry["schedule"].minute == set(range(0, 60, 5))


def _poll() -> None:
    """Poll every mailbox at noon, with the server's own vault."""
    assert not [result.error for result in poll_all(NOON).results if result.error]


def test_the_auditor_confirms_a_suggested_reply_and_sees_it_on_the_contact(
    app: Flask,
    client: FlaskClient,
    auth: AuthActions,
    session: Session,
    mail_account: MailAccount,
    tmp_path: Path,
) -> None:
    app.config["NOW"] = NOON
    sent = send_email_contact(session, mail_account, tmp_path / "sent")
    sent.mailbox.imap_password_encrypted = vault().encrypt(mail_account.password)
    session.commit()
    # A reply by sender and subject alone (the school's mail program dropped the threading headers).
    mail_account.deliver(
        reply("Yes, come on Tuesday at 10.", at=datetime(2027, 2, 3, 15, 0, tzinfo=UTC),
              to=mail_account.address, subject=f"Re: {SUBJECT}", sender=SCHOOL_EMAIL)
    )  # fmt: skip
    _poll()
    auth.sign_in(sent.fieldwork.auditor)
    form = client.get(f"/assignments/{sent.fieldwork.email.id}/contact").get_data(as_text=True)
    assert (
        "What came back" in form and "Waiting for your confirmation" in form and "1 reply to confirm" in form
    )
    mine = client.get("/assignments/").get_data(as_text=True)
    assert "1 reply to confirm" in mine
    page = client.get("/mail/suggestions").get_data(as_text=True)
    assert "Yes, come on Tuesday at 10." in page and "Abess Park Elementary" in page
    message = session.scalars(select(ReceivedMessage)).one()
    response = client.post(f"/mail/suggestions/{message.id}/confirm")
    assert response.status_code == 302 and response.location.endswith("/mail/suggestions")
    again = client.post(f"/mail/suggestions/{message.id}/confirm")
    assert again.status_code == 409 and "no longer waiting for a decision" in again.get_data(as_text=True)
    session.expire_all()
    contact = session.get(Contact, sent.contact.id)
    assert contact is not None and contact.reply_status is ReplyStatus.RECEIVED
    form = client.get(f"/assignments/{sent.fieldwork.email.id}/contact").get_data(as_text=True)
    assert "Whether it answered the question is yours to judge in the rubric" in form
    assert "Yes, come on Tuesday at 10." in form  # the reply's text, filled in


def test_a_bounce_shows_the_schools_address_as_failing(
    app: Flask,
    client: FlaskClient,
    auth: AuthActions,
    session: Session,
    mail_account: MailAccount,
    tmp_path: Path,
    make_user: Callable[..., User],
) -> None:
    app.config["NOW"] = NOON
    sent = send_email_contact(session, mail_account, tmp_path / "sent")
    sent.mailbox.imap_password_encrypted = vault().encrypt(mail_account.password)
    session.commit()
    mail_account.deliver(bounce(SCHOOL_EMAIL, sent.message_id))
    _poll()
    leader = make_user(Role.LEADER, sent.fieldwork.district)
    auth.sign_in(leader)
    page = client.get(f"/schools/{sent.fieldwork.school.id}").get_data(as_text=True)
    assert 'id="email-failing"' in page and f"Email to {SCHOOL_EMAIL} bounced" in page
