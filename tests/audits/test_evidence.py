"""Evidence: the content decides the type, HTML is refused, photos lose their GPS."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy.orm import Session

from audits.errors import ValidationError
from audits.fieldwork.contacts import start_contact
from audits.fieldwork.evidence import evidence_path, read_eml, sniff, store_evidence, strip_image_metadata
from audits.models import EvidenceKind
from tests.audits.fieldwork_helpers import build_fieldwork

GPS_IFD = 0x8825


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (40, 30), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # camera make
    exif[GPS_IFD] = {1: "N", 2: (30.0, 19.0, 12.0), 3: "W", 4: (81.0, 39.0, 20.0)}
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (10, 10), (0, 0, 255, 128)).save(out, format="PNG")
    return out.getvalue()


EML = (
    b"From: Front Office <office@school.example>\r\n"
    b"To: parent@example.org\r\n"
    b"Subject: Re: Free meals\r\n"
    b"Date: Mon, 08 Feb 2027 09:00:00 -0500\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n\r\n"
    b"Hello, the application form is attached.\r\n"
)


def test_a_jpg_named_file_with_html_content_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        sniff(b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>")
    assert caught.value.problems[0][0] == "file"
    assert "HTML" in caught.value.reason
    with pytest.raises(ValidationError):
        sniff(b"hello <script>steal()</script>")


def test_types_come_from_the_content() -> None:
    assert sniff(jpeg_with_gps()).kind is EvidenceKind.IMAGE
    assert sniff(png_bytes()).content_type == "image/png"
    assert sniff(EML).kind is EvidenceKind.EMAIL
    assert sniff(b"Notes: the office was closed at 8:10.").kind is EvidenceKind.TEXT
    assert sniff(b"ID3\x03\x00\x00\x00\x00\x00\x00" + b"\x00" * 100).kind is EvidenceKind.AUDIO
    for bad in (b"", b"%PDF-1.7\n...", b"PK\x03\x04" + b"\x00" * 40, b"\x00\x01\x02binary"):
        with pytest.raises(ValidationError):
            sniff(bad)


def test_gps_and_camera_data_are_stripped() -> None:
    original = jpeg_with_gps()
    with Image.open(io.BytesIO(original)) as image:
        assert GPS_IFD in image.getexif()
    clean = strip_image_metadata(original, "image/jpeg")
    with Image.open(io.BytesIO(clean)) as image:
        exif = image.getexif()
        assert GPS_IFD not in exif
        assert 0x010F not in exif
        assert image.size == (40, 30)


def test_store_keeps_the_file_under_a_random_name(session: Session, tmp_path: Path) -> None:
    world = build_fieldwork(session)
    contact = start_contact(session, world.visit, world.auditor)
    evidence = store_evidence(
        session,
        contact,
        jpeg_with_gps(),
        "../../etc/entrance.jpg",
        "entrance",
        world.auditor,
        tmp_path,
        10_000_000,
    )
    stored = evidence_path(evidence, tmp_path)
    assert stored.parent == tmp_path
    assert "entrance" not in stored.name
    assert evidence.original_name == "entrance.jpg"
    assert len(evidence.token) >= 32
    with Image.open(stored) as image:
        assert GPS_IFD not in image.getexif()
    with pytest.raises(ValidationError, match="larger than"):
        store_evidence(session, contact, b"x" * 2048, "big.txt", "", world.auditor, tmp_path, 1024)
    with pytest.raises(ValidationError, match="HTML"):
        store_evidence(session, contact, b"<html>hi</html>", "photo.jpg", "", world.auditor, tmp_path, 10_000)
    assert len(contact.evidence) == 1


def test_eml_gives_the_reply_time_and_text() -> None:
    facts = read_eml(EML)
    assert facts.sent_at == datetime(2027, 2, 8, 14, 0, tzinfo=UTC)
    assert facts.subject == "Re: Free meals"
    assert facts.text == "Hello, the application form is attached."
