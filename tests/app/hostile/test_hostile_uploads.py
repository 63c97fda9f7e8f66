"""Hostile uploads are refused with a clear message, and nothing is saved.

Evidence files (too big, the wrong type whatever their name, archives, decompression
bombs, damaged emails), school directory files that are not CSV, rubric files that are
huge, YAML bombs or not UTF-8, and any request over ``MAX_CONTENT_LENGTH`` (a friendly
413: a page for the web, JSON for the API).
"""

from __future__ import annotations

import gzip
import io
import random
import struct
import time
import zipfile
import zlib

import pytest
from flask.testing import FlaskClient
from PIL import Image
from werkzeug.datastructures import FileStorage
from werkzeug.test import TestResponse, encode_multipart

from tests.app.hostile_world import Hostile, HostileWorld, png_bytes, sign_in

MB = 1024 * 1024
HTML_PAGE = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"


# Small limits, so oversized files stay cheap: 1 MB of evidence, 2 MB per request.
HOSTILE_SETTINGS = {"MAX_EVIDENCE_MB": 1, "MAX_CONTENT_LENGTH": 2 * MB}


def png_declaring(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims ``width`` × ``height`` pixels (a decompression bomb's shape)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00" * 4096, 9)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def noisy_png(size: int = 64) -> bytes:
    """A PNG of random pixels (it does not compress, so cutting it loses pixels)."""
    noise = random.Random(7).randbytes(size * size * 3)
    buffer = io.BytesIO()
    Image.frombytes("RGB", (size, size), noise).save(buffer, "PNG")
    return buffer.getvalue()


def zip_bytes(members: dict[str, bytes]) -> bytes:
    """A ZIP archive (also the shape of .docx and .xlsx files)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


ZIP_BOMB = zip_bytes({"bomb.txt": b"0" * (20 * MB)})  # 20 MB of zeros in about 20 KB
GZIP_BOMB = gzip.compress(b"0" * (20 * MB))
DOCX_LIKE = zip_bytes({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
REFUSED_EVIDENCE = {
    "html named .jpg": (HTML_PAGE, "photo.jpg", "This is a web page (HTML)."),
    "html after a byte-order mark": (b"\xef\xbb\xbf" + HTML_PAGE, "notes.txt", "This is a web page (HTML)."),
    "html after a comment": (
        b"<!-- hi -->\n<html><body>x</body></html>",
        "notes.txt",
        "This is a web page (HTML).",
    ),
    "svg with a script": (
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        "a.png",
        "HTML",
    ),
    "windows program": (
        b"MZ\x90\x00\x03" + bytes(1024),
        "photo.jpg",
        "This is a Windows program.",
    ),
    "zip bomb": (ZIP_BOMB, "photos.zip", "This is a ZIP archive. Attach a photo (JPEG or PNG)"),
    "docx": (DOCX_LIKE, "notes.docx", "This is a"),
    "gzip bomb": (GZIP_BOMB, "notes.txt.gz", "This is a compressed (gzip) file."),
    "pdf": (
        b"%PDF-1.7\n" + bytes(64),
        "scan.pdf",
        "This is a PDF. Attach a photo (JPEG or PNG), an email (.eml)",
    ),
    "empty": (b"", "empty.jpg", "This file is empty"),
    "png 50000 × 50000": (png_declaring(50_000, 50_000), "bomb.png", "pixels"),
    "png 12000 × 12000": (png_declaring(12_000, 12_000), "big.png", "pixels"),
    "png 8000 × 8000": (png_declaring(8_000, 8_000), "big.png", "This photo is 8,000 × 8,000 pixels"),
    "png 100000 × 1": (png_declaring(100_000, 1), "strip.png", "This photo cannot be read"),
    "png cut in half": (noisy_png()[: len(noisy_png()) // 2], "cut.png", "This photo cannot be read"),
    "binary junk": (
        bytes(range(256)) * 8,
        "photo.jpg",
        "This is not a photo, recording, email or text file.",
    ),
    "too big": (b"plain text\n" * (MB // 10), "notes.txt", "larger than the 1 MB limit"),
}


def post_file(client: FlaskClient, url: str, data: bytes, name: str, **fields: str) -> TestResponse:
    """Post a multipart form with one file, the body built in memory.

    (The test client spools a large body to a temporary file that it never closes when the
    app refuses the request unread, which is exactly what a 413 does.)
    """
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(data), filename=name), **fields})
    return client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def _upload(client: FlaskClient, contact_id: int, data: bytes, name: str) -> TestResponse:
    return post_file(client, f"/contacts/{contact_id}/evidence", data, name, label="entrance")


@pytest.mark.parametrize("case", list(REFUSED_EVIDENCE))
def test_hostile_evidence_is_refused_with_the_reason_and_nothing_saved(
    hostile: Hostile, client: FlaskClient, world: HostileWorld, case: str
) -> None:
    data, name, reason = REFUSED_EVIDENCE[case]
    sign_in(client, world.users["auditor"])
    started = time.perf_counter()
    response = _upload(client, world.values["draft_contact_id"], data, name)
    assert time.perf_counter() - started < 5
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="file-error"' in html and reason in html, html[html.find("file-error") - 200 :][:600]
    assert hostile.unchanged() == []


def test_a_real_photo_is_still_accepted(hostile: Hostile, client: FlaskClient, world: HostileWorld) -> None:
    sign_in(client, world.users["auditor"])
    response = _upload(client, world.values["draft_contact_id"], png_bytes(1200, 900), "door.png")
    assert response.status_code == 302
    assert set(hostile.unchanged()) == {"evidence", "files"}


@pytest.mark.parametrize(
    "eml",
    [
        b"From: office@school.example\nDate: Tue, 2 Feb 2027 13:00:00 -0500\nSubject: Re: enrolment\n"
        b"Content-Type: text/plain; charset=no-such-charset\n\nWe are open from 8.\n",
        b"From: office@school.example\nDate: Fri, 31 Dec 9999 23:59:59 -2359\nSubject: Re\n\nHello\n",
        b"From: office@school.example\nDate: not a date at all\nSubject: Re\n"
        b"Content-Type: multipart/alternative; boundary=zz\n\n--zz\nContent-Type: text/plain\n"
        b"Content-Transfer-Encoding: base64\n\n!!!not base64!!!\n--zz--\n",
    ],
    ids=["unknown charset", "date out of range", "broken parts"],
)
def test_a_damaged_email_on_an_email_contact_never_breaks_the_upload(
    hostile: Hostile, client: FlaskClient, world: HostileWorld, eml: bytes
) -> None:
    sign_in(client, world.users["auditor"])
    response = _upload(client, world.values["email_draft_contact_id"], eml, "reply.eml")
    assert response.status_code in {302, 400}
    if response.status_code == 400:
        assert 'id="file-error"' in response.get_data(as_text=True)
        assert hostile.unchanged() == []


def test_an_upload_over_the_request_limit_gets_a_friendly_413_page(
    hostile: Hostile, client: FlaskClient, world: HostileWorld
) -> None:
    sign_in(client, world.users["auditor"])
    response = _upload(client, world.values["draft_contact_id"], b"x" * (3 * MB), "huge.txt")
    assert response.status_code == 413
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert "too large" in html and "2 MB" in html
    assert "Content-Security-Policy" in response.headers
    assert hostile.unchanged() == []


def test_the_api_answers_an_oversized_body_with_json(
    hostile: Hostile, client: FlaskClient, world: HostileWorld
) -> None:
    response = client.post(
        f"/api/v1/assignments/{world.values['assignment_id']}/contacts",
        data=b'{"outcome": "' + b"x" * (3 * MB) + b'"}',
        content_type="application/json",
        headers={"Authorization": f"Bearer {world.values['api_token']}"},
    )
    assert response.status_code == 413
    assert response.mimetype == "application/json"
    assert response.get_json()["errors"][0]["message"].startswith("the request body is too large")
    assert hostile.unchanged() == []


SCHOOL_HEADER = b"NCES School ID,School Name,District,State,Phone\n"
REFUSED_DIRECTORIES = {
    "png": (png_bytes(), "not a CSV file"),
    "zip": (zip_bytes({"schools.csv": SCHOOL_HEADER}), "not a CSV file"),
    "zip bomb": (ZIP_BOMB, "not a CSV file"),
    "xlsx": (
        zip_bytes({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"}),
        "spreadsheet",
    ),
    "gzip": (GZIP_BOMB, "not a CSV file"),
    "utf-16": ("NCES School ID,School Name\n1,A\n".encode("utf-16"), "not a CSV file"),
    "a field of 200,000 characters": (
        SCHOOL_HEADER + b'1,"' + b"x" * 200_000 + b'",D,FL,1\n',
        "not valid CSV",
    ),
    "unknown header": (b"<script>alert(1)</script>,b\n1,2\n", "header"),
    "empty": (b"", "the file is empty"),
}


@pytest.mark.parametrize("case", list(REFUSED_DIRECTORIES))
def test_a_school_directory_that_is_not_csv_is_refused_whole(
    hostile: Hostile, client: FlaskClient, world: HostileWorld, case: str
) -> None:
    data, reason = REFUSED_DIRECTORIES[case]
    sign_in(client, world.users["leader"])
    response = post_file(client, "/schools/import", data, "schools.csv")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert reason in html, html[html.find("<main") :][:1500]
    assert "<script>alert(1)" not in html
    assert hostile.unchanged() == []


def test_an_oversized_school_directory_gets_the_413_page(
    hostile: Hostile, client: FlaskClient, world: HostileWorld
) -> None:
    sign_in(client, world.users["leader"])
    big = SCHOOL_HEADER + b"990000000002,Big School,D,FL,9045551234\n" * (3 * MB // 40)
    response = post_file(client, "/schools/import", big, "schools.csv")
    assert response.status_code == 413 and "too large" in response.get_data(as_text=True)
    assert hostile.unchanged() == []


def _billion_laughs() -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]")
    return "\n".join([*lines, "key: bomb", "name: *i", "channel: phone", "sections: *i", ""])


def _wide_aliases() -> str:
    """A 10 KB rubric whose aliases make a million items (and a million problems to list)."""
    item = "x: &it {key: ab, prompt: p, kind: choice, points: 1, options: [{label: a, fraction: 1}]}\n"
    items = "y: &items [" + ", ".join(["*it"] * 1000) + "]\n"
    section = "z: &sec {key: sa, title: t, items: *items}\n"
    return (
        item
        + items
        + section
        + "key: wide\nname: n\nchannel: phone\nsections: ["
        + ", ".join(["*sec"] * 1000)
        + "]\n"
    )


REFUSED_RUBRICS = {
    "billion laughs": (_billion_laughs().encode(), "aliases"),
    "wide aliases": (_wide_aliases().encode(), "aliases"),
    "deeply nested": (b"key: " + b"[" * 20_000 + b"]" * 20_000 + b"\n", "nested too deeply"),
    "huge": (b"key: demo\nname: n\nchannel: phone\n# " + b"x" * (MB + 10) + b"\n", "larger than"),
    "not utf-8": (b"key: caf\xe9\nname: n\nchannel: phone\nsections: []\n", "not UTF-8"),
    "python object": (
        b"!!python/object/apply:os.system ['echo hacked']\n",
        "could not determine a constructor",
    ),
    "binary": (png_bytes(), "not UTF-8"),
    "zip": (ZIP_BOMB, "not UTF-8"),
}


@pytest.mark.parametrize("case", list(REFUSED_RUBRICS))
def test_a_hostile_rubric_file_is_refused_quickly_and_nothing_saved(
    hostile: Hostile, client: FlaskClient, world: HostileWorld, case: str
) -> None:
    data, reason = REFUSED_RUBRICS[case]
    sign_in(client, world.users["admin"])
    started = time.perf_counter()
    response = post_file(client, "/rubrics/import", data, "rubric.yaml", publish="y")
    elapsed = time.perf_counter() - started
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert reason in html, html[html.find("<main") :][:1500]
    assert "nothing was saved" in html
    assert len(html) < 200_000  # the problems listed are few, whatever the aliases multiply
    assert elapsed < 5
    assert hostile.unchanged() == []
