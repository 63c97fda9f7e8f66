"""Rows of a school directory file, read through its layout and cleaned into school fields."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import String

from audits.errors import ValidationError
from audits.grades import is_grade_code, level_for_grades, normalise_grade
from audits.importers.csvfile import CsvTable
from audits.importers.layouts import ColumnMap, Standing, detect_layout
from audits.models import Level, School
from audits.phones import is_missing, normalise_phone

_FIELDS = (
    "nces_id",
    "name",
    "district",
    "street",
    "city",
    "state",
    "zip",
    "phone",
    "grade_low",
    "grade_high",
)


def _max_length(column: str) -> int:
    """The length limit of a ``schools`` column, so long values are caught before the database."""
    column_type = School.__table__.c[column].type
    if not isinstance(column_type, String) or column_type.length is None:
        raise TypeError(f"schools.{column} is not a string column of bounded length")
    return column_type.length


@dataclass(frozen=True)
class SchoolFields:
    """The school fields a directory file provides, cleaned and ready to store."""

    name: str
    level: Level
    grade_low: str | None
    grade_high: str | None
    phone: str | None
    street: str
    city: str
    state: str
    zip: str


@dataclass(frozen=True)
class CleanedRow:
    """A row's cleaned fields, its warnings, and the file's phone when it was not a valid number."""

    fields: SchoolFields
    warnings: list[str] = field(default_factory=list)
    rejected_phone: str | None = None


@dataclass(frozen=True)
class SchoolRow:
    """One data row of a directory file: its line, status and raw (stripped) values."""

    line: int
    raw: dict[str, str]
    standing: Standing
    status_reason: str

    @property
    def name(self) -> str:
        """The school's name as written, or ``""`` when missing."""
        return "" if is_missing(self.raw["name"]) else self.raw["name"]

    @property
    def district(self) -> str:
        """The district's name as written, or ``""`` when missing."""
        return "" if is_missing(self.raw["district"]) else self.raw["district"]


def read_school_rows(table: CsvTable) -> tuple[ColumnMap, list[SchoolRow]]:
    """Recognise ``table``'s layout and return it with every row's raw values and status."""
    columns = detect_layout(table.header)
    rows = []
    for row in table.rows:
        raw = {name: columns.value(row.values, name) for name in _FIELDS}
        status = columns.value(row.values, "status")
        standing = columns.layout.standing(status)
        rows.append(SchoolRow(row.line, raw, standing, columns.layout.status_reason(standing, status)))
    return columns, rows


def normalise_nces_id(raw: str) -> str:
    """Return a 12-digit NCES school id; an 11-digit one (leading zero lost) is zero-padded.

    Raises :class:`~audits.errors.ValidationError` on the ``nces_id`` field when
    ``raw`` is missing or not 11 or 12 digits.
    """
    text = raw.strip()
    if is_missing(text):
        raise ValidationError("nces_id", "missing NCES id")
    if not (text.isascii() and text.isdigit() and len(text) in (11, 12)):
        raise ValidationError("nces_id", f"invalid NCES id {text!r} (expected 12 digits)")
    return text.zfill(12)


def clean_row(row: SchoolRow) -> CleanedRow:
    """Clean a row's school fields.

    A grade, state, ZIP or address the school table cannot hold is left blank with a
    warning. An invalid phone is left blank and returned as ``rejected_phone``, so the
    caller can decide whether to keep a number it already has, and word the warning.
    """
    warnings: list[str] = []
    phone, rejected_phone = _phone(row.raw["phone"])
    fields = SchoolFields(
        name=row.name,
        level=level_for_grades(row.raw["grade_low"], row.raw["grade_high"]),
        grade_low=_grade(row.raw["grade_low"], warnings),
        grade_high=_grade(row.raw["grade_high"], warnings),
        phone=phone,
        street=_text(row.raw["street"], "street address", "street", warnings),
        city=_text(row.raw["city"], "city", "city", warnings),
        state=_state(row.raw["state"], warnings),
        zip=_zip(row.raw["zip"], warnings),
    )
    return CleanedRow(fields, warnings, rejected_phone)


def name_problem(row: SchoolRow) -> str | None:
    """Why a row's school name cannot be stored, or ``None`` when it is fine."""
    if not row.name:
        return "missing school name"
    if len(row.name) > _max_length("name"):
        return f"school name longer than {_max_length('name')} characters"
    return None


def _phone(raw: str) -> tuple[str | None, str | None]:
    """Return ``(E.164 number, None)``, or ``(None, raw)`` when ``raw`` is not a valid number."""
    try:
        return normalise_phone(raw), None
    except ValidationError:
        return None, raw


def _grade(raw: str, warnings: list[str]) -> str | None:
    """Normalise a grade code, warning about values that are no grade code at all."""
    if not is_grade_code(raw):
        warnings.append(f"grade {raw!r} is not a grade code; left blank")
    return normalise_grade(raw)


def _text(raw: str, label: str, column: str, warnings: list[str]) -> str:
    """Return a free-text field, or ``""`` (with a warning) when too long to store."""
    if is_missing(raw):
        return ""
    if len(raw) > _max_length(column):
        warnings.append(f"{label} is longer than {_max_length(column)} characters; left blank")
        return ""
    return raw


def _state(raw: str, warnings: list[str]) -> str:
    """Return a two-letter state code in upper case, or ``""`` (with a warning) when it is not one."""
    if is_missing(raw):
        return ""
    if re.fullmatch(r"[A-Za-z]{2}", raw):
        return raw.upper()
    warnings.append(f"state {raw!r} is not a two-letter state code; left blank")
    return ""


def _zip(raw: str, warnings: list[str]) -> str:
    """Return a 5-digit ZIP code, restoring leading zeros a spreadsheet dropped and cutting ZIP+4."""
    if is_missing(raw):
        return ""
    if re.fullmatch(r"\d{3,5}", raw):
        return raw.zfill(5)
    if re.fullmatch(r"\d{5}-?\d{4}", raw):
        return raw[:5]
    warnings.append(f"ZIP {raw!r} is not a 5-digit ZIP code; left blank")
    return ""
