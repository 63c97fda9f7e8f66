"""Outgoing email: Flask-Mailman bound to the app, and one function that sends a message.

``MAIL_BACKEND`` comes from ``config.py``: ``smtp`` when ``MAIL_SERVER`` is set,
``console`` (messages written to standard output) when it is not, and always
``locmem`` (an in-memory outbox) under test.
"""

from __future__ import annotations

import re
import textwrap
from email.utils import make_msgid
from urllib.parse import urlsplit

from flask import Flask, current_app
from flask_mailman import EmailMultiAlternatives

from app.extensions import mail

# The only backend tests may use: it keeps messages in ``app.extensions["mailman"].outbox``.
TEST_BACKEND = "locmem"
# RFC 5322: lines of plain text should stay within 78 characters.
LINE_WIDTH = 78


def init_mail(app: Flask) -> None:
    """Bind Flask-Mailman to ``app``; refuse any real backend under test; say where mail goes."""
    if app.testing and app.config["MAIL_BACKEND"] != TEST_BACKEND:
        raise RuntimeError(
            f"tests must use the {TEST_BACKEND!r} mail backend, not {app.config['MAIL_BACKEND']!r}"
        )
    mail.init_app(app)
    if app.config["MAIL_BACKEND"] == "console":
        log = app.logger.warning if app.config["TOUCHPOINT_ENV"] == "production" else app.logger.info
        log("MAIL_SERVER is not set: emails are written to the console, not sent")


def plain_text(body: str, width: int = LINE_WIDTH) -> str:
    """``body`` with every line longer than ``width`` wrapped at spaces, keeping its indent (and a
    list item's hanging indent); a word longer than a line (a link) stays whole on its own line."""
    lines: list[str] = []
    for line in body.splitlines():
        if len(line) <= width:
            lines.append(line)
            continue
        indent = re.match(r"\s*(?:[-*•] |\d+\. )?", line)
        lead = indent.group(0) if indent else ""
        lines.extend(
            textwrap.wrap(
                line,
                width=width,
                subsequent_indent=" " * len(lead),
                break_long_words=False,
                break_on_hyphens=False,
            )
        )
    return "\n".join(lines) + ("\n" if body.endswith("\n") else "")


def message_id() -> str:
    """A Message-ID at this installation's host (``PUBLIC_BASE_URL``), never at ``localhost``."""
    host = urlsplit(current_app.config.get("PUBLIC_BASE_URL", "")).hostname or "touchpoint.invalid"
    return make_msgid(domain=host)


def send_message(to: str, subject: str, body_text: str, body_html: str | None = None) -> None:
    """Send one email to ``to``: plain text (lines within 78 characters), with an HTML alternative when
    given, and a Message-ID at the site's host. Errors propagate."""
    message = EmailMultiAlternatives(
        subject=subject, body=plain_text(body_text), to=[to], headers={"Message-ID": message_id()}
    )
    if body_html is not None:
        message.attach_alternative(body_html, "text/html")
    message.send()
