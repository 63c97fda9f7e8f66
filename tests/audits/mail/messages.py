"""Messages as schools' mail servers write them: replies, auto-replies, bounces."""

from __future__ import annotations

import hashlib
import io
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from PIL import Image

SCHOOL = "office@lincoln.example"
PERSONA = "pat.parent@persona.example"


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 120, 10)).save(out, format="PNG")
    return out.getvalue()


def reply(
    text: str = "Hello, the form is attached. Front office.",
    *,
    subject: str = "Re: Enrolling my daughter",
    sender: str = f"Front Office <{SCHOOL}>",
    to: str = PERSONA,
    at: datetime | None = None,
    in_reply_to: str | None = None,
    references: str | None = None,
    html: str | None = None,
    headers: dict[str, str] | None = None,
    message_id: str | None = None,
) -> EmailMessage:
    """A reply from the school; ``html`` alone makes an HTML-only message."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = message_id or make_msgid(domain="lincoln.example")
    if at is not None:
        message["Date"] = format_datetime(at)
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
    if references:
        message["References"] = references
    for name, value in (headers or {}).items():
        message[name] = value
    if html is not None:
        message.set_content(html, subtype="html")
    else:
        message.set_content(text)
    return message


def bounce(failed: str, original_id: str, *, subject: str = "Enrolling my daughter") -> bytes:
    """A delivery-status notification as Postfix writes it, returning the original's headers."""
    return (
        "From: MAILER-DAEMON@mx.lincoln.example (Mail Delivery System)\r\n"
        f"To: {PERSONA}\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        "Date: Mon, 08 Feb 2027 09:00:05 -0500\r\n"
        f"Message-ID: <bounce-{hashlib.sha1(original_id.encode()).hexdigest()[:12]}@mx.lincoln.example>\r\n"
        "Auto-Submitted: auto-replied\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B1"\r\n\r\n'
        "--B1\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
        "I'm sorry to have to inform you that your message could not be delivered.\r\n\r\n"
        "--B1\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.lincoln.example\r\n\r\n"
        f"Final-Recipient: rfc822; {failed}\r\nOriginal-Recipient: rfc822;{failed}\r\n"
        "Action: failed\r\nStatus: 5.1.1\r\nDiagnostic-Code: smtp; 550 5.1.1 user unknown\r\n\r\n"
        "--B1\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"From: {PERSONA}\r\nTo: {failed}\r\nSubject: {subject}\r\nMessage-ID: {original_id}\r\n\r\n"
        "--B1--\r\n"
    ).encode()
