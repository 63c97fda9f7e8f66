"""Import a school directory file (NCES school search export or CCD flat file) into districts' schools.

Schools are matched by NCES id. The importer adds and updates objects and flushes,
but never commits: when it raises :class:`ImportFileError` the caller rolls back
and the file has changed nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from audits.errors import ValidationError
from audits.importers.csvfile import ImportFileError, read_csv
from audits.importers.layouts import Standing
from audits.importers.school_rows import (
    CleanedRow,
    SchoolRow,
    clean_row,
    name_problem,
    normalise_nces_id,
    read_school_rows,
)
from audits.importers.timezones import timezone_for_state
from audits.models import District, School

__all__ = ["ImportFileError", "ImportReport", "SkippedRow", "import_schools"]

# NCES ids per query when loading the schools a file already matches.
_QUERY_CHUNK = 500


@dataclass
class SkippedRow:
    """A row that was not imported: its line, NCES id (as written when invalid) and why."""

    line: int
    nces_id: str
    reason: str
    name: str = field(default="", compare=False)

    def describe(self) -> str:
        """One report line, e.g. ``line 128: skipped 480894012807 IDEA ALLAN ACADEMY: closed (STATUS 2)``."""
        label = " ".join(part for part in (self.nces_id, self.name) if part) or "row"
        return f"line {self.line}: skipped {label}: {self.reason}"


@dataclass
class ImportReport:
    """What an import did: counts, the rows it skipped and the warnings it raised."""

    layout: str
    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: list[SkippedRow] = field(default_factory=list)
    warnings: list[tuple[int, str]] = field(default_factory=list)

    def summary(self) -> str:
        """The counts in one line: ``imported N, updated M, unchanged U, skipped K``."""
        return (
            f"imported {self.imported}, updated {self.updated}, "
            f"unchanged {self.unchanged}, skipped {len(self.skipped)}"
        )

    def lines(self) -> list[str]:
        """The summary, then one line per skipped row, then one line per warning."""
        skipped = [row.describe() for row in self.skipped]
        warnings = [f"line {line}: warning: {message}" for line, message in self.warnings]
        return [self.summary(), *skipped, *warnings]


def import_schools(session: Session, data: bytes, *, district_name: str | None = None) -> ImportReport:
    """Import the school directory file ``data`` and report what changed.

    With ``district_name`` every school goes to that district; otherwise each row's
    district comes from the file. Districts are found by exact name and created when
    missing. Raises :class:`ImportFileError` (field ``file``) when the file as a whole
    cannot be imported; rows that cannot be imported are skipped and reported.
    """
    columns, rows = read_school_rows(read_csv(data))
    district_name = district_name.strip() if district_name and district_name.strip() else None
    if district_name is None and not columns.has("district"):
        raise ImportFileError(
            "file",
            "the file has no district column ('District' in an NCES export, 'LEANM' in a CCD file); "
            "choose the district to import into",
        )
    run = _ImportRun(session, ImportReport(layout=columns.layout.name), district_name)
    run.load_existing(rows)
    for row in rows:
        run.apply(row)
    session.flush()
    return run.report


class _ImportRun:
    """The state of one import: existing schools and districts, and the NCES ids seen so far."""

    def __init__(self, session: Session, report: ImportReport, district_name: str | None) -> None:
        self.session = session
        self.report = report
        self.district_name = district_name
        self.schools: dict[str, School] = {}
        self.districts: dict[str, District] = {}
        self.seen: dict[str, int] = {}

    def load_existing(self, rows: list[SchoolRow]) -> None:
        """Load, in as few queries as possible, the districts and schools the rows refer to."""
        names = {self.district_name} if self.district_name else {row.district for row in rows if row.district}
        if names:
            districts = select(District).where(District.name.in_(names))
            self.districts = {district.name: district for district in self.session.scalars(districts)}
        ids = sorted({nces_id for row in rows if (nces_id := _valid_nces_id(row))})
        for chunk in _chunks(ids, _QUERY_CHUNK):
            schools = select(School).options(joinedload(School.district)).where(School.nces_id.in_(chunk))
            self.schools.update((school.nces_id, school) for school in self.session.scalars(schools))

    def apply(self, row: SchoolRow) -> None:
        """Import, update or skip one row."""
        try:
            nces_id = normalise_nces_id(row.raw["nces_id"])
        except ValidationError as error:
            return self.skip(row, row.raw["nces_id"], error.reason)
        if nces_id in self.seen:
            return self.skip(row, nces_id, f"duplicate of line {self.seen[nces_id]}")
        self.seen[nces_id] = row.line
        district_name = self.district_name or row.district
        if not district_name:
            return self.skip(row, nces_id, "missing district")
        school = self.schools.get(nces_id)
        if school is not None and school.district is not self.districts.get(district_name):
            return self.skip(row, nces_id, f"belongs to another district ({school.district.name})")
        if row.standing is not Standing.OPEN:
            return self.close(row, nces_id, school)
        problem = name_problem(row)
        if problem:
            return self.skip(row, nces_id, problem)
        cleaned = clean_row(row)
        self.report.warnings.extend((row.line, message) for message in cleaned.warnings)
        if school is None:
            return self.create(row, nces_id, district_name, cleaned)
        return self.update(row, school, cleaned)

    def close(self, row: SchoolRow, nces_id: str, school: School | None) -> None:
        """Deactivate a school the file lists as closed or inactive; skip other rows that are not open."""
        if school is None or row.standing not in (Standing.CLOSED, Standing.INACTIVE):
            return self.skip(row, nces_id, row.status_reason)
        if school.active:
            school.active = False
            self.report.updated += 1
        else:
            self.report.unchanged += 1
        return None

    def create(self, row: SchoolRow, nces_id: str, district_name: str, cleaned: CleanedRow) -> None:
        """Add a new, active school to its district, creating the district when needed."""
        district = self.districts.get(district_name) or self.create_district(
            district_name, cleaned.fields.state
        )
        self.warn_phone(row, cleaned, kept=None)
        self.session.add(School(district=district, nces_id=nces_id, active=True, **asdict(cleaned.fields)))
        self.report.imported += 1

    def update(self, row: SchoolRow, school: School, cleaned: CleanedRow) -> None:
        """Bring an existing school in line with the file; an invalid phone never replaces a stored one."""
        values = asdict(cleaned.fields) | {"active": True}
        if cleaned.rejected_phone is not None and school.phone:
            del values["phone"]
        self.warn_phone(row, cleaned, kept=school.phone)
        changed = {name: value for name, value in values.items() if getattr(school, name) != value}
        for name, value in changed.items():
            setattr(school, name, value)
        if changed:
            self.report.updated += 1
        else:
            self.report.unchanged += 1

    def create_district(self, name: str, state: str) -> District:
        """Create a district named ``name`` in the timezone of ``state``."""
        district = District(name=name, timezone=timezone_for_state(state))
        self.session.add(district)
        self.districts[name] = district
        return district

    def warn_phone(self, row: SchoolRow, cleaned: CleanedRow, kept: str | None) -> None:
        """Warn that the row's phone is not a valid number, saying what was stored instead."""
        if cleaned.rejected_phone is None:
            return
        outcome = f"kept the current number {kept}" if kept else "left blank"
        message = f"phone {cleaned.rejected_phone!r} is not a valid phone number; {outcome}"
        self.report.warnings.append((row.line, message))

    def skip(self, row: SchoolRow, nces_id: str, reason: str) -> None:
        """Record that ``row`` was not imported, and why."""
        self.report.skipped.append(SkippedRow(row.line, nces_id, reason, name=row.name))


def _valid_nces_id(row: SchoolRow) -> str | None:
    """The row's normalised NCES id, or ``None`` when it has no valid one."""
    try:
        return normalise_nces_id(row.raw["nces_id"])
    except ValidationError:
        return None


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    """Split ``items`` into lists of at most ``size``."""
    for start in range(0, len(items), size):
        yield items[start : start + size]
