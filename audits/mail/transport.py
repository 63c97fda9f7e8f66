"""Connections to a persona mailbox's servers (SMTP with smtplib, IMAP with imap-tools), and their errors.

Every failure a server can cause (a wrong password, nothing listening, a name that does not
resolve, a timeout, a broken TLS handshake, a refused message) becomes a ``MailServerError``
whose reason quotes the server's own words, so that a settings page or an auditor reads what
went wrong; nothing else escapes these functions.
"""

from __future__ import annotations

import imaplib
import smtplib
import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager, suppress

from imap_tools import BaseMailBox, MailBox, MailBoxStartTls, MailBoxUnencrypted
from imap_tools.errors import ImapToolsError, MailboxLoginError

from audits.errors import MailServerError
from audits.models import MailSecurity, PersonaMailbox

DEFAULT_TIMEOUT = 20.0


def _reply_text(reply: bytes | str | None) -> str:
    if isinstance(reply, bytes):
        return reply.decode("utf-8", "replace").strip()
    return (reply or "").strip()


def describe(error: BaseException, server: str, host: str, port: int) -> str:
    """What went wrong reaching ``server`` ("SMTP", "IMAP") at ``host:port``, in plain words."""
    where = f"the {server} server {host}:{port}"
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return f"{where} refused the user name or password: {error.smtp_code} {_reply_text(error.smtp_error)}"
    if isinstance(error, MailboxLoginError):
        detail = _reply_text(error.command_result[1][0] if error.command_result[1] else b"")
        return f"{where} refused the user name or password: {detail}"
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        refused = "; ".join(
            f"{address}: {code} {_reply_text(text)}" for address, (code, text) in error.recipients.items()
        )
        return f"{where} refused the recipient ({refused})"
    if isinstance(error, smtplib.SMTPSenderRefused | smtplib.SMTPDataError):
        return f"{where} refused the message: {error.smtp_code} {_reply_text(error.smtp_error)}"
    if isinstance(error, smtplib.SMTPNotSupportedError):
        return f"{where} does not offer this: {error}. Check the security setting."
    if isinstance(error, smtplib.SMTPResponseException):
        return f"{where} answered {error.smtp_code} {_reply_text(error.smtp_error)}"
    if isinstance(error, socket.gaierror):
        return f"the {server} server name {host!r} cannot be found ({error.strerror})"
    if isinstance(error, ConnectionRefusedError):
        return f"nothing answers at {host}:{port} (connection refused): check the {server} host and port"
    if isinstance(error, TimeoutError | socket.timeout):
        return f"{where} did not answer in time"
    if isinstance(error, ssl.SSLError):
        return (
            f"the secure connection to {where} failed ({error.reason or error}): check the security setting"
        )
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return f"{where} closed the connection ({error or 'no reason given'}): check the security setting"
    if isinstance(error, ImapToolsError | imaplib.IMAP4.error):
        return f"{where} answered: {error}"
    if isinstance(error, OSError):
        return f"{where} cannot be reached ({error.strerror or error})"
    return f"{where} failed: {error}"


SERVER_ERRORS = (smtplib.SMTPException, ImapToolsError, imaplib.IMAP4.error, OSError, ssl.SSLError)


@contextmanager
def smtp_session(
    mailbox: PersonaMailbox, password: str, timeout: float = DEFAULT_TIMEOUT
) -> Iterator[smtplib.SMTP]:
    """A logged-in SMTP connection to ``mailbox``'s server; any failure is a ``MailServerError``."""
    host, port = mailbox.smtp_host, mailbox.smtp_port
    try:
        client: smtplib.SMTP
        if mailbox.smtp_security is MailSecurity.SSL:
            client = smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
        else:
            client = smtplib.SMTP(host, port, timeout=timeout)
        with client:
            if mailbox.smtp_security is MailSecurity.STARTTLS:
                client.starttls(context=ssl.create_default_context())
            if mailbox.smtp_username:
                client.login(mailbox.smtp_username, password)
            yield client
    except SERVER_ERRORS as error:
        raise MailServerError("smtp", describe(error, "SMTP", host, port)) from error


def send_message(
    mailbox: PersonaMailbox, password: str, recipients: list[str], data: bytes, timeout: float
) -> None:
    """Hand the message ``data`` (its exact bytes) for ``recipients`` to ``mailbox``'s SMTP server.

    A refusal, or a server that cannot be reached, is a ``MailServerError`` on ``smtp``.
    """
    host, port = mailbox.smtp_host, mailbox.smtp_port
    with smtp_session(mailbox, password, timeout) as client:
        try:
            client.sendmail(mailbox.address, recipients, data)
        except SERVER_ERRORS as error:
            raise MailServerError("smtp", describe(error, "SMTP", host, port)) from error


@contextmanager
def imap_session(
    mailbox: PersonaMailbox, password: str, timeout: float = DEFAULT_TIMEOUT
) -> Iterator[BaseMailBox]:
    """A logged-in imap-tools mailbox on ``mailbox``'s folder; any failure is a ``MailServerError``."""
    host, port = mailbox.imap_host, mailbox.imap_port
    try:
        client: BaseMailBox
        if mailbox.imap_security is MailSecurity.SSL:
            client = MailBox(host, port, timeout=timeout, ssl_context=ssl.create_default_context())
        elif mailbox.imap_security is MailSecurity.STARTTLS:
            client = MailBoxStartTls(host, port, timeout=timeout, ssl_context=ssl.create_default_context())
        else:
            client = MailBoxUnencrypted(host, port, timeout=timeout)
        try:
            client.login(mailbox.imap_username, password, initial_folder=mailbox.imap_folder or "INBOX")
        except BaseException:
            with suppress(*SERVER_ERRORS):
                client.client.shutdown()  # a refused login leaves the connection open: close it
            raise
        with client:
            yield client
    except SERVER_ERRORS as error:
        raise MailServerError("imap", describe(error, "IMAP", host, port)) from error
