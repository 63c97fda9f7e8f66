"""Import a district's own school directory (CSV or XLSX): contact details the NCES files lack.

Columns (a header row, any order, case ignored, other columns ignored): ``nces_id`` or
``school_code`` (the district's own code; with both, a school matched by NCES id gets
the code), and any of ``email``, ``phone``, ``principal_name``, ``website``,
``languages`` (``;``-separated codes such as ``en;es``) and ``hours`` (office hours).
Only non-empty cells change a field. ``check_directory`` checks the whole file and
changes nothing: each row is planned (its changes, old → new) or refused with every
reason, by line. ``save_directory`` applies the planned rows as one import batch (so
it can be undone) with a history row per changed field; it flushes, the caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from audits import audit_log
from audits.accounts import normalise_email
from audits.errors import ValidationError
from audits.importers.csvfile import ImportFileError
from audits.importers.school_rows import normalise_nces_id
from audits.importers.staff import read_table
from audits.models import BatchKind, District, ImportBatch, School, User
from audits.phones import normalise_phone
from audits.school_history import record_changes, snapshot
from audits.vocabulary import count_of, is_known_language, plural
from audits.websites import clean_website

__all__ = ["DirectoryCheck", "DirectoryRow", "check_directory", "read_directory", "save_directory"]

KEY_COLUMNS = ("nces_id", "school_code")
VALUE_COLUMNS = ("email", "phone", "principal_name", "website", "languages", "hours")
# The school field each value column fills.
FIELD_OF = {"hours": "office_hours", "school_code": "code"}
MAX_ROWS = 20_000
_LIMITS = {"principal_name": 200, "website": 300, "hours": 100, "school_code": 40}


@dataclass(frozen=True)
class DirectoryRow:
    """One row as written: its line and its known columns' text."""

    line: int
    values: dict[str, str]


@dataclass(frozen=True)
class PlannedRow:
    """An accepted row: the school it matches and its changes as ``field: (old, new)``."""

    line: int
    school: School
    values: dict[str, Any]
    changes: dict[str, tuple[Any, Any]]


@dataclass
class DirectoryCheck:
    """A checked directory: planned rows (changed or not) and refused ones as ``(line, reason)``."""

    district: District
    planned: list[PlannedRow] = field(default_factory=list)
    refused: list[tuple[int, str]] = field(default_factory=list)

    @property
    def changed(self) -> list[PlannedRow]:
        """The planned rows that change something."""
        return [row for row in self.planned if row.changes]

    @property
    def refused_rows(self) -> int:
        """How many rows were refused (a row may have several reasons)."""
        return len({line for line, _reason in self.refused})

    def errors(self) -> list[str]:
        """One line per refusal: ``line 4: no school with NCES id 120048000999 in Duval …``."""
        return [f"line {line}: {reason}" for line, reason in self.refused]

    def summary(self) -> str:
        """``N schools changed, U unchanged, R rows refused``."""
        changed = len(self.changed)
        return (
            f"{count_of(changed, 'school')} changed, "
            f"{len(self.planned) - changed} unchanged, {count_of(self.refused_rows, 'row')} refused"
        )


def read_directory(data: bytes) -> list[DirectoryRow]:
    """Read a directory file into rows of its known columns.

    Raises :class:`ImportFileError` when the file cannot be read, has neither ``nces_id`` nor
    ``school_code``, no column to change, or too many rows.
    """
    header, rows = read_table(data)
    numbered = reversed(list(enumerate(header)))  # the first of two same-named columns wins
    columns = {name.strip().lower().replace(" ", "_"): index for index, name in numbered}
    if not any(name in columns for name in KEY_COLUMNS):
        raise ImportFileError(
            "file", "the file has neither an nces_id nor a school_code column: one of them names each school"
        )
    if not any(name in columns for name in VALUE_COLUMNS):
        raise ImportFileError("file", f"the file has no column to import (any of {', '.join(VALUE_COLUMNS)})")
    if len(rows) > MAX_ROWS:
        raise ImportFileError("file", f"the file has {len(rows)} rows; import at most {MAX_ROWS} at once")
    known = [name for name in (*KEY_COLUMNS, *VALUE_COLUMNS) if name in columns]
    return [
        DirectoryRow(line, {name: _cell(values, columns[name]) for name in known})
        for line, values in rows
        if any(value.strip() for value in values)
    ]


def _cell(values: list[str], index: int) -> str:
    return values[index].strip() if index < len(values) else ""


def check_directory(session: Session, district: District, rows: list[DirectoryRow]) -> DirectoryCheck:
    """Check every row against the district's schools; change nothing.

    A row is refused for an unknown school, a second row for the same school, a malformed
    email, phone or website, an unknown language code, a value too long, or a code another
    school of the district already has.
    """
    check = DirectoryCheck(district)
    schools = list(session.scalars(select(School).where(School.district_id == district.id)))
    by_nces = {school.nces_id: school for school in schools}
    by_code = {school.code.lower(): school for school in schools if school.code}
    seen: dict[int, int] = {}
    codes: dict[str, int] = {}
    for row in rows:
        problems: list[str] = []
        school = _match(row, district, by_nces, by_code, problems)
        values = _values(row, problems)
        if school is not None and school.id in seen:
            problems.append(f"{school.name} is already on line {seen[school.id]}")
        code = values.get("code")
        if school is not None and code:
            owner = by_code.get(code.lower())
            if owner is not None and owner.id != school.id:
                problems.append(f"school_code {code} is already {owner.name}'s")
            elif code.lower() in codes:
                problems.append(f"school_code {code} is also on line {codes[code.lower()]}")
        if problems or school is None:
            check.refused.extend((row.line, problem) for problem in problems)
            continue
        seen[school.id] = row.line
        if code:
            codes[code.lower()] = row.line
        changes = {
            name: (_stored(getattr(school, name)), value)
            for name, value in values.items()
            if _stored(getattr(school, name)) != value
        }
        check.planned.append(PlannedRow(row.line, school, values, changes))
    return check


def _match(
    row: DirectoryRow,
    district: District,
    by_nces: dict[str, School],
    by_code: dict[str, School],
    problems: list[str],
) -> School | None:
    """The district's school a row names by NCES id (first) or code, or ``None`` with the problem."""
    raw_id = row.values.get("nces_id", "")
    code = row.values.get("school_code", "")
    if raw_id:
        try:
            nces_id = normalise_nces_id(raw_id)
        except ValidationError as error:
            problems.append(error.reason)
            return None
        school = by_nces.get(nces_id)
        if school is None:
            problems.append(f"no school with NCES id {nces_id} in {district.name}")
        return school
    if code:
        school = by_code.get(code.lower())
        if school is None:
            problems.append(f"no school with code {code} in {district.name}")
        return school
    problems.append("neither an nces_id nor a school_code: which school is this?")
    return None


def _values(row: DirectoryRow, problems: list[str]) -> dict[str, Any]:
    """The row's non-empty cells, checked and normalised, keyed by school field."""
    values: dict[str, Any] = {}
    for column in ("school_code", *VALUE_COLUMNS):
        text = row.values.get(column, "")
        if not text:
            continue
        if column == "school_code" and not row.values.get("nces_id"):
            continue  # the code named the school; it sets nothing
        limit = _LIMITS.get(column)
        if limit is not None and len(text) > limit:
            problems.append(f"{column} is longer than {limit} characters")
            continue
        try:
            values[FIELD_OF.get(column, column)] = _clean(column, text)
        except ValidationError as error:
            problems.append(f"{column}: {error.reason}")
    return values


def _clean(column: str, text: str) -> Any:
    """One cell's value as the school keeps it, or a ``ValidationError`` saying what is wrong."""
    if column == "email":
        return normalise_email(text)
    if column == "phone":
        return normalise_phone(text)
    if column == "website":
        return clean_website(text)
    if column == "languages":
        codes = [code.strip().lower() for code in text.replace(",", ";").split(";") if code.strip()]
        unknown = [code for code in codes if not is_known_language(code)]
        if unknown:
            raise ValidationError(
                "languages", f"unknown language {plural(len(unknown), 'code')} {', '.join(unknown)}"
            )
        return list(dict.fromkeys(codes))
    return text


def _stored(value: Any) -> Any:
    return list(value) if isinstance(value, list) else value


def save_directory(
    session: Session,
    check: DirectoryCheck,
    actor: User | None,
    *,
    file_name: str = "",
    valid_only: bool = False,
) -> ImportBatch:
    """Apply the planned rows as one import batch, keeping each change in the school's history; flush.

    Raises :class:`ValidationError` (field ``file``) when rows were refused and ``valid_only``
    is not set: a file with refused rows saves nothing unless its valid rows are wanted alone.
    """
    if check.refused and not valid_only:
        raise ValidationError(
            "file",
            f"{count_of(check.refused_rows, 'row')} {plural(check.refused_rows, 'was', 'were')} refused: "
            "nothing was saved (fix the file, or import the valid rows only)",
        )
    batch = ImportBatch(
        kind=BatchKind.DIRECTORY,
        district=check.district,
        actor=actor,
        file_name=file_name[:255],
        changed=len(check.changed),
        unchanged=len(check.planned) - len(check.changed),
        skipped=check.refused_rows,
    )
    session.add(batch)
    for row in check.changed:
        before = snapshot(row.school)
        for name, (_old, new) in row.changes.items():
            setattr(row.school, name, new)
        record_changes(session, row.school, before, actor, batch)
    session.flush()
    audit_log.record(
        session,
        actor,
        audit_log.SCHOOLS_DIRECTORY_IMPORTED,
        district=check.district,
        batch=batch.id,
        file=batch.file_name,
        changed=batch.changed,
        refused=batch.skipped,
    )
    return batch
