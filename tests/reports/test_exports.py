"""Round exports: item-level and school-level rows, CSV and XLSX, formula injection, pseudonyms, streaming."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from flask.testing import FlaskCliRunner
from openpyxl import load_workbook
from sqlalchemy import event
from sqlalchemy.orm import Session

from audits.models import Channel, Contact, ContactStatus, CriticalPolicy, Outcome, Round
from audits.scoring.engine import round_scores
from reports.exports import (
    ITEM_COLUMNS,
    Column,
    Kind,
    Table,
    csv_chunks,
    export_filename,
    item_table,
    neutralise,
    school_table,
    xlsx_chunks,
)
from reports.exports.table import Cell
from tests.audits.scoring_helpers import NA, ScoringWorld, build_world

PHONE, EMAIL = Channel.PHONE, Channel.EMAIL
ANSWERS = {"answered": 1.0, "named": NA, "courtesy": 0.75, "accuracy": 0.5, "note": None}  # 11 of 15


def _set(contact: Contact, **fields: dict[str, object]) -> None:
    """Give a contact's responses raw values and comments, by item key."""
    items = {response.item_id: response for response in contact.responses}
    for item in contact.rubric.items:
        if item.key in fields and item.id in items:
            for name, value in fields[item.key].items():
                setattr(items[item.id], name, value)


def _world(session: Session) -> tuple[ScoringWorld, Round, Contact]:
    world = build_world(session, schools=2)
    world.auditor.name = "Alice Secretname"
    world.district.timezone = "America/New_York"
    world.schools[0].name = '=HYPERLINK("http://evil.example","click")'
    round_ = world.round("Spring 2027", date(2027, 2, 1))
    started = datetime(2027, 2, 2, 3, 30, tzinfo=UTC)  # 1 February, 22:30 in New York
    contact = world.contact(round_, world.schools[0], PHONE, ANSWERS, started_at=started)
    _set(
        contact,
        answered={"value": True, "comment": "+SUM(A1:A9)"},
        named={"comment": "@cmd"},
        courtesy={"value": 3},
        accuracy={"value": "Partly", "comment": "-2+3"},
        note={"value": "\tTab-led note", "comment": "plain words"},
    )
    # Not counted: a submitted contact and an earlier failed attempt.
    world.contact(round_, world.schools[1], PHONE, ANSWERS, status=ContactStatus.SUBMITTED)
    world.contact(round_, world.schools[1], PHONE, {"answered": 1.0}, outcome=Outcome.BUSY)
    # Counted: a critical failure at school B.
    world.contact(
        round_, world.schools[1], EMAIL, {"answered": 0.0, "named": 1.0, "courtesy": 1.0, "accuracy": 1.0}
    )
    session.flush()
    return world, round_, contact


def _csv(table: Table) -> list[dict[str, str]]:
    """The CSV's rows by field name: its header row must be the columns' headers, in order."""
    body = b"".join(csv_chunks(table)).decode("utf-8-sig")
    header, *rows = list(csv.reader(io.StringIO(body, newline="")))
    assert header == [neutralise(column.header) for column in table.columns]
    return [dict(zip(table.keys, row, strict=True)) for row in rows]


def test_item_rows_and_columns(session: Session) -> None:
    world, round_, contact = _world(session)
    table = item_table(session, round_)
    assert table.keys == [column.key for column in ITEM_COLUMNS]
    rows = _csv(table)
    assert len(rows) == 5 + 4  # school A's five answers, then school B's four (only counted contacts)
    by_item = {row["item_key"]: row for row in rows if row["contact_id"] == str(contact.id)}
    answered = by_item["answered"]
    assert answered["round"] == "Spring 2027"
    assert answered["school_nces_id"] == world.schools[0].nces_id
    assert answered["channel"] == "Phone call"
    assert answered["scenario"] == world.scenarios[PHONE].title
    assert answered["contact_date"] == "2027-02-01"  # the district's local day, not UTC's
    assert answered["rubric_key"] == world.rubrics[PHONE].key
    assert answered["rubric_version"] == "1"
    assert answered["section_key"] == "greeting"
    assert (answered["raw_value"], answered["na"], answered["critical"]) == ("yes", "false", "true")
    assert (answered["fraction"], answered["earned"], answered["possible"]) == ("100.0", "5.0", "5.0")
    assert answered["auditor_pseudonym"] == world.auditor.pseudonym
    # N/A adds nothing: no fraction, 0 earned of 0 possible.
    named = by_item["named"]
    assert (named["na"], named["fraction"], named["earned"], named["possible"]) == ("true", "", "0.0", "0.0")
    assert (by_item["courtesy"]["raw_value"], by_item["courtesy"]["earned"]) == ("3", "3.0")
    assert by_item["courtesy"]["fraction"] == "75.0"  # a share of the points, as a percentage
    assert (
        by_item["accuracy"]["raw_value"],
        by_item["accuracy"]["earned"],
        by_item["accuracy"]["possible"],
    ) == (
        "Partly",
        "3.0",
        "6.0",
    )
    # A text item is not scored either.
    note = by_item["note"]
    assert (note["fraction"], note["earned"], note["possible"], note["comment"]) == (
        "",
        "0.0",
        "0.0",
        "plain words",
    )
    # Items come in rubric order within the contact; the earned and possible add up to its score.
    assert list(by_item) == ["answered", "named", "courtesy", "accuracy", "note"]
    assert sum(float(r["earned"]) for r in by_item.values()) / sum(
        float(r["possible"]) for r in by_item.values()
    ) == (pytest.approx(11 / 15))
    failed = next(row for row in rows if row["channel"] == "Email" and row["item_key"] == "answered")
    assert (failed["critical"], failed["fraction"], failed["earned"]) == ("true", "0.0", "0.0")


def test_formula_injection_is_neutralised(session: Session) -> None:
    _, round_, contact = _world(session)
    rows = [row for row in _csv(item_table(session, round_)) if row["contact_id"] == str(contact.id)]
    by_item = {row["item_key"]: row for row in rows}
    assert rows[0]["school_name"] == '\'=HYPERLINK("http://evil.example","click")'
    assert by_item["answered"]["comment"] == "'+SUM(A1:A9)"
    assert by_item["named"]["comment"] == "'@cmd"
    assert by_item["accuracy"]["comment"] == "'-2+3"
    assert by_item["note"]["raw_value"] == "'\tTab-led note"
    assert [neutralise(text) for text in ("=1", "+1", "-1", "@A", "\rx", "plain", "")] == [
        "'=1",
        "'+1",
        "'-1",
        "'@A",
        "'\rx",
        "plain",
        "",
    ]


def test_only_the_pseudonym_identifies_the_auditor(session: Session) -> None:
    world, round_, _ = _world(session)
    for table in (item_table(session, round_), school_table(session, round_)):
        body = b"".join(csv_chunks(table)).decode("utf-8-sig")
        assert world.auditor.email not in body and "Secretname" not in body
    items = b"".join(csv_chunks(item_table(session, round_))).decode("utf-8-sig")
    assert world.auditor.pseudonym in items
    workbook = load_workbook(io.BytesIO(b"".join(xlsx_chunks(item_table(session, round_)))), read_only=True)
    values = {str(value) for row in workbook["Items"].iter_rows(values_only=True) for value in row}
    assert world.auditor.pseudonym in values
    assert not any(world.auditor.email in value or "Secretname" in value for value in values)


def test_xlsx_reads_back(session: Session) -> None:
    _, round_, contact = _world(session)
    data = b"".join(xlsx_chunks(item_table(session, round_)))
    sheet = load_workbook(io.BytesIO(data))["Items"]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == [column.header for column in ITEM_COLUMNS]
    assert len(rows) == 1 + 9
    keys = [column.key for column in ITEM_COLUMNS]
    first = dict(zip(keys, rows[1], strict=True))
    assert first["contact_id"] == contact.id
    assert isinstance(first["contact_date"], datetime)  # a real date cell
    assert first["contact_date"].date() == date(2027, 2, 1)
    assert first["na"] is False and first["critical"] is True and first["earned"] == 5
    # Text that looks like a formula is a text cell, exactly as typed: no formula, no apostrophe.
    name_cell = sheet.cell(row=2, column=keys.index("school_name") + 1)
    assert name_cell.data_type == "s" and name_cell.value == '=HYPERLINK("http://evil.example","click")'
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_school_rows_carry_every_engine_figure(session: Session) -> None:
    world, round_, _ = _world(session)
    earlier = world.round("Autumn 2026", date(2026, 10, 1))
    world.contact(
        earlier, world.schools[1], EMAIL, {"answered": 1.0, "named": 1.0, "courtesy": 1.0, "accuracy": 1.0}
    )
    session.flush()
    table = school_table(session, round_)
    rows = _csv(table)
    columns = table.keys
    for name in ("rank", "overall", "change", "reach_rate", "critical_failures", "median_email_hours"):
        assert name in columns
    for channel in ("phone", "email", "visit"):
        for name in ("score", "contacts", "reached", "reach_rate"):
            assert f"{channel}_{name}" in columns
    # Rings and hold are a phone call's only.
    assert {"phone_mean_rings", "phone_mean_hold_seconds"} <= set(columns)
    assert not {"email_mean_rings", "visit_mean_hold_seconds"} & set(columns)
    assert {"section_greeting", "section_service"} <= set(columns)
    scores = {s.nces_id: s for s in round_scores(session, round_).schools}
    for row in rows:
        school = scores[row["school_nces_id"].lstrip("'")]
        assert row["overall"] == f"{school.overall:.1f}"
        assert row["rank"] == str(school.rank)
        assert row["section_greeting"] == f"{school.sections['greeting']:.1f}"
        standing = school.standing
        assert standing is not None
        assert (row["rank_best"], row["rank_worst"], row["rank_band"]) == (
            str(standing.best),
            str(standing.worst),
            standing.text,
        )
        assert school.early and row["early_reading"] == "true"  # one contact per channel, under three
        if school.interval is None:
            assert (row["overall_low"], row["overall_high"]) == ("", "")
        else:
            ends = (row["overall_low"], row["overall_high"])
            assert ends == (f"{school.interval.low:.1f}", f"{school.interval.high:.1f}")
    b = next(row for row in rows if row["school_name"] == "School B")
    assert (b["critical_failures"], b["email_critical_failures"], b["phone_contacts"]) == ("1", "1", "")
    assert b["change"] == f"{100 * 12 / 17 - 100:.1f}" == "-29.4"  # a negative number stays a number
    assert b["reach_rate"] == "100.0"  # a share, as a percentage
    assert table.written == 2


def test_item_rows_stream_lazily_in_chunks(session: Session) -> None:
    world = build_world(session, schools=3, policy=CriticalPolicy.FLAG)
    round_ = world.round("Big", date(2027, 2, 1))
    answers = {"answered": 1.0, "named": 1.0, "courtesy": 0.5, "accuracy": 1.0, "note": None}
    for number in range(150):
        world.contact(round_, world.schools[number % 3], PHONE, answers)
    session.flush()
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append("x")

    event.listen(session.get_bind(), "before_cursor_execute", count)
    try:
        table = item_table(session, round_)
        chunks = csv_chunks(table)
        assert statements == []  # nothing is read before the first chunk is asked for
        first = next(chunks)
        rest = list(chunks)
    finally:
        event.remove(session.get_bind(), "before_cursor_execute", count)
    # Five small look-ups (schools, scenarios, rubrics, items, auditors), then one query for every row.
    assert len(statements) == 6
    assert len(rest) >= 1 and len(first) >= 64 * 1024
    assert table.written == 150 * 5
    body = (first + b"".join(rest)).decode("utf-8-sig")
    assert body.count("\r\n") == 1 + 150 * 5


def test_filename_is_clean(session: Session) -> None:
    world = build_world(session, schools=1)
    world.district.name = "Duval County / Public Schools"
    round_ = world.round('Spring "2027": Ünïcode, <b>', date(2027, 2, 1))
    assert (
        export_filename(round_, "items", "csv")
        == "duval-county-public-schools-spring-2027-unicode-b-items.csv"
    )
    round_.name = "***"
    assert export_filename(round_, "schools", "xlsx") == "duval-county-public-schools-schools.xlsx"


def test_cli_exports_a_round(session: Session, runner: FlaskCliRunner, tmp_path: Path) -> None:
    _, round_, _ = _world(session)
    session.commit()
    out = tmp_path / "items.csv"
    result = runner.invoke(args=["export", "round", str(round_.id), "--level", "items", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "wrote 9 items rows" in result.output
    assert len(list(csv.reader(io.StringIO(out.read_text("utf-8-sig"))))) == 1 + 9
    book = tmp_path / "schools.xlsx"
    result = runner.invoke(
        args=["export", "round", str(round_.id), "--level", "schools", "--format", "xlsx", "--out", str(book)]
    )
    assert result.exit_code == 0, result.output
    assert "wrote 2 schools rows" in result.output
    assert len(list(load_workbook(book)["Schools"].iter_rows(values_only=True))) == 1 + 2
    assert not list(tmp_path.glob(".*.tmp"))  # written to a temporary name, then renamed
    missing = runner.invoke(args=["export", "round", "999999", "--out", str(tmp_path / "x.csv")])
    assert missing.exit_code == 1 and "no round" in missing.output


def test_answer_cells_parse_stored_json_and_remember_only_short_answers() -> None:
    from reports.exports.items import _AnswerCells

    cells = _AnswerCells()
    assert [cells(text) for text in ("true", "false", "3", "2.5", '"Partly"', "null", None)] == [
        "yes",
        "no",
        3,
        2.5,
        "Partly",
        None,
        None,
    ]
    assert cells("true") == "yes" and cells('"Partly"') == "Partly"  # remembered answers read the same
    long_answers = [
        json.dumps(f"A free-text answer, number {n}, longer than forty characters") for n in range(50)
    ]
    assert [cells(text) for text in long_answers][-1].endswith("number 49, longer than forty characters")
    assert len(cells._known) == 6  # the six short ones only
    for n in range(3 * _AnswerCells.KEEP):
        assert cells(str(n)) == n
    assert len(cells._known) == _AnswerCells.KEEP
    assert cells(json.dumps({"odd": [1, 2]})) == "{'odd': [1, 2]}"


HEADERS = [
    "School",
    "Overall score (%)",
    "Phone call contacts",
    "Contact date",
    "Early reading",
    "Auditor's comment",
]


def _dressed_table() -> Table:
    columns = [
        Column("school_name", "School", width=30),
        Column("overall", "Overall score (%)", Kind.DECIMAL),
        Column("contacts", "Phone call contacts", Kind.WHOLE),
        Column("day", "Contact date", Kind.DATE),
        Column("early", "Early reading", Kind.YES_NO),
        Column("comment", "Auditor's comment"),
    ]
    rows: list[list[Cell]] = [
        ["=1+1", 72.34999, 3, date(2027, 2, 1), True, "-2 minutes on hold"],
        ["School B", 100, 0, None, False, "#N/A"],
        ["@School C", None, None, None, None, "plain words"],
    ]
    return Table("Schools", columns, iter(rows))


def test_csv_has_headers_figures_to_one_decimal_and_the_formula_guard() -> None:
    body = b"".join(csv_chunks(_dressed_table())).decode("utf-8-sig")
    header, *rows = list(csv.reader(io.StringIO(body, newline="")))
    assert header == HEADERS
    assert rows[0] == ["'=1+1", "72.3", "3", "2027-02-01", "true", "'-2 minutes on hold"]
    assert rows[1] == ["School B", "100", "0", "", "false", "#N/A"]  # a whole number stays whole
    assert rows[2][:2] == ["'@School C", ""]


def test_xlsx_keeps_text_as_typed_with_formats_widths_filter_and_frozen_header() -> None:
    data = b"".join(xlsx_chunks(_dressed_table()))
    sheet = load_workbook(io.BytesIO(data))["Schools"]
    assert [cell.value for cell in sheet[1]] == HEADERS
    assert all(cell.font.b for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:F4"
    assert sheet.column_dimensions["A"].width == 30
    assert sheet.column_dimensions["B"].width >= len("Overall score (%)")
    # Figures: one decimal, shown with one decimal; counts plain numbers; days dates.
    overall, school_b = sheet["B2"], sheet["B3"]
    assert (overall.value, overall.number_format, overall.data_type) == (72.3, "0.0", "n")
    assert (school_b.value, school_b.number_format) == (100, "0.0")
    assert (sheet["C2"].value, sheet["C2"].number_format) == (3, "General")
    assert sheet["D2"].is_date and sheet["D2"].number_format == "yyyy-mm-dd"
    assert sheet["E2"].value is True
    # Text is text exactly as typed: no formula, no error value, no leading apostrophe.
    assert [sheet[f"A{row}"].value for row in (2, 3, 4)] == ["=1+1", "School B", "@School C"]
    assert (sheet["F2"].value, sheet["F3"].value) == ("-2 minutes on hold", "#N/A")
    assert all(cell.data_type in ("s", "n", "b", "d") for row in sheet.iter_rows() for cell in row)
    assert {sheet["A2"].data_type, sheet["F3"].data_type} == {"s"}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "<f " not in xml and "'=1+1" not in xml


def test_school_export_headers_read_as_words(session: Session) -> None:
    _, round_, _ = _world(session)
    headers = {column.key: column.header for column in school_table(session, round_).columns}
    assert headers["overall"] == "Overall score (%)"
    assert headers["phone_contacts"] == "Phone call contacts"
    assert headers["visit_reach_rate"] == "Front-office visit reach rate (%)"
    assert headers["section_greeting"] == "Greeting score (%)"
    assert all("_" not in header for header in headers.values())
    items = {column.key: column.header for column in ITEM_COLUMNS}
    assert (
        items["auditor_pseudonym"] == "Auditor (pseudonym)"
        and items["fraction"] == "Share of points earned (%)"
    )
