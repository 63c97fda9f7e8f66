"""Evidence uploads: type checked from the content, metadata stripped, stored under random names.

Accepted: photos (JPEG, PNG, WebP), audio (MP3, M4A, WAV, OGG), emails (``.eml``)
and plain text. Anything else, HTML above all, is refused whatever its name says.
Photos are decoded whole (a cut-off one is refused) and only up to ``MAX_IMAGE_PIXELS``:
a few hundred bytes can declare a picture that takes gigabytes to decode.
Files live outside the web root in a folder the caller names; a random token
identifies each one in URLs.
"""

from __future__ import annotations

import io
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import parsedate_to_datetime
from pathlib import Path

import filetype
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError
from sqlalchemy.orm import Session

from audits.errors import ConflictError, NotAllowedError, ValidationError
from audits.fieldwork.drafts import form_values, format_local, save_draft
from audits.fieldwork.workflow import EDITABLE_BY_AUDITOR
from audits.models import Channel, Contact, Evidence, EvidenceKind, User
from audits.storage import write_file

IMAGE_TYPES = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}
AUDIO_TYPES = {"audio/mpeg", "audio/mp4", "audio/x-m4a", "audio/x-wav", "audio/wav", "audio/ogg", "video/mp4"}
HTML_MARKERS = (
    b"<!doctype",
    b"<!--",
    b"<html",
    b"<head",
    b"<body",
    b"<script",
    b"<svg",
    b"<iframe",
    b"<?xml",
)
BOM = b"\xef\xbb\xbf"
WHAT_TO_ATTACH = (
    "Attach a photo (JPEG or PNG), an email (.eml), a recording (MP3, WAV) or a text file (.txt)."
)
# What a refused file is, in the words of the person who picked it.
FILE_NAMES = {
    "application/pdf": "a PDF",
    "application/zip": "a ZIP archive",
    "application/gzip": "a compressed (gzip) file",
    "application/x-7z-compressed": "a compressed (7-Zip) file",
    "application/x-rar-compressed": "a compressed (RAR) file",
    "application/x-msdownload": "a Windows program",
    "application/msword": "a Word document",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "a Word document",
    "application/vnd.ms-excel": "an Excel workbook",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "an Excel workbook",
    "image/heic": "an iPhone photo in HEIC format (set the camera to “Most compatible”, or share it as JPEG)",
    "image/gif": "a GIF image",
    "video/quicktime": "a video",
}
MAX_LABEL = 100
# The largest photo decoded: 50 megapixels holds every phone camera's photo (48 MP at most).
MAX_IMAGE_PIXELS = 50_000_000
# What a damaged email can throw while it is read (the parser is lenient, the decoders are not).
EMAIL_ERRORS = (LookupError, ValueError, TypeError, OverflowError, IndexError, AttributeError)
_decoding = threading.Lock()


@dataclass(frozen=True)
class Sniffed:
    """What an upload really is."""

    kind: EvidenceKind
    content_type: str


def sniff(data: bytes) -> Sniffed:
    """Tell an upload's type from its bytes, or raise ``ValidationError`` on ``file`` saying why."""
    if not data:
        raise ValidationError(
            "file", "This file is empty. Choose the file again once it has finished saving."
        )
    guess = filetype.guess(data[:8192])
    if guess is not None:
        if guess.mime in IMAGE_TYPES:
            return Sniffed(EvidenceKind.IMAGE, guess.mime)
        if guess.mime in AUDIO_TYPES:
            mime = "audio/mp4" if guess.mime in {"video/mp4", "audio/x-m4a"} else guess.mime
            return Sniffed(EvidenceKind.AUDIO, mime)
        what = FILE_NAMES.get(
            guess.mime, f"a {guess.extension.upper()} file" if guess.extension else "a file"
        )
        raise ValidationError("file", f"This is {what}. {WHAT_TO_ATTACH}")
    head = data[:4096].lstrip().removeprefix(BOM).lstrip().lower()
    if b"\x00" in data[:4096]:
        raise ValidationError("file", f"This is not a photo, recording, email or text file. {WHAT_TO_ATTACH}")
    if head.startswith(HTML_MARKERS) or b"<script" in data.lower():
        raise ValidationError(
            "file", "This is a web page (HTML). Save the email as .eml (or as plain text) and attach that."
        )
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            data.decode("cp1252")
        except UnicodeDecodeError as error:
            raise ValidationError(
                "file", "This text cannot be read. Save it as plain text (UTF-8) and attach it again."
            ) from error
    if _looks_like_email(data):
        return Sniffed(EvidenceKind.EMAIL, "message/rfc822")
    return Sniffed(EvidenceKind.TEXT, "text/plain")


def _looks_like_email(data: bytes) -> bool:
    """Whether ``data`` starts with an email's headers: a sender, and a date or a subject."""
    try:
        message = BytesParser(policy=policy.default).parsebytes(data, headersonly=True)
        return bool(message.get("From") and (message.get("Date") or message.get("Subject")))
    except EMAIL_ERRORS:
        return False


@contextmanager
def _whole_images_only() -> Iterator[None]:
    """Decode with Pillow's own strictness: a cut-off image is an error, not a picture padded with grey.

    WeasyPrint switches ``ImageFile.LOAD_TRUNCATED_IMAGES`` on for the whole process when it is
    imported. The scorecards draw no raster image, so turning it off while an upload is decoded
    (one at a time) changes nothing for them.
    """
    with _decoding:
        previous = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            yield
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = previous


def _too_many_pixels(width: int, height: int) -> ValidationError:
    limit = MAX_IMAGE_PIXELS // 1_000_000
    return ValidationError(
        "file",
        f"This photo is {width:,} × {height:,} pixels. Attach a photo of up to {limit} megapixels "
        "(any phone camera's photo is).",
    )


def strip_image_metadata(data: bytes, content_type: str) -> bytes:
    """Re-encode an image from its pixels alone: no EXIF (GPS, camera, time), no text chunks, upright.

    Only the header is read before the size is checked, so a decompression bomb (a small file
    declaring a huge picture) is refused before any pixel is decoded.
    """
    try:
        with _whole_images_only(), Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS:
                raise _too_many_pixels(width, height)
            upright = ImageOps.exif_transpose(image)
            mode = "RGB" if content_type == "image/jpeg" else "RGBA"
            pixels = upright.convert(mode)
            clean = Image.frombytes(mode, pixels.size, pixels.tobytes())
            out = io.BytesIO()
            options = {"quality": 90} if content_type == "image/jpeg" else {}
            clean.save(out, format=IMAGE_TYPES[content_type], **options)
            return out.getvalue()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        # Pillow's own guard (past ``Image.MAX_IMAGE_PIXELS``) fires while opening, before our check.
        limit = MAX_IMAGE_PIXELS // 1_000_000
        raise ValidationError(
            "file", f"This photo has too many pixels. Attach a photo of up to {limit} megapixels."
        ) from error
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as error:
        raise ValidationError(
            "file", "This photo cannot be read: it may be damaged or too large. Take or export it again."
        ) from error


def store_evidence(
    session: Session,
    contact: Contact,
    data: bytes,
    filename: str,
    label: str,
    user: User,
    folder: Path,
    max_bytes: int,
    *,
    flush: bool = True,
) -> Evidence:
    """Check, clean and store an upload for ``contact``; the caller commits.

    With ``flush=False`` the row is only added (no id yet): for a caller storing many at once.
    """
    if len(data) > max_bytes:
        raise ValidationError(
            "file",
            f"This file is larger than the {max_bytes // (1024 * 1024)} MB limit. Attach a shorter "
            "recording or a smaller photo.",
        )
    sniffed = sniff(data)
    if sniffed.kind is EvidenceKind.IMAGE:
        data = strip_image_metadata(data, sniffed.content_type)
    storage_name = secrets.token_hex(16)
    write_file(folder / storage_name, data)  # a full disk: StorageFullError on "file", nothing stored
    evidence = Evidence(
        token=secrets.token_urlsafe(24),
        contact_id=contact.id,
        kind=sniffed.kind,
        label=label.strip()[:MAX_LABEL],
        original_name=Path(filename or "upload").name[:255],
        content_type=sniffed.content_type,
        size=len(data),
        storage_name=storage_name,
        uploaded_by_id=user.id,
    )
    contact.evidence.append(evidence)
    if flush:
        session.flush()
    return evidence


def attach_evidence(
    session: Session,
    contact: Contact,
    data: bytes,
    filename: str,
    label: str,
    user: User,
    folder: Path,
    max_bytes: int,
) -> Evidence:
    """The auditor attaches a file to a contact they can still change; the caller commits.

    An email (``.eml``) attached to an email contact also fills the draft's reply
    time and text from the message's ``Date`` header and plain-text body.
    """
    _check_editable(contact, user)
    evidence = store_evidence(session, contact, data, filename, label, user, folder, max_bytes)
    if evidence.kind is EvidenceKind.EMAIL and contact.assignment.channel is Channel.EMAIL:
        facts = read_eml(data)
        timezone = contact.assignment.round.district.timezone
        values = form_values(contact, timezone)
        if facts.sent_at is not None:
            values["reply_at"] = format_local(facts.sent_at, timezone)
        if facts.text:
            values["reply_text"] = facts.text
        save_draft(contact, values, user)
        session.flush()
    return evidence


def remove_evidence(session: Session, evidence: Evidence, user: User, folder: Path) -> None:
    """The auditor removes a file from a contact they can still change."""
    contact = evidence.contact
    _check_editable(contact, user)
    if evidence.sent_by_touchpoint:
        raise ConflictError("file", "the email Touchpoint sent stays with the contact as evidence")
    delete_evidence(session, evidence, folder)
    session.expire(contact, ["evidence"])


def _check_editable(contact: Contact, user: User) -> None:
    if contact.auditor_id != user.id:
        raise NotAllowedError("contact", "only the contact's auditor changes its evidence")
    if contact.status not in EDITABLE_BY_AUDITOR:
        raise ConflictError(
            "status", f"the contact is {contact.status.value}; its evidence cannot change now"
        )


def evidence_path(evidence: Evidence, folder: Path) -> Path:
    """Where an evidence file is stored."""
    return folder / evidence.storage_name


def delete_evidence(session: Session, evidence: Evidence, folder: Path) -> None:
    """Remove an evidence file and its record."""
    evidence_path(evidence, folder).unlink(missing_ok=True)
    session.delete(evidence)
    session.flush()


@dataclass(frozen=True)
class EmailFacts:
    """What an ``.eml`` file tells about a message."""

    sent_at: datetime | None
    subject: str
    sender: str
    text: str


def read_eml(data: bytes) -> EmailFacts:
    """Read the date, subject, sender and plain-text body of an ``.eml`` message.

    A damaged message gives what can be read: an unreadable date is ``None``, an undecodable
    body or header is empty (an unknown charset, broken base64, a date past the year 9999).
    """
    message = BytesParser(policy=policy.default).parsebytes(data)
    return EmailFacts(
        sent_at=_sent_at(message),
        subject=_header(message, "Subject"),
        sender=_header(message, "From"),
        text=_plain_text(message),
    )


def _sent_at(message: EmailMessage) -> datetime | None:
    try:
        sent_at = parsedate_to_datetime(str(message["Date"])) if message.get("Date") else None
        if sent_at is None:
            return None
        if sent_at.tzinfo is None:
            sent_at = sent_at.replace(tzinfo=UTC)
        return sent_at.astimezone(UTC)
    except EMAIL_ERRORS:
        return None


def _header(message: EmailMessage, name: str) -> str:
    try:
        return str(message.get(name, ""))
    except EMAIL_ERRORS:
        return ""


def _plain_text(message: EmailMessage) -> str:
    try:
        body = message.get_body(preferencelist=("plain",))
        text = body.get_content() if body is not None else ""
    except EMAIL_ERRORS:
        return ""
    return text.strip() if isinstance(text, str) else ""
