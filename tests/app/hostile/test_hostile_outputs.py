"""Hostile text leaves Touchpoint as text: in CSV and XLSX exports, in scorecard PDFs and in the API's JSON.

Exports: in a CSV, any text field a spreadsheet would run as a formula (starting with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return) is prefixed with an apostrophe, while real
numbers (scores, negative changes) stay numbers. In an XLSX every text cell is a text cell,
exactly as typed: never a formula, and no apostrophe. PDFs print markup literally and
interpret none of it. The API hands every string back exactly as stored.
"""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date
from pathlib import Path

import pypdf
import pytest
from flask.testing import FlaskClient
from icalendar import Calendar
from openpyxl import load_workbook

from app.extensions import db
from app.rounds.feed import feed_token
from audits.models import Round, School, User
from reports.batch import inputs_hash
from reports.exports import Table, csv_chunks, neutralise, write_xlsx
from reports.figures import gather_round
from reports.render import Renderer, identifier_for
from reports.summary import gather_summary
from tests.app.hostile_world import (
    ATTRIBUTE_BREAK,
    BOLD,
    FORMULAS,
    HOSTILE,
    HOSTILE_SCHOOL,
    QUOTES,
    SCRIPT_TAG,
    Hostile,
    HostileWorld,
    sign_in,
)

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def _assert_csv_safe(rows: list[list[str]]) -> None:
    """No CSV field would run as a formula, unless it is a plain number (``-3.5``)."""
    for row in rows:
        for cell in row:
            if cell.startswith(FORMULA_STARTS):
                assert _is_number(cell), f"{cell!r} would run as a formula"


def _xlsx_cells(data: bytes) -> list[list[object]]:
    sheet = load_workbook(io.BytesIO(data), read_only=True).worksheets[0]
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def _assert_xlsx_safe(data: bytes) -> None:
    """No cell is a formula: every piece of text is a text cell (an inline string), as typed."""
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f", f"{cell.coordinate} is a formula: {cell.value!r}"
            if isinstance(cell.value, str):
                assert cell.data_type == "s", f"{cell.coordinate}: {cell.value!r}"
                assert not cell.value.startswith("'"), f"{cell.coordinate}: {cell.value!r}"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "<f " not in xml


def test_neutralise_covers_every_formula_start_and_leaves_plain_text() -> None:
    for formula in FORMULAS:
        assert neutralise(formula) == "'" + formula
    for text in (HOSTILE, "3 rings", "", "a=b", "'quoted", "O'Brien"):
        assert neutralise(text) == text


def test_writers_keep_numbers_numeric_and_neutralise_text(tmp_path: Path) -> None:
    columns = ["name", "change", "overall", "count", "note", "day", "flag"]
    rows: list[list[object]] = [
        [FORMULAS[0], -3.5, 71.25, -2, "-3.5 points", date(2027, 2, 1), True],
        [FORMULAS[4], 0.0, None, 0, FORMULAS[5], None, False],
        [HOSTILE, -100.0, 100.0, 3, "@here", None, False],
    ]
    text = b"".join(csv_chunks(Table("T", columns, iter(rows)))).decode("utf-8-sig")
    parsed = list(csv.reader(io.StringIO(text, newline="")))
    assert parsed[1][:5] == ["'" + FORMULAS[0], "-3.5", "71.25", "-2", "'-3.5 points"]
    assert parsed[2][0] == "'" + FORMULAS[4] and parsed[2][4] == "'" + FORMULAS[5]
    assert parsed[3][0] == HOSTILE and parsed[3][4] == "'@here"
    _assert_csv_safe(parsed)

    with (tmp_path / "t.xlsx").open("wb") as handle:
        write_xlsx(Table("T", columns, iter(rows)), handle)
    data = (tmp_path / "t.xlsx").read_bytes()
    _assert_xlsx_safe(data)
    cells = _xlsx_cells(data)
    assert cells[1][:5] == [FORMULAS[0], -3.5, 71.25, -2, "-3.5 points"]  # text exactly as typed
    # openpyxl writes through lxml (a dependency of pikepdf), which keeps a carriage return as a
    # character reference: it reads back as it was.
    assert cells[2][0] == FORMULAS[4] and cells[2][4] == FORMULAS[5]
    assert cells[3][0] == HOSTILE and cells[3][4] == "@here"


@pytest.mark.parametrize("level", ["items", "schools"])
def test_round_exports_neutralise_formulas_and_keep_hostile_text(
    client: FlaskClient, world: HostileWorld, level: str
) -> None:
    sign_in(client, world.users["leader"])
    round_id = world.values["round_id"]
    response = client.get(f"/rounds/{round_id}/export.csv?level={level}")
    assert response.status_code == 200
    rows = _csv_rows(response.get_data())
    _assert_csv_safe(rows)
    header, body = rows[0], rows[1:]
    assert body, "the approved contact must be exported"
    names = {row[header.index("School")] for row in body}
    assert names == {HOSTILE_SCHOOL}  # the school's name, markup, quotes and RTL exactly as typed
    if level == "items":
        comments = [row[header.index("Auditor's comment")] for row in body]
        assert "'" + FORMULAS[3] in comments  # "@SUM(A1)"
        values = [row[header.index("Answer")] for row in body]
        assert "'" + FORMULAS[2] in values  # "-2+3", a text answer
        assert "4" in values  # a scale answer stays a number
    else:
        overall = body[0][header.index("Overall score (%)")]
        assert _is_number(overall)

    response = client.get(f"/rounds/{round_id}/export.xlsx?level={level}")
    assert response.status_code == 200
    data = response.get_data()
    _assert_xlsx_safe(data)
    cells = _xlsx_cells(data)
    header_cells = cells[0]
    assert {row[header_cells.index("School")] for row in cells[1:]} == {HOSTILE_SCHOOL}
    if level == "items":
        assert FORMULAS[3] in [row[header_cells.index("Auditor's comment")] for row in cells[1:]]
        answers = [row[header_cells.index("Answer")] for row in cells[1:]]
        assert FORMULAS[2] in answers and 4 in answers  # text as typed; a scale answer a number
    else:
        overall = cells[1][header_cells.index("Overall score (%)")]
        assert isinstance(overall, int | float) and not isinstance(overall, bool)


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_the_export_command_writes_the_same_safe_files(
    hostile: Hostile, client: FlaskClient, world: HostileWorld, tmp_path: Path, extension: str
) -> None:
    out = tmp_path / f"round.{extension}"
    runner = hostile.app.test_cli_runner()
    with hostile.app.app_context():  # as the ``flask`` command pushes one
        result = runner.invoke(
            args=["export", "round", str(world.values["round_id"]), "--out", str(out), "--format", extension]
        )
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    if extension == "csv":
        rows = _csv_rows(data)
        _assert_csv_safe(rows)
        assert any("'" + FORMULAS[3] in row for row in rows)
    else:
        _assert_xlsx_safe(data)
        assert any(FORMULAS[3] in row for row in _xlsx_cells(data))


def _pdf_text(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def test_the_scorecard_pdf_prints_markup_literally(hostile: Hostile, client: FlaskClient) -> None:
    with hostile.app.app_context():
        round_ = db.session.get(Round, hostile.world.values["round_id"])
        assert round_ is not None
        card = gather_round(db.session, round_).scorecards[hostile.world.values["school_id"]]  # type: ignore[arg-type]
    renderer = Renderer()
    html = renderer.html("scorecard.html", card=card)
    for raw in ("<b>X</b>", "<script>", "<img src=x"):
        assert raw not in html
    assert "&lt;b&gt;X&lt;/b&gt;" in html
    text = _pdf_text(renderer.scorecard(card, identifier_for(inputs_hash(card))).pdf)
    assert BOLD in text  # printed as five characters of text, not as bold markup
    assert SCRIPT_TAG in text
    assert "O'Brien" in text or "O\u2019Brien" in text
    assert ATTRIBUTE_BREAK.split(" ")[0] in text  # '"><img'
    assert f"The staff said {BOLD} and {SCRIPT_TAG}" in text  # an auditor's comment, quoted as typed
    assert "مدرسة الأمل" in text and "בית ספר" in text  # right-to-left words come out whole
    assert text.count(SCRIPT_TAG) >= 2  # in the header and in the headline sentence


def test_the_district_summary_pdf_prints_school_names_literally(
    hostile: Hostile, client: FlaskClient
) -> None:
    with hostile.app.app_context():
        round_ = db.session.get(Round, hostile.world.values["round_id"])
        assert round_ is not None
        summary = gather_summary(db.session, round_)
    renderer = Renderer()
    html = renderer.html("district_summary.html", summary=summary)
    for raw in ("<b>X</b>", "<script>", "<img src=x"):
        assert raw not in html
    text = _pdf_text(renderer.district_summary(summary, identifier_for(inputs_hash(summary))).pdf)
    assert f"{BOLD} {SCRIPT_TAG}" in text


def test_the_calendar_feed_escapes_line_breaks_and_separators(hostile: Hostile, client: FlaskClient) -> None:
    injected = "Abess\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nSUMMARY:pwned; x, y\\"
    with hostile.app.app_context():
        school = db.session.get(School, hostile.world.values["school_id"])
        auditor = db.session.get(User, hostile.world.users["auditor"])
        assert school is not None and auditor is not None
        school.name = injected
        db.session.commit()
        url = f"/assignments/feed/{auditor.id}/{feed_token(auditor)}.ics"
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    calendar = Calendar.from_ical(response.get_data())
    events = list(calendar.walk("VEVENT"))
    lines = response.get_data(as_text=True).split("\r\n")
    assert lines.count("BEGIN:VEVENT") == len(events) >= 1  # no event smuggled in: the breaks are escaped
    assert not any(line.startswith("SUMMARY:pwned") for line in lines)
    shown = injected.replace("\r\n", "\n")  # a line break stays a line break, inside the text
    assert any(shown in str(event.get("SUMMARY")) for event in events)


def test_the_api_returns_hostile_text_verbatim(client: FlaskClient, world: HostileWorld) -> None:
    headers = {"Authorization": f"Bearer {world.values['api_token']}"}
    schools = client.get(f"/api/v1/districts/{world.values['district_id']}/schools", headers=headers)
    assert schools.status_code == 200 and schools.mimetype == "application/json"
    school = next(item for item in schools.get_json()["items"] if item["id"] == world.values["school_id"])
    assert school["name"] == HOSTILE_SCHOOL
    contacts = client.get(f"/api/v1/rounds/{world.values['round_id']}/contacts", headers=headers)
    assert contacts.status_code == 200
    comments = [
        response["comment"] for contact in contacts.get_json()["items"] for response in contact["responses"]
    ]
    assert f"{HOSTILE} {BOLD}" in comments
    assert FORMULAS[3] in comments  # the API is not a spreadsheet: no apostrophe added
    assert any(QUOTES in comment for comment in comments)
