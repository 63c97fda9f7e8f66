"""Outgoing email: Flask-Mailman bound to the app, and one function that sends a message.

``MAIL_BACKEND`` comes from ``config.py``: ``smtp`` when ``MAIL_SERVER`` is set,
``console`` (messages written to standard output) when it is not, and always
``locmem`` (an in-memory outbox) under test.
"""

from __future__ import annotations

from flask import Flask
from flask_mailman import EmailMultiAlternatives

from app.extensions import mail

# The only backend tests may use: it keeps messages in ``app.extensions["mailman"].outbox``.
TEST_BACKEND = "locmem"


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


def send_message(to: str, subject: str, body_text: str, body_html: str | None = None) -> None:
    """Send one email to ``to``: plain text, with an HTML alternative when given. Errors propagate."""
    message = EmailMultiAlternatives(subject=subject, body=body_text, to=[to])
    if body_html is not None:
        message.attach_alternative(body_html, "text/html")
    message.send()
