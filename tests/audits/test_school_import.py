"""Importing NCES school directories: both real layouts, re-imports, and files that must be refused."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from audits.importers.schools import ImportFileError, ImportReport, SkippedRow, import_schools
from audits.importers.timezones import STATE_TIMEZONES, timezone_for_state
from audits.models import District, Level, School

FIXTURES = Path(__file__).parent / "fixtures"

NCES_HEADER = (
    "NCES School ID,School Name,District,Street Address,City,State,ZIP,Phone,Low Grade*,High Grade*,Status"
)
CCD_HEADER = "NCESSCH,LEANM,SCHNAM,PHONE,LSTREE,LCITY,LSTATE,LZIP,GSLO,GSHI,STATUS"

ABESS = "120048003173"
ALLISON = "480894000291"


def nces_row(**fields: str) -> str:
    """One NCES export row: Abess Park Elementary unless fields say otherwise."""
    values = {
        "nces_id": ABESS,
        "name": "ABESS PARK ELEMENTARY SCHOOL",
        "district": "DUVAL",
        "street": "12731 ABESS BLVD",
        "city": "JACKSONVILLE",
        "state": "FL",
        "zip": "32225",
        "phone": "(904)220-1260",
        "low": "PK",
        "high": "05",
        "status": "Open",
    }
    values.update(fields)
    return ",".join(values.values())


def csv_bytes(header: str, *rows: str, encoding: str = "utf-8") -> bytes:
    """A CSV file with CRLF line ends, as NCES serves them."""
    return "".join(f"{line}\r\n" for line in (header, *rows)).encode(encoding)


def edit_row(data: bytes, nces_id: str, old: str, new: str) -> bytes:
    """Replace ``old`` by ``new`` in the one line of ``data`` that starts with (or holds) ``nces_id``."""
    lines = data.decode("utf-8").split("\r\n")
    (index,) = [i for i, line in enumerate(lines) if f"{nces_id}," in line]
    assert old in lines[index]
    lines[index] = lines[index].replace(old, new)
    return "\r\n".join(lines).encode("utf-8")


def count(session: Session, model: type[Any]) -> int:
    """How many rows ``model``'s table holds."""
    return session.scalar(select(func.count()).select_from(model)) or 0


def school(session: Session, nces_id: str) -> School:
    """The school with ``nces_id``."""
    found = session.scalar(select(School).where(School.nces_id == nces_id))
    assert found is not None, nces_id
    return found


@pytest.fixture
def duval(shared_schools_dir: Path) -> bytes:
    """Duval County's NCES search export, as published."""
    return (shared_schools_dir / "duval_fl_nces_export.csv").read_bytes()


@pytest.fixture
def austin(shared_schools_dir: Path) -> bytes:
    """Austin ISD's CCD flat file, as published."""
    return (shared_schools_dir / "austin_isd_ccd_2013.csv").read_bytes()


@pytest.fixture
def statements(session: Session) -> Iterator[list[str]]:
    """Every SQL statement run while the test runs."""
    engine = session.get_bind()
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine, "before_cursor_execute", record)


# --- the two real files -------------------------------------------------------------------------


def test_duval_nces_export_imports_every_open_school(session: Session, duval: bytes) -> None:
    report = import_schools(session, duval)

    assert report.layout == "nces-export"
    assert report.summary() == "imported 208, updated 0, unchanged 0, skipped 2"
    assert report.skipped == [
        SkippedRow(70, "120048010754", "not yet open (Status Future)"),
        SkippedRow(76, "120048010753", "not yet open (Status Future)"),
    ]
    assert report.warnings == []
    assert count(session, School) == 208
    district = session.scalars(select(District)).one()
    assert (district.name, district.timezone) == ("DUVAL", "America/New_York")


def test_austin_ccd_file_imports_open_and_new_schools(session: Session, austin: bytes) -> None:
    report = import_schools(session, austin)

    assert report.layout == "ccd"
    assert report.summary() == "imported 128, updated 0, unchanged 0, skipped 5"
    assert [(row.line, row.nces_id, row.reason) for row in report.skipped] == [
        (77, "480894005394", "inactive (STATUS 6)"),
        (113, "480894011060", "inactive (STATUS 6)"),
        (118, "480894011065", "inactive (STATUS 6)"),
        (128, "480894012807", "closed (STATUS 2)"),
        (132, "480894012856", "closed (STATUS 2)"),
    ]
    assert "line 128: skipped 480894012807 IDEA ALLAN ACADEMY: closed (STATUS 2)" in report.lines()
    assert school(session, "480894013004").name == "DELL CHILDREN'S MEDICAL CENTER"  # STATUS 3, new
    district = session.scalars(select(District)).one()
    assert (district.name, district.timezone) == ("AUSTIN ISD", "America/Chicago")


def test_fields_are_stored_as_the_file_gives_them(session: Session, duval: bytes, austin: bytes) -> None:
    import_schools(session, duval)
    import_schools(session, austin)

    abess = school(session, ABESS)
    assert (abess.name, abess.phone, abess.grade_low, abess.grade_high) == (
        "ABESS PARK ELEMENTARY SCHOOL",
        "+19042201260",
        "PK",
        "05",
    )
    assert (abess.street, abess.city, abess.state, abess.zip) == (
        "12731 ABESS BLVD",
        "JACKSONVILLE",
        "FL",
        "32225",
    )
    assert abess.active is True
    assert abess.languages == ["en"]
    allison = school(session, ALLISON)
    assert (allison.name, allison.phone, allison.street, allison.zip) == (
        "ALLISON EL",
        "+15124142004",
        "515 VARGAS RD",
        "78741",
    )


@pytest.mark.parametrize(
    ("file", "nces_id", "level"),
    [
        ("duval", ABESS, Level.ELEMENTARY),  # PK-05
        ("duval", "120048000663", Level.MIDDLE),  # 06-08
        ("duval", "120048000649", Level.HIGH),  # 09-12
        ("duval", "120048000773", Level.HIGH),  # 08-12
        ("duval", "120048000769", Level.OTHER),  # 06-12
        ("duval", "120048008874", Level.OTHER),  # PK-12
        ("austin", ALLISON, Level.ELEMENTARY),  # PK-05
        ("austin", "480894000292", Level.HIGH),  # 09-12
        ("austin", "480894013004", Level.OTHER),  # 09-10
    ],
)
def test_levels_follow_the_grade_span(
    session: Session, request: pytest.FixtureRequest, file: str, nces_id: str, level: Level
) -> None:
    import_schools(session, request.getfixturevalue(file))
    assert school(session, nces_id).level is level


# --- re-imports -----------------------------------------------------------------------------------


@pytest.mark.parametrize("file", ["duval", "austin"])
def test_reimporting_the_same_file_changes_nothing(
    session: Session, request: pytest.FixtureRequest, file: str
) -> None:
    data = request.getfixturevalue(file)
    first = import_schools(session, data)
    session.commit()

    second = import_schools(session, data)

    assert (second.imported, second.updated, second.unchanged) == (0, 0, first.imported)
    assert second.skipped == first.skipped
    assert count(session, School) == first.imported
    assert count(session, District) == 1


def test_reimport_loads_existing_schools_in_one_query(
    session: Session, duval: bytes, statements: list[str]
) -> None:
    import_schools(session, duval)
    session.commit()
    statements.clear()

    import_schools(session, duval)

    selects = [sql for sql in statements if sql.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 3  # the district, the schools, then the district's LEAs and states


def test_a_changed_phone_updates_that_school_only(session: Session, duval: bytes) -> None:
    import_schools(session, duval)
    session.commit()

    report = import_schools(session, edit_row(duval, ABESS, "(904)220-1260", "(904)220-1299"))

    assert report.summary() == "imported 0, updated 1, unchanged 207, skipped 2"
    assert school(session, ABESS).phone == "+19042201299"


def test_a_school_closed_since_the_last_import_is_deactivated(session: Session, duval: bytes) -> None:
    import_schools(session, duval)
    session.commit()
    closed = edit_row(duval, ABESS, ",Regular,Open", ",Regular,Closed")

    report = import_schools(session, closed)

    assert report.summary() == "imported 0, updated 1, unchanged 207, skipped 2"
    assert [row.line for row in report.skipped] == [70, 76]
    assert school(session, ABESS).active is False
    session.commit()
    assert import_schools(session, closed).summary() == "imported 0, updated 0, unchanged 208, skipped 2"
    reopened = import_schools(session, duval)
    assert reopened.updated == 1
    assert school(session, ABESS).active is True


def test_reimport_leaves_fields_the_file_does_not_have_alone(session: Session) -> None:
    import_schools(session, csv_bytes(NCES_HEADER, nces_row()))
    abess = school(session, ABESS)
    abess.email = "office@abess.example.org"
    abess.principal_name = "Pat Principal"
    abess.languages = ["en", "es"]
    session.commit()

    report = import_schools(session, csv_bytes(NCES_HEADER, nces_row(name="ABESS PARK ELEMENTARY")))

    assert report.updated == 1
    session.refresh(abess)
    assert abess.name == "ABESS PARK ELEMENTARY"
    assert (abess.email, abess.principal_name, abess.languages) == (
        "office@abess.example.org",
        "Pat Principal",
        ["en", "es"],
    )


# --- districts --------------------------------------------------------------------------------------


def test_district_name_puts_every_school_in_that_district(
    session: Session, duval: bytes, austin: bytes
) -> None:
    office = District(name="Central Office", timezone="America/Denver")
    session.add(office)
    session.commit()

    first = import_schools(session, duval, district_name="Central Office")
    second = import_schools(session, austin, district_name="Central Office", allow_other_lea=True)

    assert (first.imported, second.imported) == (208, 128)
    assert session.scalars(select(District.name)).all() == ["Central Office"]
    assert office.timezone == "America/Denver"
    assert count(session, School) == 336
    assert {s.district_id for s in session.scalars(select(School))} == {office.id}


def test_a_named_district_that_does_not_exist_is_created(session: Session, austin: bytes) -> None:
    import_schools(session, austin, district_name="Austin Independent School District")
    district = session.scalars(select(District)).one()
    assert (district.name, district.timezone) == ("Austin Independent School District", "America/Chicago")


def test_a_school_of_another_district_is_skipped(session: Session, duval: bytes) -> None:
    import_schools(session, duval)
    session.commit()

    report = import_schools(
        session, csv_bytes(NCES_HEADER, nces_row(phone="(904)220-1299")), district_name="Other"
    )

    assert report.skipped == [SkippedRow(2, ABESS, "belongs to another district (DUVAL)")]
    assert school(session, ABESS).phone == "+19042201260"
    assert count(session, District) == 1


def test_a_file_without_district_column_needs_a_district_name(session: Session) -> None:
    header = "NCES School ID,School Name,Phone"
    data = csv_bytes(header, f"{ABESS},ABESS PARK ELEMENTARY SCHOOL,(904)220-1260")

    with pytest.raises(ImportFileError, match="no district column"):
        import_schools(session, data)
    assert import_schools(session, data, district_name="Duval County").imported == 1


def test_new_districts_get_the_timezone_of_their_state(session: Session) -> None:
    rows = [
        nces_row(nces_id="061234500001", district="LOS ANGELES UNIFIED", state="CA"),
        nces_row(nces_id="040000100001", district="PHOENIX ELEMENTARY", state="az"),
        nces_row(nces_id="990000100001", district="SOMEWHERE", state="ZZ"),
    ]
    import_schools(session, csv_bytes(NCES_HEADER, *rows))
    zones = dict(session.execute(select(District.name, District.timezone)).tuples().all())
    assert zones == {
        "LOS ANGELES UNIFIED": "America/Los_Angeles",
        "PHOENIX ELEMENTARY": "America/Phoenix",
        "SOMEWHERE": "America/New_York",
    }


def test_every_state_and_territory_has_a_real_timezone() -> None:
    assert len(STATE_TIMEZONES) == 56  # 50 states, DC, PR, GU, VI, AS, MP
    for zone in STATE_TIMEZONES.values():
        ZoneInfo(zone)
    assert timezone_for_state("fl") == "America/New_York"
    assert timezone_for_state("IN") == "America/Indiana/Indianapolis"
    assert timezone_for_state("HI") == "Pacific/Honolulu"
    assert timezone_for_state(None) == "America/New_York"


# --- rows that are skipped or warned about -----------------------------------------------------------


def test_a_duplicate_nces_id_is_skipped(session: Session) -> None:
    data = csv_bytes(NCES_HEADER, nces_row(), nces_row(name="ABESS AGAIN"))

    report = import_schools(session, data)

    assert report.imported == 1
    assert report.skipped == [SkippedRow(3, ABESS, "duplicate of line 2")]
    assert school(session, ABESS).name == "ABESS PARK ELEMENTARY SCHOOL"


def test_an_eleven_digit_nces_id_regains_its_leading_zero(session: Session) -> None:
    data = csv_bytes(NCES_HEADER, nces_row(nces_id="61234500001", district="LOS ANGELES UNIFIED", state="CA"))

    import_schools(session, data)

    assert school(session, "061234500001").state == "CA"


@pytest.mark.parametrize(
    ("nces_id", "name", "reason"),
    [
        ("", "NO ID SCHOOL", "missing NCES id"),
        ("\u2020", "NO ID SCHOOL", "missing NCES id"),
        ("1.20048E+11", "EXCEL SCHOOL", "invalid NCES id '1.20048E+11' (expected 12 digits)"),
        ("1200480031", "SHORT SCHOOL", "invalid NCES id '1200480031' (expected 12 digits)"),
        (ABESS, "", "missing school name"),
        (ABESS, "X" * 201, "school name longer than 200 characters"),
    ],
)
def test_rows_without_a_usable_id_or_name_are_skipped(
    session: Session, nces_id: str, name: str, reason: str
) -> None:
    report = import_schools(session, csv_bytes(NCES_HEADER, nces_row(nces_id=nces_id, name=name)))

    assert [(row.line, row.reason) for row in report.skipped] == [(2, reason)]
    assert count(session, School) == 0


def test_an_invalid_phone_is_left_blank_with_a_warning(session: Session) -> None:
    report = import_schools(session, csv_bytes(NCES_HEADER, nces_row(phone="(123)456-7890")))

    assert report.imported == 1
    assert report.warnings == [(2, "phone '(123)456-7890' is not a valid phone number; left blank")]
    assert (
        report.lines()[-1] == "line 2: warning: phone '(123)456-7890' is not a valid phone number; left blank"
    )
    assert school(session, ABESS).phone is None


def test_an_invalid_phone_never_replaces_a_stored_one(session: Session) -> None:
    import_schools(session, csv_bytes(NCES_HEADER, nces_row()))
    session.commit()

    report = import_schools(session, csv_bytes(NCES_HEADER, nces_row(phone="(123)456-7890")))

    assert report.unchanged == 1
    assert report.warnings == [
        (2, "phone '(123)456-7890' is not a valid phone number; kept the current number +19042201260")
    ]
    assert school(session, ABESS).phone == "+19042201260"


def test_ccd_codes_and_markers_are_read(session: Session) -> None:
    rows = [
        "480894000291,AUSTIN ISD,ALLISON EL,5124142004,515 VARGAS RD,AUSTIN,tx,8741,K,5,01",
        "480894000292,AUSTIN ISD,ANDERSON H S,M,N,AUSTIN,TX,78759-8199,N,N,8",
        "480894000293,AUSTIN ISD,FUTURE EL,5124142000,1 MAIN ST,AUSTIN,TX,78759,PK,05,7",
        "480894000294,AUSTIN ISD,ODD EL,5124142000,1 MAIN ST,AUSTIN,TX,78759,PK,05,9",
    ]
    report = import_schools(session, csv_bytes(CCD_HEADER, *rows))

    assert report.summary() == "imported 2, updated 0, unchanged 0, skipped 2"
    assert [row.reason for row in report.skipped] == ["not yet open (STATUS 7)", "unknown status (STATUS 9)"]
    allison = school(session, ALLISON)
    assert (allison.state, allison.zip, allison.grade_low, allison.grade_high, allison.level) == (
        "TX",
        "08741",
        "KG",
        "05",
        Level.ELEMENTARY,
    )
    anderson = school(session, "480894000292")
    assert (anderson.phone, anderson.street, anderson.zip, anderson.grade_low, anderson.level) == (
        None,
        "",
        "78759",
        None,
        Level.OTHER,
    )


def test_unreadable_grades_states_and_zips_are_left_blank_with_warnings(session: Session) -> None:
    report = import_schools(session, csv_bytes(NCES_HEADER, nces_row(low="P3", state="Florida", zip="3222")))

    assert report.imported == 1
    assert report.warnings == [
        (2, "grade 'P3' is not a grade code; left blank"),
        (2, "state 'Florida' is not a two-letter state code; left blank"),
    ]
    abess = school(session, ABESS)
    assert (abess.grade_low, abess.state, abess.zip, abess.level) == (None, "", "03222", Level.OTHER)


# --- headers and encodings ---------------------------------------------------------------------------


def test_headers_match_in_any_case_order_and_spacing(session: Session) -> None:
    header = " status ,EXTRA COLUMN, phone,nces school id,SCHOOL NAME , district,Low Grade,HIGH GRADE*"
    data = csv_bytes(header, f"Open,x,(904)220-1260,{ABESS},ABESS PARK ELEMENTARY SCHOOL,DUVAL,PK,05")

    report = import_schools(session, data)

    assert (report.layout, report.imported) == ("nces-export", 1)
    assert (school(session, ABESS).phone, school(session, ABESS).level) == ("+19042201260", Level.ELEMENTARY)


def test_a_utf8_bom_is_ignored(session: Session, duval: bytes) -> None:
    report = import_schools(session, b"\xef\xbb\xbf" + duval)
    assert (report.layout, report.imported, len(report.skipped)) == ("nces-export", 208, 2)


def test_a_windows_1252_file_is_decoded(session: Session) -> None:
    data = csv_bytes(NCES_HEADER, nces_row(name="ESCUELA SANTA MAR\u00cdA"), encoding="cp1252")
    assert b"MAR\xcdA" in data

    import_schools(session, data)

    assert school(session, ABESS).name == "ESCUELA SANTA MAR\u00cdA"


# --- files that are refused as a whole -----------------------------------------------------------------


def test_a_broken_row_changes_nothing(session: Session, duval: bytes) -> None:
    lines = duval.split(b"\r\n")
    lines[99] = b",".join(lines[99].split(b",")[:5])  # line 100 keeps only 5 of its 26 fields
    broken = b"\r\n".join(lines)

    with pytest.raises(ImportFileError) as caught:
        import_schools(session, broken)

    assert caught.value.problems == [("file", "line 100: found 5 fields where the header has 26")]
    assert (count(session, School), count(session, District)) == (0, 0)  # nothing was even flushed
    session.rollback()
    assert (count(session, School), count(session, District)) == (0, 0)


def test_a_csv_error_mid_file_names_its_line(session: Session) -> None:
    data = csv_bytes(NCES_HEADER, nces_row(), nces_row(name='"BROKEN" QUOTE'))

    with pytest.raises(ImportFileError, match=r"^file: line 3: this is not valid CSV"):
        import_schools(session, data)
    assert count(session, School) == 0


def test_a_binary_file_is_refused(session: Session) -> None:
    png = (FIXTURES / "not_a_csv.png").read_bytes()
    with pytest.raises(ImportFileError) as caught:
        import_schools(session, png)
    assert caught.value.problems == [("file", "this is not a CSV file: it contains binary data")]


@pytest.mark.parametrize("signature", [b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"])
def test_an_excel_workbook_is_refused_with_advice(session: Session, signature: bytes) -> None:
    with pytest.raises(ImportFileError, match="spreadsheet, not a CSV file: save it as CSV"):
        import_schools(session, signature + b"\x14\x00\x06\x00 rest of the workbook")


def test_bytes_that_are_no_text_are_refused(session: Session) -> None:
    with pytest.raises(ImportFileError, match="not a CSV file"):
        import_schools(session, b"NCES School ID,School Name\r\n\x81\x8d\x8f\x90\x9d\x1a\r\n")


@pytest.mark.parametrize("data", [b"", b"\xef\xbb\xbf", b"\r\n\r\n", b"  \n"])
def test_an_empty_file_is_refused(session: Session, data: bytes) -> None:
    with pytest.raises(ImportFileError) as caught:
        import_schools(session, data)
    assert caught.value.problems == [("file", "the file is empty")]


def test_a_header_only_file_imports_nothing(session: Session) -> None:
    report = import_schools(session, csv_bytes(NCES_HEADER))
    assert report.summary() == "imported 0, updated 0, unchanged 0, skipped 0"


def test_an_unknown_header_is_refused_naming_the_expected_columns(session: Session) -> None:
    data = csv_bytes("Name,Address,Telephone", "Some School,1 Main St,555-0100")

    with pytest.raises(ImportFileError) as caught:
        import_schools(session, data)

    error = caught.value
    assert error.field == "file"
    assert error.reason.startswith("the header row matches no known school directory layout")
    for column in ("'NCES School ID'", "'School Name'", "'NCESSCH'", "'SCHNAM'", "found 'Name', 'Address'"):
        assert column in error.reason


def test_a_semicolon_separated_file_gets_a_hint(session: Session) -> None:
    with pytest.raises(ImportFileError, match="does not seem to be comma-separated"):
        import_schools(session, b"NCES School ID;School Name\r\n120048003173;ABESS\r\n")


def test_a_half_recognised_header_names_the_missing_column(session: Session) -> None:
    with pytest.raises(ImportFileError, match="looks like a CCD flat file but has no 'SCHNAM' column"):
        import_schools(session, csv_bytes("NCESSCH,LEANM", "480894000291,AUSTIN ISD"))


# --- the report ----------------------------------------------------------------------------------------


def test_report_lines_list_the_summary_then_skips_then_warnings() -> None:
    report = ImportReport(layout="ccd", imported=3, updated=1, unchanged=2)
    report.skipped.append(SkippedRow(57, "480894012807", "closed (STATUS 2)", name="IDEA ALLAN ACADEMY"))
    report.skipped.append(SkippedRow(60, "", "missing NCES id"))
    report.warnings.append((9, "phone 'x' is not a valid phone number; left blank"))

    assert report.lines() == [
        "imported 3, updated 1, unchanged 2, skipped 2",
        "line 57: skipped 480894012807 IDEA ALLAN ACADEMY: closed (STATUS 2)",
        "line 60: skipped row: missing NCES id",
        "line 9: warning: phone 'x' is not a valid phone number; left blank",
    ]
