"""Import a school directory file (NCES school search export or CCD flat file) into districts' schools.

Schools are matched by NCES id. The importer adds and updates objects and flushes,
but never commits: when it raises :class:`ImportFileError` the caller rolls back
and the file has changed nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from audits import audit_log
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
from audits.models import BatchKind, District, ImportBatch, School, User
from audits.school_history import record_changes, record_created, snapshot
from audits.vocabulary import count_of

__all__ = [
    "FieldChange",
    "ImportFileError",
    "ImportReport",
    "OtherDistrictFileError",
    "SkippedRow",
    "import_schools",
]

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


@dataclass(frozen=True)
class FieldChange:
    """One field of one school an import changes: the line, the school, the field, old and new value."""

    line: int
    nces_id: str
    name: str
    field: str
    old: Any
    new: Any


@dataclass(frozen=True)
class OtherLea:
    """Schools of a file that belong to another LEA or state than their district's schools."""

    lea_id: str
    state: str
    district_in_file: str
    count: int

    def describe(self) -> str:
        """``128 schools of AUSTIN ISD (TX, LEA 4808940)``."""
        where = ", ".join(part for part in (self.state, f"LEA {self.lea_id}") if part)
        owner = f" of {self.district_in_file}" if self.district_in_file else ""
        return f"{count_of(self.count, 'school')}{owner} ({where})"


class OtherDistrictFileError(ImportFileError):
    """The file holds schools of another LEA or state than the district's: refused whole unless allowed."""

    def __init__(self, district: District, expected: str, others: list[OtherLea]) -> None:
        self.district_name = district.name
        self.expected = expected
        self.others = others
        found = "; ".join(other.describe() for other in others)
        super().__init__(
            "file",
            f"this file holds {found}; the schools of {district.name} are in {expected}. "
            "Nothing was imported: check that this is your district's file, or confirm that these "
            "schools belong to it",
        )


@dataclass
class ImportReport:
    """What an import did: counts, the rows it skipped and the warnings it raised."""

    layout: str
    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: list[SkippedRow] = field(default_factory=list)
    warnings: list[tuple[int, str]] = field(default_factory=list)
    # The schools created, as ``(line, nces_id, name)``, and every changed field.
    created: list[tuple[int, str, str]] = field(default_factory=list)
    changes: list[FieldChange] = field(default_factory=list)
    # Schools of another LEA or state imported because the person allowed it.
    other_leas: list[OtherLea] = field(default_factory=list)
    batch: ImportBatch | None = None

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


def import_schools(
    session: Session,
    data: bytes,
    *,
    district_name: str | None = None,
    allow_other_lea: bool = False,
    actor: User | None = None,
    file_name: str = "",
) -> ImportReport:
    """Import the school directory file ``data`` as one batch, and report what changed.

    With ``district_name`` every school goes to that district; otherwise each row's
    district comes from the file. Districts are found by exact name and created when
    missing. Raises :class:`ImportFileError` (field ``file``) when the file as a whole
    cannot be imported; rows that cannot be imported are skipped and reported.

    A district that has schools accepts only rows of its schools' LEAs (the first 7 digits
    of the NCES id, plus those its first import recorded) and states: any other row
    refuses the whole file (:class:`OtherDistrictFileError`) unless ``allow_other_lea``.
    The first import into an empty district records the file's LEAs as the district's.
    The batch (``report.batch``) keeps every school created and field changed, with the
    old value, so the import can be undone (``audits.school_imports.undo_import``).
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
    run.check_leas(rows, allow_other_lea)
    run.start_batch(actor, file_name)
    for row in rows:
        run.apply(row)
    run.finish_batch()
    session.flush()
    batch = run.report.batch
    if batch is not None:
        audit_log.record(
            session,
            actor,
            audit_log.SCHOOLS_IMPORTED,
            district=batch.district,
            batch=batch.id,
            file=batch.file_name,
            created=batch.created,
            changed=batch.changed,
            skipped=batch.skipped,
            other_lea=batch.allowed_other,
        )
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
        self.batch: ImportBatch | None = None
        self.actor: User | None = None
        self.recorded_leas: list[str] = []
        self.new_district_leas: dict[str, list[str]] = {}

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

    def check_leas(self, rows: list[SchoolRow], allow_other_lea: bool) -> None:
        """Refuse the file when rows belong to another LEA or state than their district's schools.

        A district without schools (nor recorded LEAs) takes the file's LEAs as its own.
        """
        by_district: dict[str, list[SchoolRow]] = {}
        for row in rows:
            name = self.district_name or row.district
            if name and _valid_nces_id(row) and row.standing is Standing.OPEN:
                by_district.setdefault(name, []).append(row)
        for name, district_rows in by_district.items():
            district = self.districts.get(name)
            leas = {nces_id[:7] for row in district_rows if (nces_id := _valid_nces_id(row))}
            if district is None:
                self.new_district_leas[name] = sorted(leas)
                self.recorded_leas = sorted({*self.recorded_leas, *leas})
                continue
            expected_leas, expected_states = self.expected(district)
            if not expected_leas:
                district.nces_lea_ids = sorted(leas)
                self.recorded_leas = sorted({*self.recorded_leas, *leas})
                continue
            counts: Counter[tuple[str, str, str]] = Counter()
            for row in district_rows:
                nces_id = _valid_nces_id(row) or ""
                state = row.raw["state"].strip().upper()
                state_known = state and expected_states and not is_missing_state(state)
                if nces_id[:7] not in expected_leas or (state_known and state not in expected_states):
                    counts[(nces_id[:7], state, row.district)] += 1
            if not counts:
                continue
            others = [
                OtherLea(lea, state, owner, count) for (lea, state, owner), count in sorted(counts.items())
            ]
            if not allow_other_lea:
                expected = ", ".join(
                    [*sorted(expected_states), *(f"LEA {lea}" for lea in sorted(expected_leas))]
                )
                raise OtherDistrictFileError(district, expected, others)
            self.report.other_leas.extend(others)

    def expected(self, district: District) -> tuple[set[str], set[str]]:
        """The LEAs and states of ``district``: recorded, and those of its schools."""
        schools = self.session.scalars(select(School).where(School.district_id == district.id)).all()
        leas = set(district.nces_lea_ids or []) | {school.lea_id for school in schools}
        states = {school.state for school in schools if school.state}
        return leas, states

    def start_batch(self, actor: User | None, file_name: str) -> None:
        """Open the batch every created school and changed field is recorded in."""
        self.actor = actor
        district = self.districts.get(self.district_name) if self.district_name else None
        if district is None and len(self.districts) == 1:
            district = next(iter(self.districts.values()))
        self.batch = ImportBatch(
            kind=BatchKind.NCES,
            district=district,
            actor=actor,
            file_name=file_name[:255],
            recorded_lea_ids=list(self.recorded_leas),
            allowed_other=[other.describe() for other in self.report.other_leas],
        )
        self.session.add(self.batch)
        self.report.batch = self.batch

    def finish_batch(self) -> None:
        """Put the counts on the batch; a batch into a district created on the way gets that district."""
        batch = self.batch
        if batch is None:
            return
        if batch.district is None and len(self.districts) == 1:
            batch.district = next(iter(self.districts.values()))
        batch.created, batch.changed = self.report.imported, self.report.updated
        batch.unchanged, batch.skipped = self.report.unchanged, len(self.report.skipped)

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
            before = snapshot(school)
            school.active = False
            self.note_changes(row, school, before)
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
        school = School(district=district, nces_id=nces_id, active=True, **asdict(cleaned.fields))
        self.session.add(school)
        record_created(self.session, school, self.actor, self.batch)
        self.report.created.append((row.line, nces_id, school.name))
        self.report.imported += 1

    def update(self, row: SchoolRow, school: School, cleaned: CleanedRow) -> None:
        """Bring an existing school in line with the file; an invalid phone never replaces a stored one."""
        values = asdict(cleaned.fields) | {"active": True}
        if cleaned.rejected_phone is not None and school.phone:
            del values["phone"]
        self.warn_phone(row, cleaned, kept=school.phone)
        changed = {name: value for name, value in values.items() if getattr(school, name) != value}
        before = snapshot(school)
        for name, value in changed.items():
            setattr(school, name, value)
        self.note_changes(row, school, before)
        if changed:
            self.report.updated += 1
        else:
            self.report.unchanged += 1

    def note_changes(self, row: SchoolRow, school: School, before: dict[str, Any]) -> None:
        """Record the school's changed fields in the history and the report."""
        for change in record_changes(self.session, school, before, self.actor, self.batch):
            self.report.changes.append(
                FieldChange(row.line, school.nces_id, school.name, change.field, change.old, change.new)
            )

    def create_district(self, name: str, state: str) -> District:
        """Create a district named ``name`` in the timezone of ``state``; the file's LEAs become its own."""
        district = District(
            name=name, timezone=timezone_for_state(state), nces_lea_ids=self.new_district_leas.get(name, [])
        )
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


def is_missing_state(state: str) -> bool:
    """Whether a file's state cell says nothing (blank or a missing marker)."""
    return not state or not state.isalpha() or len(state) != 2


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
