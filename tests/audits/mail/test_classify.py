"""Reading fetched mail: personal replies, auto-replies and bounces told apart; nothing trusted."""

from __future__ import annotations

from datetime import UTC, datetime
from email import policy
from email.parser import BytesParser

import pytest

from audits.fieldwork.evidence import sniff
from audits.mail.classify import (
    MAX_MESSAGE_BYTES,
    MessageKind,
    TooLargeError,
    content_hash,
    evidence_copy,
    normalise_subject,
    read_message,
)
from audits.models import EvidenceKind
from tests.audits.mail.messages import SCHOOL, bounce, png_bytes, reply

AT = datetime(2027, 2, 8, 15, 30, tzinfo=UTC)


def test_a_personal_reply_is_read_with_its_threading_headers_and_time() -> None:
    message = reply(
        at=AT, in_reply_to="<sent-1@persona.example>", references="<a@x> <sent-1@persona.example>"
    )
    read = read_message(message.as_bytes())
    assert read.kind is MessageKind.PERSONAL and read.counts_as_reply
    assert read.sender == SCHOOL and read.sender_name == "Front Office"
    assert read.sent_at == AT
    assert read.in_reply_to == ("<sent-1@persona.example>",)
    assert read.thread_ids == ("<sent-1@persona.example>", "<a@x>", "<sent-1@persona.example>")
    assert read.text == "Hello, the form is attached. Front office."


@pytest.mark.parametrize(
    ("headers", "subject"),
    [
        ({"Auto-Submitted": "auto-replied"}, "Re: Enrolling my daughter"),
        ({"X-Autoreply": "yes"}, "Re: Enrolling my daughter"),
        ({"Precedence": "auto_reply"}, "Re: Enrolling my daughter"),
        ({"Precedence": "bulk"}, "Re: Enrolling my daughter"),
        ({}, "Out of Office: Enrolling my daughter"),
        ({}, "Automatic reply: Enrolling my daughter"),
        ({}, "Respuesta automática: Enrolling my daughter"),
    ],
)
def test_auto_replies_are_recognised_and_never_count(headers: dict[str, str], subject: str) -> None:
    read = read_message(reply("I am away until Monday.", subject=subject, headers=headers).as_bytes())
    assert read.kind is MessageKind.AUTO_REPLY
    assert not read.counts_as_reply


def test_auto_submitted_no_is_a_person_writing() -> None:
    read = read_message(reply(headers={"Auto-Submitted": "no"}).as_bytes())
    assert read.kind is MessageKind.PERSONAL


def test_a_bounce_names_the_failed_address_and_the_returned_message() -> None:
    read = read_message(bounce("Office@Lincoln.example", "<sent-9@persona.example>"))
    assert read.kind is MessageKind.BOUNCE and not read.counts_as_reply
    assert read.bounced == ("office@lincoln.example",)
    assert read.bounced_message_ids == ("<sent-9@persona.example>",)
    assert "<sent-9@persona.example>" in read.thread_ids


def test_a_mailer_daemon_notice_without_a_report_is_a_bounce_too() -> None:
    message = reply(
        "Delivery to the following recipient failed permanently: office@lincoln.example",
        subject="Delivery Status Notification (Failure)",
        sender="Mail Delivery Subsystem <mailer-daemon@googlemail.com>",
        headers={"X-Failed-Recipients": "office@lincoln.example"},
    )
    read = read_message(message.as_bytes())
    assert read.kind is MessageKind.BOUNCE
    assert read.bounced == ("office@lincoln.example",)


def test_html_only_mail_becomes_sanitised_text() -> None:
    html = (
        "<html><head><style>p{color:red}</style><script>alert('x')</script></head>"
        "<body><p>Hello,</p><p>Office hours are <b>8&ndash;4</b>.</p><img src=x onerror=alert(1)>"
        "<p>&lt;script&gt;quoted&lt;/script&gt;</p></body></html>"
    )
    read = read_message(reply(html=html).as_bytes())
    assert read.text == "Hello,\nOffice hours are 8–4.\n\u2039script\u203aquoted\u2039/script\u203a"
    stored = evidence_copy(reply(html=html).as_bytes(), read)
    assert sniff(stored).kind is EvidenceKind.EMAIL  # accepted as evidence: no markup left
    assert b"alert" not in stored


def test_the_evidence_copy_keeps_headers_and_text_but_no_attachment() -> None:
    message = reply(at=AT, in_reply_to="<sent-1@persona.example>")
    message.add_attachment(png_bytes(), maintype="image", subtype="png", filename="form.png")
    data = message.as_bytes()
    copy = BytesParser(policy=policy.default).parsebytes(evidence_copy(data, read_message(data)))
    assert copy["In-Reply-To"] == "<sent-1@persona.example>"
    assert copy["From"] == f"Front Office <{SCHOOL}>"
    assert not list(copy.iter_attachments())
    body = copy.get_body()
    assert body is not None and body.get_content().strip() == "Hello, the form is attached. Front office."


def test_a_real_attachment_is_kept_and_a_disguised_one_refused_and_noted() -> None:
    message = reply()
    message.add_attachment(png_bytes(), maintype="image", subtype="png", filename="form.png")
    message.add_attachment(
        b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64, maintype="image", subtype="jpeg", filename="photo.jpg"
    )
    message.add_attachment(
        b"<html><script>steal()</script></html>", maintype="text", subtype="plain", filename="notes.txt"
    )
    message.add_attachment(b"just words", maintype="image", subtype="png", filename="map.png")
    read = read_message(message.as_bytes())
    assert [item.filename for item in read.attachments] == ["form.png"]
    assert read.attachments[0].content_type == "image/png"
    assert len(read.notes) == 3
    assert "photo.jpg" in read.notes[0] and "refused" in read.notes[0]
    assert "notes.txt" in read.notes[1] and "web page" in read.notes[1]
    assert "map.png" in read.notes[2] and "says image but it is text" in read.notes[2]


def test_a_message_over_the_limit_is_refused_unread() -> None:
    big = reply("x" * 10).as_bytes() + b"y" * (MAX_MESSAGE_BYTES + 1)
    with pytest.raises(TooLargeError) as caught:
        read_message(big)
    assert caught.value.field == "message" and "25 MB" in caught.value.reason


def test_a_malformed_message_gives_what_can_be_read() -> None:
    data = (
        b"From: =?bogus-charset?Q?broken?= <office@lincoln.example>\r\n"
        b"Subject: Re: Enrolling\r\nDate: not a date\r\nContent-Type: text/plain; charset=nonsense-42\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n@@@not base64@@@\r\n"
    )
    read = read_message(data)
    assert read.kind is MessageKind.PERSONAL
    assert read.sender == "office@lincoln.example"
    assert read.sent_at is None
    assert read.message_id == ""


def test_the_content_hash_ignores_trace_headers_but_not_the_content() -> None:
    data = reply(message_id="<same@lincoln.example>", at=AT).as_bytes()
    delivered_again = b"Received: from mx by imap; Mon, 8 Feb 2027\r\nDelivered-To: x@y\r\n" + data
    assert content_hash(delivered_again) == content_hash(data)
    other = reply("Something else", message_id="<same@lincoln.example>", at=AT).as_bytes()
    assert content_hash(other) != content_hash(data)


def test_subjects_compare_without_reply_prefixes() -> None:
    assert normalise_subject("RE: Re:  AW: Enrolling   my daughter") == "enrolling my daughter"
    assert normalise_subject("Fwd: Enrolling my daughter") == "enrolling my daughter"
    assert normalise_subject("Enrolling my daughter") == "enrolling my daughter"
