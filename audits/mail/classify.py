"""Reading a message fetched from a persona mailbox: what it is, what it says, what it carries.

A message is a school's **personal reply**, an **auto-reply** (out of office, vacation, any
message a machine sent: ``Auto-Submitted`` other than ``no``, ``X-Autoreply``, ``Precedence``
``auto_reply``/``bulk``/``junk``, an out-of-office subject) or a **bounce** (a
``multipart/report`` delivery-status notice, or a notice from ``MAILER-DAEMON`` /
``postmaster``), whose failed recipients are read from the report. Auto-replies and bounces are
kept but never count as a reply.

Nothing here trusts the message: an HTML-only mail becomes plain text (scripts, styles and
tags dropped), a message over ``MAX_MESSAGE_BYTES`` is refused unread, and every attachment is
checked from its content like any uploaded evidence (``audits.fieldwork.evidence.sniff``):
one whose content is refused, or is not what its name or type claims, is dropped and noted.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Hashable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.policy import EmailPolicy
from email.utils import getaddresses, parsedate_to_datetime
from enum import StrEnum
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import PurePath
from typing import Any

from audits.errors import ValidationError
from audits.fieldwork.evidence import EMAIL_ERRORS, sniff
from audits.models import EvidenceKind

# Larger messages are refused before they are read (and noted on the mailbox).
MAX_MESSAGE_BYTES = 25 * 1024 * 1024
# Headers that say a machine sent the message.
AUTO_PRECEDENCE = frozenset({"auto_reply", "bulk", "junk"})
AUTO_HEADERS = ("X-Autoreply", "X-Autorespond", "X-Autoresponder", "X-Auto-Response")
AUTO_SUBJECT = re.compile(
    r"^\s*(?:\[?auto(?:matic)?[ -]?(?:reply|response|antwort)\]?"
    r"|out of (?:the )?office|away from (?:the )?office|on vacation|vacation reply"
    r"|respuesta autom[aá]tica|fuera de la oficina|r[ée]ponse automatique"
    r"|absence du bureau)",
    re.IGNORECASE,
)
BOUNCE_SENDERS = re.compile(r"^(?:mailer-daemon|postmaster)@", re.IGNORECASE)
BOUNCE_SUBJECT = re.compile(
    r"undeliver|delivery (?:status notification|has failed|failure)|returned mail|failure notice"
    r"|mail delivery failed|could not be delivered",
    re.IGNORECASE,
)
# "Re: Re: AW: Fwd: question" -> "question"
REPLY_PREFIX = re.compile(
    r"^\s*(?:(?:re|aw|sv|vs|antw|rif|r|fwd?|tr|wg)\s*(?:\[\d+\])?\s*[:\uff1a]\s*)+", re.I
)
MESSAGE_ID = re.compile(r"<[^<>\s]+>")
# Which evidence kind a file's name or declared type promises.
NAME_KINDS = {
    ".jpg": EvidenceKind.IMAGE,
    ".jpeg": EvidenceKind.IMAGE,
    ".png": EvidenceKind.IMAGE,
    ".webp": EvidenceKind.IMAGE,
    ".mp3": EvidenceKind.AUDIO,
    ".m4a": EvidenceKind.AUDIO,
    ".wav": EvidenceKind.AUDIO,
    ".ogg": EvidenceKind.AUDIO,
    ".eml": EvidenceKind.EMAIL,
    ".txt": EvidenceKind.TEXT,
}
TYPE_KINDS = {"image": EvidenceKind.IMAGE, "audio": EvidenceKind.AUDIO, "message": EvidenceKind.EMAIL}
# Angle brackets of quoted markup become look-alike quotation marks: read the same, never a tag.
ANGLES = str.maketrans({"<": "\u2039", ">": "\u203a"})
TRACE_HEADERS = frozenset({"received", "delivered-to", "return-path", "x-original-to", "dkim-signature"})


class _ReadPolicy(EmailPolicy):
    """``policy.default`` that parses each distinct header once.

    ``EmailMessage.get`` parses a header anew on every call (``Content-Type`` alone is read a
    dozen times per message by ``get_body`` and ``walk``), and a mailbox repeats most headers
    (``To``, ``Content-Type``, a newsletter's ``From``). A parsed header is immutable, so the same
    name and value give back the same object.
    """

    def header_fetch_parse(self, name: str, value: str) -> Any:
        """The parsed header, from the cache when this name and value were parsed before."""
        if hasattr(value, "name") or not isinstance(value, Hashable):
            return super().header_fetch_parse(name, value)
        return _parsed_header(name, value)


@lru_cache(maxsize=4096)
def _parsed_header(name: str, value: str) -> Any:
    return policy.default.header_fetch_parse(name, value)


READ_POLICY = _ReadPolicy()


class MessageKind(StrEnum):
    """What a fetched message is."""

    PERSONAL = "personal"
    AUTO_REPLY = "auto_reply"
    BOUNCE = "bounce"

    @property
    def label(self) -> str:
        """The kind as an auditor reads it."""
        return {
            MessageKind.PERSONAL: "Reply",
            MessageKind.AUTO_REPLY: "Automatic reply (not counted)",
            MessageKind.BOUNCE: "Bounce: the school's address refused the email",
        }[self]


@dataclass(frozen=True)
class Attachment:
    """An attachment that passed the evidence checks."""

    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class ReadMessage:
    """What a fetched message is and says, ready to match and store."""

    kind: MessageKind
    message_id: str
    in_reply_to: tuple[str, ...]
    references: tuple[str, ...]
    sender: str
    sender_name: str
    recipients: tuple[str, ...]
    subject: str
    sent_at: datetime | None
    text: str
    size: int
    content_hash: str
    bounced: tuple[str, ...] = ()
    bounced_message_ids: tuple[str, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def thread_ids(self) -> tuple[str, ...]:
        """Every Message-ID this message says it answers (or, for a bounce, returns)."""
        return self.in_reply_to + self.references + self.bounced_message_ids

    @property
    def counts_as_reply(self) -> bool:
        """Only a personal reply is a school's answer."""
        return self.kind is MessageKind.PERSONAL


class TooLargeError(ValidationError):
    """A message over ``MAX_MESSAGE_BYTES``: refused unread."""


def refuse_if_too_large(size: int) -> None:
    """Raise ``TooLargeError`` for a message of ``size`` bytes over the limit."""
    if size > MAX_MESSAGE_BYTES:
        raise TooLargeError(
            "message",
            f"This message is {size / (1024 * 1024):.1f} MB, over the "
            f"{MAX_MESSAGE_BYTES // (1024 * 1024)} MB limit: it was not read. "
            "Open it in the mailbox and attach what matters by hand.",
        )


def message_id_hash(message_id: str) -> str:
    """SHA-256 of a Message-ID as written (``<…>``), the key a processed message is kept under."""
    return hashlib.sha256(message_id.strip().encode("utf-8", "replace")).hexdigest()


def normalise_subject(subject: str) -> str:
    """A subject without reply/forward prefixes and extra spaces, lower-cased, for comparing."""
    return " ".join(REPLY_PREFIX.sub("", subject or "").split()).casefold()


def read_message(data: bytes) -> ReadMessage:
    """Read a raw message (RFC 5322 bytes): its kind, headers, plain text and checked attachments.

    Raises ``TooLargeError`` for a message over the limit. A damaged message gives what can be
    read (empty text, no date) and never raises otherwise.
    """
    refuse_if_too_large(len(data))
    message = BytesParser(policy=READ_POLICY).parsebytes(data)
    notes: list[str] = []
    sender_name, sender = _first_address(message, "From")
    subject = _header(message, "Subject")
    kind, bounced, bounced_ids = _classify(message, sender, subject)
    attachments = _attachments(message, notes) if kind is MessageKind.PERSONAL else ()
    message_id = _header(message, "Message-ID").strip()
    return ReadMessage(
        kind=kind,
        message_id=message_id,
        in_reply_to=_ids(_header(message, "In-Reply-To")),
        references=_ids(_header(message, "References")),
        sender=sender,
        sender_name=sender_name,
        recipients=_recipients(message),
        subject=subject,
        sent_at=_sent_at(message),
        text=_text(message),
        size=len(data),
        content_hash=content_hash(data),
        bounced=bounced,
        bounced_message_ids=bounced_ids,
        attachments=tuple(attachments),
        notes=tuple(notes),
    )


def content_hash(data: bytes) -> str:
    """SHA-256 of a message without its trace headers (``Received``, ``Delivered-To``…).

    The same reply delivered or fetched twice hashes the same; two different messages that
    clash on one Message-ID do not.
    """
    head, separator, body = data.partition(b"\r\n\r\n")
    if not separator:
        head, separator, body = data.partition(b"\n\n")
    kept: list[bytes] = []
    skipping = False
    for line in head.splitlines():
        if line[:1] in (b" ", b"\t"):
            if not skipping:
                kept.append(line.strip())
            continue
        name = line.split(b":", 1)[0].strip().lower().decode("ascii", "replace")
        skipping = name in TRACE_HEADERS
        if not skipping:
            kept.append(line.strip())
    digest = hashlib.sha256()
    digest.update(b"\n".join(kept))
    digest.update(b"\n\n")
    digest.update(body.replace(b"\r\n", b"\n"))
    return digest.hexdigest()


def _header(message: Message, name: str) -> str:
    try:
        value = message.get(name, "")
        return str(value) if value is not None else ""
    except EMAIL_ERRORS:
        return ""


def _ids(text: str) -> tuple[str, ...]:
    return tuple(MESSAGE_ID.findall(text or ""))


def _first_address(message: Message, name: str) -> tuple[str, str]:
    pairs = _addresses(message, name)
    return pairs[0] if pairs else ("", "")


def _addresses(message: Message, name: str) -> list[tuple[str, str]]:
    try:
        values = [str(value) for value in message.get_all(name, [])]
    except EMAIL_ERRORS:
        return []
    return [(display, address.strip().lower()) for display, address in getaddresses(values) if "@" in address]


def _recipients(message: Message) -> tuple[str, ...]:
    """Every address the message was delivered to, the envelope's first (plus-address tokens live here)."""
    seen: dict[str, None] = {}
    for name in ("Delivered-To", "X-Original-To", "To", "Cc"):
        for _, address in _addresses(message, name):
            seen.setdefault(address, None)
    return tuple(seen)


def _sent_at(message: Message) -> datetime | None:
    try:
        date = message.get("Date")
        if not date:
            return None
        moment = parsedate_to_datetime(str(date))
    except EMAIL_ERRORS:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _classify(
    message: Message, sender: str, subject: str
) -> tuple[MessageKind, tuple[str, ...], tuple[str, ...]]:
    report = _delivery_report(message)
    from_daemon = bool(BOUNCE_SENDERS.match(sender)) or not sender
    if report is not None or (from_daemon and BOUNCE_SUBJECT.search(subject)):
        failed = _failed_recipients(message, report)
        return MessageKind.BOUNCE, failed, _returned_ids(message)
    auto_submitted = _header(message, "Auto-Submitted").strip().lower()
    precedence = _header(message, "Precedence").strip().lower()
    if (
        (auto_submitted and auto_submitted != "no")
        or any(message.get(name) is not None for name in AUTO_HEADERS)
        or precedence in AUTO_PRECEDENCE
        or AUTO_SUBJECT.search(subject)
    ):
        return MessageKind.AUTO_REPLY, (), ()
    return MessageKind.PERSONAL, (), ()


def _delivery_report(message: Message) -> Message | None:
    """The ``message/delivery-status`` part of a delivery report, if the message is one."""
    if message.get_content_type() != "multipart/report":
        return None
    for part in message.walk():
        if part.get_content_type() == "message/delivery-status":
            return part
    return None


def _failed_recipients(message: Message, report: Message | None) -> tuple[str, ...]:
    """The addresses a bounce says failed: its report's failed recipients, and ``X-Failed-Recipients``."""
    found: dict[str, None] = {}
    if report is not None:
        payload = report.get_payload()
        groups = payload if isinstance(payload, list) else []
        for group in groups:
            if not isinstance(group, Message):
                continue
            action = str(group.get("Action", "failed")).strip().lower()
            recipient = str(group.get("Original-Recipient") or group.get("Final-Recipient") or "")
            address = recipient.split(";", 1)[-1].strip().strip("<>").lower()
            if action == "failed" and "@" in address:
                found.setdefault(address, None)
    for value in message.get_all("X-Failed-Recipients", []) or []:
        for _, address in getaddresses([str(value)]):
            if "@" in address:
                found.setdefault(address.lower(), None)
    return tuple(found)


def _returned_ids(message: Message) -> tuple[str, ...]:
    """Message-IDs of the returned original inside a bounce (its ``message/rfc822`` or headers part)."""
    ids: dict[str, None] = {}
    for part in message.walk():
        content_type = part.get_content_type()
        if content_type == "message/rfc822":
            inner = part.get_payload()
            for original in inner if isinstance(inner, list) else [inner]:
                if isinstance(original, Message):
                    for found in _ids(_header(original, "Message-ID")):
                        ids.setdefault(found, None)
        elif content_type == "text/rfc822-headers":
            try:
                text = part.get_content() if isinstance(part, EmailMessage) else str(part.get_payload())
            except EMAIL_ERRORS:
                continue
            match = re.search(r"^Message-ID:\s*(<[^<>\s]+>)", str(text), re.IGNORECASE | re.MULTILINE)
            if match:
                ids.setdefault(match.group(1), None)
    return tuple(ids)


def _text(message: Message) -> str:
    """The plain-text body; an HTML-only message as sanitised text."""
    if not isinstance(message, EmailMessage):
        return ""
    try:
        body = message.get_body(preferencelist=("plain", "html"))
        if body is None:
            return ""
        content = body.get_content()
    except EMAIL_ERRORS:
        return ""
    if not isinstance(content, str):
        return ""
    if body.get_content_type() == "text/html":
        return html_to_text(content)
    return content.strip()


class _TextOfHtml(HTMLParser):
    """Collects the text a reader sees: no scripts, styles or head, block elements on their own lines."""

    HIDDEN = frozenset({"script", "style", "head", "title", "template", "noscript", "iframe", "object"})
    BLOCKS = frozenset(
        {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "table", "ul", "ol"}
        | {"hr"}
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.HIDDEN:
            self.hidden += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """The text of an HTML mail: tags, scripts and styles removed, one paragraph a line."""
    parser = _TextOfHtml()
    try:
        parser.feed(html)
        parser.close()
    except (AssertionError, ValueError):  # a broken declaration: keep what was read
        pass
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    text = "\n".join(line for line in lines if line)
    return text.translate(ANGLES)


def _attachments(message: Message, notes: list[str]) -> list[Attachment]:
    """Attachments that pass the evidence checks; each one refused is noted by name and reason."""
    kept: list[Attachment] = []
    if not isinstance(message, EmailMessage):
        return kept
    try:
        parts = list(message.iter_attachments())
    except EMAIL_ERRORS:
        return kept
    for part in parts:
        name = PurePath(part.get_filename() or "attachment").name[:255]
        try:
            data = part.get_payload(decode=True)
        except EMAIL_ERRORS:
            data = None
        if not isinstance(data, bytes):
            notes.append(f"Attachment “{name}” was refused: it cannot be read.")
            continue
        try:
            sniffed = sniff(data)
        except ValidationError as error:
            notes.append(f"Attachment “{name}” was refused: {error.reason}")
            continue
        suffix = PurePath(name).suffix.lower()
        promised = NAME_KINDS.get(suffix) or TYPE_KINDS.get(part.get_content_maintype())
        if promised is not None and promised is not sniffed.kind:
            notes.append(
                f"Attachment “{name}” was refused: its name or type says {promised.value} but it is "
                f"{sniffed.kind.value}."
            )
            continue
        kept.append(Attachment(filename=name, content_type=sniffed.content_type, data=data))
    return kept


def evidence_copy(data: bytes, read: ReadMessage) -> bytes:
    """The reply as it is kept as evidence: its headers and plain text, as an ``.eml``.

    The raw message stays in the mailbox; what is stored holds no HTML, script or attachment
    (the attachments that passed their checks are stored beside it).
    """
    original = BytesParser(policy=READ_POLICY).parsebytes(data, headersonly=True)
    copy = EmailMessage(policy=policy.SMTP)
    for name in ("From", "To", "Cc", "Date", "Subject", "Message-ID", "In-Reply-To", "References"):
        value = _header(original, name)
        if value:
            try:
                copy[name] = value
            except EMAIL_ERRORS:
                continue
    text = read.text or "(no text)"
    if "<script" in text.lower():  # quoted markup: kept readable, never taken for a web page
        text = text.translate(ANGLES)
    copy.set_content(text)
    return copy.as_bytes()
