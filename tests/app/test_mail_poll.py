"""``flask mail poll`` and the beat task: every persona mailbox read, a failing one never stops the rest."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy.orm import Session

from app.mailboxes.credentials import vault
from app.tasks import BEAT_SCHEDULE, TASK_MODULES
from audits.models import Contact, PollStatus, ReplyStatus
from tests.audits.mail.poll_helpers import SCHOOL_EMAIL, persona_mailbox, send_email_contact
from tests.mail_servers import MailAccount, reply_to

NOON = datetime(2027, 2, 3, 17, 0, tzinfo=UTC)


def test_flask_mail_poll_captures_the_reply_and_reports_a_failing_mailbox(
    app: Flask, runner: FlaskCliRunner, session: Session, mail_account: MailAccount, tmp_path: Path
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


def test_the_poll_runs_every_five_minutes_in_the_worker() -> None:
    assert "app.mailpoll.service" in TASK_MODULES
    entry = BEAT_SCHEDULE["poll-mailboxes-every-five-minutes"]
    assert entry["task"] == "touchpoint.poll_mailboxes"
    assert entry["schedule"].minute == set(range(0, 60, 5))
