"""The local mail servers the mail tests run against are real: Dovecot over IMAP, aiosmtpd over SMTP."""

from __future__ import annotations

import imaplib
import smtplib
from email.message import EmailMessage

import pytest

from tests.mail_servers import MailAccount, reply_to


def _message(sender: str, to: str, subject: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = "<visit-1@touchpoint.test>"
    message.set_content("Could I visit the school next week?")
    return message


def test_smtp_delivers_plus_addressed_mail_into_the_imap_mailbox(mail_account: MailAccount) -> None:
    """A message to local+tag@domain is accepted after AUTH and read back from Dovecot's INBOX."""
    to = mail_account.address.replace("@", "+c42@")
    with smtplib.SMTP(mail_account.host, mail_account.smtp_port, timeout=10) as client:
        client.login(mail_account.address, mail_account.password)
        client.send_message(_message("school@example.org", to, "Plus addressed"))
    (delivered,) = mail_account.inbox()
    assert delivered["Subject"] == "Plus addressed"
    assert delivered["Delivered-To"] == to
    assert [r.recipients for r in mail_account.smtp.received] == [[to]]


def test_mail_for_other_addresses_is_kept_as_received_not_delivered(mail_account: MailAccount) -> None:
    """What the persona sends to a school stays in ``received``; the persona's INBOX stays empty."""
    with smtplib.SMTP(mail_account.host, mail_account.smtp_port, timeout=10) as client:
        client.login(mail_account.address, mail_account.password)
        client.send_message(_message(mail_account.address, "office@school.example", "Question"))
    (sent,) = mail_account.sent_to("office@school.example")
    assert sent.message["Subject"] == "Question"
    assert mail_account.inbox() == []


def test_smtp_refuses_a_wrong_password_and_mail_without_login(mail_account: MailAccount) -> None:
    """AUTH is checked, and a client that skips it cannot send."""
    with (
        smtplib.SMTP(mail_account.host, mail_account.smtp_port, timeout=10) as client,
        pytest.raises(smtplib.SMTPAuthenticationError),
    ):
        client.login(mail_account.address, "wrong")
    with (
        smtplib.SMTP(mail_account.host, mail_account.smtp_port, timeout=10) as client,
        pytest.raises(smtplib.SMTPSenderRefused) as refused,
    ):
        client.send_message(_message(mail_account.address, "office@school.example", "No login"))
    assert refused.value.smtp_code == 530
    assert mail_account.smtp.received == []


def test_imap_refuses_a_wrong_password(mail_account: MailAccount) -> None:
    """Dovecot checks the password."""
    connection = imaplib.IMAP4(mail_account.host, mail_account.imap_port, timeout=10)
    with pytest.raises(imaplib.IMAP4.error, match="AUTHENTICATIONFAILED"):
        connection.login(mail_account.address, "wrong")
    connection.logout()


def test_each_test_has_its_own_mailbox(mail_account: MailAccount, dovecot: object) -> None:
    """A reply dropped in is threaded to the original, and lands in this test's mailbox alone."""
    original = _message(mail_account.address, "office@school.example", "Enrolment")
    mail_account.deliver(reply_to(original, "office@school.example", "Yes, come on Tuesday."))
    (reply,) = mail_account.inbox()
    assert reply["In-Reply-To"] == "<visit-1@touchpoint.test>"
    assert reply["Subject"] == "Re: Enrolment"
    others = [u for u in mail_account.dovecot.users.values() if u != mail_account.user]
    assert all(mail_account.dovecot.messages(u) == [] for u in others[-2:])
