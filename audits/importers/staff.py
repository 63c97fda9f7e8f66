"""Import a district's staff (leaders, reviewers, auditors, principals) from a CSV or XLSX file.

Columns (a header row, any order, case ignored; other columns are ignored):
``email``, ``name``, ``role`` (leader, reviewer, auditor or principal); for a
principal ``nces_id`` (one or more NCES school ids of the district, ``;``-separated);
for an auditor, optionally ``languages`` (codes such as ``en;es``, default English).

People are matched by email, so importing the same file twice changes nothing the
second time. ``check_staff`` reads and checks the whole file without changing
anything, giving each row an outcome (create, change, leave alone) or the reasons
it is refused, by line number. ``save_staff`` then applies the accepted rows; it
flushes, the caller commits. New people are created invited (switched off, no password
yet): ``import_staff`` saves, can send each new person an invitation link, and writes
the import in the audit log; the command line (``flask users import``) and the people
page's upload both go through it. Who may import whom: ``importable_roles``.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from audits import audit_log
from audits.access import Action, allowed
from audits.accounts import normalise_email
from audits.auditors import DEFAULT_LANGUAGES, default_profile
from audits.errors import NotAllowedError, ValidationError
from audits.importers.csvfile import ImportFileError, read_csv
from audits.importers.school_rows import normalise_nces_id
from audits.invitations import send_invitation
from audits.models import AccountLink, AuditorProfile, District, Role, School, User
from audits.passwords import unusable_password
from audits.people import LEADER_ROLES
from audits.vocabulary import OFFERED_LANGUAGES, plural

__all__ = [
    "IMPORTABLE_ROLES",
    "Change",
    "ImportFileError",
    "Imported",
    "Outcome",
    "RawRow",
    "StaffCheck",
    "StaffRow",
    "check_staff",
    "import_staff",
    "importable_roles",
    "read_staff_file",
    "save_staff",
    "template_csv",
]

REQUIRED_COLUMNS = ("email", "name", "role")
OPTIONAL_COLUMNS = ("nces_id", "languages")
# Admins belong to no district: ``flask users create`` makes them, never a district's staff file.
IMPORTABLE_ROLES = (Role.LEADER, Role.REVIEWER, Role.AUDITOR, Role.PRINCIPAL)
_XLSX_SIGNATURE = b"PK\x03\x04"
_XLS_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_UTF16_SIGNATURES = (b"\xff\xfe", b"\xfe\xff")
MAX_ROWS = 20_000
MAX_BYTES = 5 * 1024 * 1024  # a district's whole staff fits in far less


def importable_roles(actor: User | None) -> tuple[Role, ...]:
    """The roles ``actor``'s file may give (``None``: the command line, every district role).

    An administrator imports every district role; a district leader reviewers, auditors and
    principals, as they invite them; anyone else none.
    """
    if actor is None or actor.role is Role.ADMIN:
        return IMPORTABLE_ROLES
    return LEADER_ROLES if actor.role is Role.LEADER else ()


@dataclass(frozen=True)
class RawRow:
    """One data row as written: the line (or spreadsheet row) it is on and its known columns' text."""

    line: int
    values: dict[str, str]


@dataclass(frozen=True)
class StaffRow:
    """One accepted row: a person of the district, checked and normalised."""

    line: int
    email: str
    name: str
    role: Role
    schools: tuple[School, ...] = ()
    languages: tuple[str, ...] = ()


class Outcome(StrEnum):
    """What saving an accepted row does."""

    CREATE = "create"
    CHANGE = "change"
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class Change:
    """One thing saving a row changes about a person: ``field`` goes from ``before`` to ``after``."""

    field: str  # name, role, schools or languages
    before: str
    after: str

    def __str__(self) -> str:
        return f"{self.field} {self.before or 'none'} → {self.after or 'none'}"


@dataclass(frozen=True)
class Planned:
    """An accepted row, the person it matches (``None``: a new one) and what saving it changes."""

    row: StaffRow
    user: User | None
    outcome: Outcome
    changes: tuple[Change, ...] = ()

    def describe(self) -> str:
        """``line 3: change ana@example.org (principal): name Ana → Ana Ruiz``, or ``… create …``,
        ``… leave alone …``."""
        label = f"{self.row.email} ({self.row.role.value})"
        if self.outcome is Outcome.CREATE:
            return f"line {self.row.line}: create {label}"
        if self.outcome is Outcome.CHANGE:
            return f"line {self.row.line}: change {label}: {', '.join(map(str, self.changes))}"
        return f"line {self.row.line}: leave alone {label}"

    def key(self) -> list[object]:
        """What the row would do, as plain values (for ``StaffCheck.fingerprint``)."""
        row = self.row
        changes = [[change.field, change.before, change.after] for change in self.changes]
        schools = [school.id for school in row.schools]
        return [
            row.line,
            self.outcome.value,
            row.email,
            row.name,
            row.role.value,
            schools,
            list(row.languages),
            changes,
        ]


@dataclass
class StaffCheck:
    """A checked file: the accepted rows with their outcomes, and the refused ones as ``(line, reason)``."""

    district: District
    planned: list[Planned] = field(default_factory=list)
    refused: list[tuple[int, str]] = field(default_factory=list)
    roles: tuple[Role, ...] = IMPORTABLE_ROLES  # the roles the file was allowed to give
    written: dict[int, str] = field(default_factory=dict)  # a refused line's email, as written

    def count(self, outcome: Outcome) -> int:
        """How many accepted rows have ``outcome``."""
        return sum(1 for plan in self.planned if plan.outcome is outcome)

    def rows(self, outcome: Outcome) -> list[Planned]:
        """The accepted rows with ``outcome``, in file order."""
        return [plan for plan in self.planned if plan.outcome is outcome]

    def refusals(self) -> list[tuple[int, str, list[str]]]:
        """The refused lines in order, each with its email as written and every reason it was refused."""
        by_line: dict[int, list[str]] = {}
        for line, reason in self.refused:
            by_line.setdefault(line, []).append(reason)
        return [(line, self.written.get(line, ""), reasons) for line, reasons in sorted(by_line.items())]

    def fingerprint(self) -> str:
        """A digest of everything saving would do: two checks with the same one save the same."""
        content = {
            "district": self.district.id,
            "planned": [plan.key() for plan in self.planned],
            "refused": [list(item) for item in self.refused],
        }
        return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()

    def errors(self) -> list[str]:
        """One line per refusal: ``line 4: nces_id 120048000999 is not a school of …``."""
        return [f"line {line}: {reason}" for line, reason in self.refused]

    def summary(self) -> str:
        """``N created, M changed, U left alone, R refused`` (what saving did, or would do)."""
        return (
            f"{self.count(Outcome.CREATE)} created, {self.count(Outcome.CHANGE)} changed, "
            f"{self.count(Outcome.UNCHANGED)} left alone, {len(self.refused_lines())} refused"
        )

    def refused_lines(self) -> list[int]:
        """The lines refused (a line with several reasons counts once)."""
        return sorted({line for line, _ in self.refused})


# --- Reading ----------------------------------------------------------------------------------------


def read_staff_file(data: bytes) -> list[RawRow]:
    """Read a CSV or XLSX (first sheet) staff file into rows of its known columns.

    Raises :class:`ImportFileError` when the file cannot be read, or lacks a required column.
    """
    if len(data) > MAX_BYTES:
        size = f"{len(data) / 1024 / 1024:.1f} MB"
        raise ImportFileError(
            "file", f"the file is {size}; a staff file may be at most {MAX_BYTES // 1024 // 1024} MB"
        )
    header, rows = read_table(data)
    numbered = reversed(list(enumerate(header)))  # the first of two same-named columns wins
    columns = {name.strip().lower().replace(" ", "_"): index for index, name in numbered}
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        raise ImportFileError(
            "file",
            f"the file has no {', '.join(missing)} {plural(len(missing), 'column')} "
            f"(the header needs {', '.join(REQUIRED_COLUMNS)}; principals nces_id, auditors languages)",
        )
    if len(rows) > MAX_ROWS:
        raise ImportFileError("file", f"the file has {len(rows)} rows; import at most {MAX_ROWS} at once")
    known = [name for name in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS) if name in columns]
    return [
        RawRow(line, {name: _cell(values, columns[name]) for name in known})
        for line, values in rows
        if any(value.strip() for value in values)
    ]


def read_table(data: bytes) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """A CSV file's or an XLSX workbook's (first sheet) header and data rows, each with its line number.

    Raises :class:`ImportFileError` for an old ``.xls`` workbook, UTF-16 text or a file that cannot be read.
    """
    if data.startswith(_UTF16_SIGNATURES):
        raise ImportFileError("file", "this file is saved as UTF-16 text: save it as CSV UTF-8 (or .xlsx)")
    if data.startswith(_XLS_SIGNATURE):
        raise ImportFileError("file", "this is an old Excel (.xls) workbook: save it as .xlsx or CSV")
    if data.startswith(_XLSX_SIGNATURE):
        return _xlsx_table(data)
    table = read_csv(data)
    return table.header, [(row.line, row.values) for row in table.rows]


def _cell(values: list[str], index: int) -> str:
    return values[index].strip() if index < len(values) else ""


def _xlsx_table(data: bytes) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The first sheet's header (first non-blank row) and data rows, numbered as the sheet numbers them."""
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise ImportFileError("file", f"this is not a readable .xlsx workbook ({error})") from None
    try:
        sheet = workbook.worksheets[0]
        numbered = (
            (number, [_text(value) for value in values])
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1)
        )
        rows = [(number, values) for number, values in numbered if any(values)]
    finally:
        workbook.close()
    if not rows:
        raise ImportFileError("file", "the file is empty")
    return rows[0][1], rows[1:]


def _text(value: object) -> str:
    """A cell as text; a whole number stays a whole number (an NCES id typed as a number)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


# --- Checking ---------------------------------------------------------------------------------------


def check_staff(
    session: Session, district: District, rows: list[RawRow], roles: tuple[Role, ...] = IMPORTABLE_ROLES
) -> StaffCheck:
    """Check every row against the district and the people already there; change nothing.

    A row is refused (with every reason, by line) for a bad or repeated email, a missing
    name, a role that cannot be imported, NCES ids that are not the district's schools,
    unknown languages, or an email that belongs to an admin or to another district. ``roles``
    are the roles the importer may give and take (``importable_roles``): a row giving another,
    or changing a person who has another, is refused too.
    """
    check = StaffCheck(district, roles=roles)
    emails = {row.line: _email(row) for row in rows}
    users = _existing_users(session, {email for email in emails.values() if email})
    schools = _district_schools(session, district, rows)
    seen: dict[str, int] = {}
    for row in rows:
        problems, staff_row = _check_row(row, emails[row.line], district, schools, seen)
        if staff_row is not None and staff_row.role not in roles:
            problems.append(
                f"{_roles_words(roles)}; a {staff_row.role.label.lower()} is added by an administrator"
            )
        user = users.get(staff_row.email) if staff_row else None
        if user is not None:
            problems.extend(_ownership_problems(user, district, roles))
        if problems or staff_row is None:
            check.refused.extend((row.line, problem) for problem in problems)
            check.written[row.line] = row.values["email"]
            continue
        check.planned.append(_plan(session, staff_row, user))
    return check


def _email(row: RawRow) -> str:
    try:
        return normalise_email(row.values["email"]) if row.values["email"] else ""
    except ValidationError:
        return ""


def _check_row(
    row: RawRow, email: str, district: District, schools: dict[str, School], seen: dict[str, int]
) -> tuple[list[str], StaffRow | None]:
    """Every problem of one row, and the row checked when it has none."""
    values = row.values
    problems: list[str] = []
    if not values["email"]:
        problems.append("email is missing")
    elif not email:
        problems.append(f"email {values['email']!r} is not a valid email address")
    elif email in seen:
        problems.append(f"email {email} is already on line {seen[email]}")
    else:
        seen[email] = row.line
    name = values["name"]
    if not name:
        problems.append("name is missing")
    elif len(name) > 200:
        problems.append("name is longer than 200 characters")
    role = _role(values["role"], problems)
    nces_ids = _split(values.get("nces_id", ""))
    codes = [code.lower() for code in _split(values.get("languages", ""))]
    found: list[School] = []
    if role is Role.PRINCIPAL:
        if not nces_ids:
            problems.append("a principal needs nces_id (one or more, separated by ;)")
        found = _principal_schools(nces_ids, district, schools, problems)
    elif nces_ids and role is not None:
        problems.append(f"nces_id is only for principals, not a {role.value}")
    if codes and role is not None and role is not Role.AUDITOR:
        problems.append(f"languages are only for auditors, not a {role.value}")
    unknown = [code for code in codes if code not in OFFERED_LANGUAGES]
    if role is Role.AUDITOR and unknown:
        offered = ", ".join(OFFERED_LANGUAGES)
        problems.append(f"unknown {plural(len(unknown), 'language')} {', '.join(unknown)} (use {offered})")
    if problems or role is None:
        return problems, None
    staff_row = StaffRow(
        row.line, email, name, role, tuple(dict.fromkeys(found)), tuple(dict.fromkeys(codes))
    )
    return problems, staff_row


def _role(text: str, problems: list[str]) -> Role | None:
    """The row's role, or ``None`` with a problem noted."""
    wanted = text.strip().lower()
    labels = {role.label.lower(): role for role in Role} | {role.value: role for role in Role}
    role = labels.get(wanted)
    names = ", ".join(role.value for role in IMPORTABLE_ROLES)
    if not wanted:
        problems.append(f"role is missing ({names})")
    elif role is None:
        problems.append(f"role {text!r} is not one of {names}")
    elif role not in IMPORTABLE_ROLES:
        problems.append(f"an {role.value} belongs to no district: create one with `flask users create`")
        return None
    return role


def _principal_schools(
    nces_ids: list[str], district: District, schools: dict[str, School], problems: list[str]
) -> list[School]:
    found = []
    for raw in nces_ids:
        try:
            nces_id = normalise_nces_id(raw)
        except ValidationError as error:
            problems.append(f"nces_id: {error.reason}")
            continue
        school = schools.get(nces_id)
        if school is None:
            problems.append(f"nces_id {nces_id} is not a school of {district.name}")
        else:
            found.append(school)
    return found


def _roles_words(roles: tuple[Role, ...]) -> str:
    names = [role.label.lower() + "s" for role in roles]
    listed = ", ".join(names[:-1]) + f" and {names[-1]}" if len(names) > 1 else "".join(names)
    return f"you may import {listed} only"


def _ownership_problems(user: User, district: District, roles: tuple[Role, ...]) -> list[str]:
    """Why an existing account may not be changed by this district's file."""
    if user.role is Role.ADMIN:
        return [f"email {user.email} belongs to an administrator; change them with `flask users`"]
    if user.district_id != district.id:
        return [f"email {user.email} belongs to a person of another district"]
    if user.role not in roles:
        return [
            f"email {user.email} belongs to a {user.role.label.lower()}: only an administrator changes them"
        ]
    return []


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.replace(",", ";").split(";") if part.strip()]


def _existing_users(session: Session, emails: set[str]) -> dict[str, User]:
    if not emails:
        return {}
    stmt = select(User).where(User.email.in_(sorted(emails))).options(selectinload(User.schools))
    return {user.email: user for user in session.scalars(stmt)}


def _district_schools(session: Session, district: District, rows: Iterable[RawRow]) -> dict[str, School]:
    wanted: set[str] = set()
    for row in rows:
        for raw in _split(row.values.get("nces_id", "")):
            try:
                wanted.add(normalise_nces_id(raw))
            except ValidationError:
                continue
    if not wanted:
        return {}
    stmt = select(School).where(School.district_id == district.id, School.nces_id.in_(sorted(wanted)))
    return {school.nces_id: school for school in session.scalars(stmt)}


def _plan(session: Session, row: StaffRow, user: User | None) -> Planned:
    """What saving ``row`` does to ``user`` (``None``: creates them)."""
    if user is None:
        return Planned(row, None, Outcome.CREATE)
    changes = []
    if user.name != row.name:
        changes.append(Change("name", user.name, row.name))
    if user.role is not row.role:
        changes.append(Change("role", user.role.value, row.role.value))
    if {school.id for school in user.schools} != {school.id for school in row.schools}:
        changes.append(Change("schools", _school_names(user.schools), _school_names(row.schools)))
    if row.role is Role.AUDITOR and row.languages:
        profile = session.get(AuditorProfile, user.id)
        current = list(profile.languages) if profile else list(DEFAULT_LANGUAGES)
        if current != list(row.languages):
            changes.append(Change("languages", ";".join(current), ";".join(row.languages)))
    return Planned(row, user, Outcome.CHANGE if changes else Outcome.UNCHANGED, tuple(changes))


def _school_names(schools: Iterable[School]) -> str:
    return "; ".join(sorted(school.name for school in schools))


# --- Saving -----------------------------------------------------------------------------------------


def save_staff(session: Session, check: StaffCheck, *, valid_only: bool = False) -> list[User]:
    """Create and update the people of ``check``'s accepted rows; return those created.

    Refuses (``ValidationError`` on ``file``, listing every refused line) when any row
    was refused, unless ``valid_only``. New people are created invited: switched off, with
    no password anyone knows, until they follow an invitation link (``import_staff`` can
    send it; the invitations page can later).
    """
    if check.refused and not valid_only:
        raise ValidationError.many([("file", line) for line in check.errors()])
    created: list[User] = []
    for plan in check.planned:
        row = plan.row
        if plan.outcome is Outcome.UNCHANGED:
            continue
        user = plan.user
        if user is None:
            user = User(
                email=row.email,
                role=row.role,
                password_hash=unusable_password(),
                active=False,
                district_id=check.district.id,
            )
            session.add(user)
            created.append(user)
        user.name, user.role = row.name, row.role
        user.schools = list(row.schools)
        session.flush()
        if row.role is Role.AUDITOR:
            _save_languages(session, user, row.languages)
    session.flush()
    return created


@dataclass
class Imported:
    """What ``import_staff`` did: the people created, and each invitation sent as ``(person, link, token)``.

    The tokens belong in the invitation emails only (``app.invitations.mail.queue_invitation``).
    """

    check: StaffCheck
    created: list[User]
    invitations: list[tuple[User, AccountLink, str]]


def import_staff(
    session: Session,
    actor: User | None,
    check: StaffCheck,
    *,
    file_name: str,
    valid_only: bool = False,
    send_invites: bool = False,
    now: datetime | None = None,
    lifetime: timedelta | None = None,
) -> Imported:
    """Save ``check`` (``save_staff``), invite the new people if ``send_invites``, and log the import.

    ``actor`` (``None``: the command line) must be allowed to import staff into the check's
    district and give the roles it was checked for. The audit log gets one entry for the import
    (file name and counts) and one per invitation sent. Flushes; the caller commits, after
    queueing the invitation emails.
    """
    if actor is not None:
        if not allowed(actor, Action.IMPORT_STAFF, check.district):
            raise NotAllowedError("district", "you may import the staff of your own district only")
        if not set(check.roles) <= set(importable_roles(actor)):
            raise NotAllowedError("file", "this file was checked for roles you may not give")
    created = save_staff(session, check, valid_only=valid_only)
    invitations = []
    if send_invites:
        for user in created:
            link, plaintext = send_invitation(session, actor, user, now=now, lifetime=lifetime)
            invitations.append((user, link, plaintext))
    audit_log.record(
        session,
        actor,
        audit_log.STAFF_IMPORTED,
        district=check.district,
        file=file_name,
        created=check.count(Outcome.CREATE),
        changed=check.count(Outcome.CHANGE),
        left_alone=check.count(Outcome.UNCHANGED),
        refused=len(check.refused_lines()),
        invitations_sent=len(invitations),
    )
    return Imported(check, created, invitations)


def _save_languages(session: Session, user: User, languages: tuple[str, ...]) -> None:
    """Give an auditor the file's languages (a profile with the defaults is created when missing)."""
    profile = session.get(AuditorProfile, user.id)
    if profile is None:
        profile = default_profile(user)
        session.add(profile)
    if languages:
        profile.languages = list(languages)


# --- The template -----------------------------------------------------------------------------------

_EXAMPLES = {
    Role.LEADER: ("lee.leader@example.org", "Lee Leader", "", ""),
    Role.REVIEWER: ("rae.reviewer@example.org", "Rae Reviewer", "", ""),
    Role.AUDITOR: ("avery.auditor@example.org", "Avery Auditor", "", "en;es"),
    Role.PRINCIPAL: ("pat.principal@example.org", "Pat Principal", "{nces_id}", ""),
}
EXAMPLE_NCES_ID = "120048000001"


def template_csv(roles: Iterable[Role] = IMPORTABLE_ROLES, nces_ids: Iterable[str] = ()) -> str:
    """A staff file to fill in: the header and one example row per role of ``roles``.

    The principal's example names ``nces_ids`` (the district's first schools) when given.
    """
    nces_id = ";".join(list(nces_ids)[:2]) or EXAMPLE_NCES_ID
    lines = [",".join((*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS))]
    for role in roles:
        email, name, nces, languages = _EXAMPLES[role]
        lines.append(",".join((email, name, role.value, nces.format(nces_id=nces_id), languages)))
    return "\r\n".join(lines) + "\r\n"
