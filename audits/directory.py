"""The school directory: searching, filtering and editing a district's schools."""

from __future__ import annotations

from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import ColumnElement, Select, exists, func, or_, select
from sqlalchemy.orm import Session, object_session

from audits.errors import ValidationError
from audits.models import Level, Role, School, User, principal_schools
from audits.phones import normalise_phone
from audits.websites import clean_website

PAGE_SIZE = 50
# What a school's contact data can lack, as the school list's ``missing`` filter names it, in words.
MISSING = {
    "email": "without an email address",
    "phone": "without a phone number",
    "principal": "without a principal's name",
    "principal_account": "without a principal account",
    "office_hours": "without office hours",
}


@dataclass(frozen=True)
class SchoolQuery:
    """What the school list asks for: free text, a level, inactive schools or not, a page."""

    text: str = ""
    level: Level | None = None
    include_inactive: bool = False
    page: int = 1
    missing: str | None = None  # a key of ``MISSING``


@dataclass
class SchoolPage:
    """One page of a school search."""

    schools: list[School]
    total: int
    page: int
    pages: int


def visible_schools(user: User) -> Select[tuple[School]]:
    """Return a select of the schools ``user`` may see (admin: all; principal: their own)."""
    stmt = select(School)
    if user.role is Role.PRINCIPAL:
        stmt = stmt.join(principal_schools).where(principal_schools.c.user_id == user.id)
    elif user.role is not Role.ADMIN:
        stmt = stmt.where(School.district_id == user.district_id)
    return stmt


def search_schools(session: Session, user: User, query: SchoolQuery) -> SchoolPage:
    """Return the page of schools visible to ``user`` that match ``query``, by name."""
    stmt = visible_schools(user)
    text = query.text.strip()
    if text:
        pattern = f"%{_escape_like(text.lower())}%"
        stmt = stmt.where(
            or_(
                func.lower(School.name).like(pattern, escape="\\"),
                School.nces_id.like(pattern, escape="\\"),
                func.lower(School.city).like(pattern, escape="\\"),
            )
        )
    if query.level is not None:
        stmt = stmt.where(School.level == query.level)
    if not query.include_inactive:
        stmt = stmt.where(School.active.is_(True))
    if query.missing in MISSING:
        stmt = stmt.where(missing_condition(query.missing))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, query.page), pages)
    schools = session.scalars(
        stmt.order_by(School.name, School.id).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
    )
    return SchoolPage(list(schools), total, page, pages)


def missing_condition(kind: str) -> ColumnElement[bool]:
    """The condition a school lacks ``kind`` (a key of ``MISSING``) under."""
    if kind == "email":
        return or_(School.email.is_(None), School.email == "")
    if kind == "phone":
        return or_(School.phone.is_(None), School.phone == "")
    if kind == "principal":
        return or_(School.principal_name.is_(None), School.principal_name == "")
    if kind == "office_hours":
        return or_(School.office_hours.is_(None), School.office_hours == "")
    if kind == "principal_account":
        account = (
            select(principal_schools.c.school_id)
            .join(User, User.id == principal_schools.c.user_id)
            .where(
                principal_schools.c.school_id == School.id,
                User.role == Role.PRINCIPAL,
                User.active.is_(True),
            )
        )
        return ~exists(account)
    raise ValueError(f"unknown missing data {kind!r}")


@dataclass(frozen=True)
class MissingData:
    """How many active schools lack each piece of contact data, by ``MISSING`` key."""

    counts: dict[str, int]
    school_count: int

    def items(self) -> list[tuple[str, str, int]]:
        """``(key, words, count)`` of each kind some school lacks."""
        return [(key, words, self.counts[key]) for key, words in MISSING.items() if self.counts.get(key)]


def missing_contact_data(session: Session, district_id: int | None) -> MissingData:
    """Count the active schools of a district (``None``: every district) without email, phone,
    principal's name, principal account or office hours."""
    columns = [func.count().filter(missing_condition(kind)) for kind in MISSING]
    stmt = select(func.count(), *columns).select_from(School).where(School.active.is_(True))
    if district_id is not None:
        stmt = stmt.where(School.district_id == district_id)
    total, *counts = session.execute(stmt).one()
    return MissingData(dict(zip(MISSING, counts, strict=True)), total)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@dataclass
class SchoolChanges:
    """The fields a district leader may edit by hand."""

    name: str
    level: str
    phone: str
    email: str
    street: str
    city: str
    state: str
    zip: str
    principal_name: str
    languages: str
    active: bool
    # ``None``: left as it is.
    code: str | None = None
    website: str | None = None
    office_hours: str | None = None


def update_school(school: School, changes: SchoolChanges) -> None:
    """Validate ``changes`` and apply them to ``school``; every problem is reported at once."""
    problems: list[tuple[str | None, str]] = []
    name = changes.name.strip()
    if not name:
        problems.append(("name", "a school needs a name"))
    try:
        level = Level(changes.level)
    except ValueError:
        problems.append(("level", "choose elementary, middle, high or other"))
        level = school.level
    phone = school.phone
    try:
        phone = normalise_phone(changes.phone) if changes.phone.strip() else None
    except ValidationError as error:
        problems.extend(error.problems)
    email = changes.email.strip() or None
    if email:
        try:
            email = validate_email(email, check_deliverability=False).normalized
        except EmailNotValidError as error:
            problems.append(("email", str(error)))
    state = changes.state.strip().upper()
    if state and (len(state) != 2 or not state.isalpha()):
        problems.append(("state", "use the two-letter state code, e.g. FL"))
    zip_code = changes.zip.strip()
    if zip_code and not (zip_code.isdigit() and len(zip_code) == 5):
        problems.append(("zip", "use the five-digit ZIP code"))
    languages = parse_languages(changes.languages)
    if not languages:
        problems.append(("languages", "list at least one language, e.g. en, es"))
    elif any(not (2 <= len(code) <= 3 and code.isalpha()) for code in languages):
        problems.append(("languages", "use two- or three-letter language codes, e.g. en, es, vi"))
    code, website, office_hours = _district_fields(school, changes, problems)
    if problems:
        raise ValidationError.many(problems)
    if changes.code is not None:
        school.code = code
    if changes.website is not None:
        school.website = website
    if changes.office_hours is not None:
        school.office_hours = office_hours
    school.name = name
    school.level = level
    school.phone = phone
    school.email = email
    school.street = changes.street.strip()
    school.city = changes.city.strip()
    school.state = state
    school.zip = zip_code
    school.principal_name = changes.principal_name.strip()
    school.languages = languages
    school.active = changes.active


def _district_fields(
    school: School, changes: SchoolChanges, problems: list[tuple[str | None, str]]
) -> tuple[str | None, str, str]:
    """The district's code (``None``: none), website and office hours of ``changes``, checked."""
    code = (changes.code or "").strip() or None
    if code and len(code) > 40:
        problems.append(("code", "use at most 40 characters"))
    elif code:
        session = object_session(school)
        taken = (
            session.scalar(
                select(School.name).where(
                    School.district_id == school.district_id,
                    func.lower(School.code) == code.lower(),
                    School.id != school.id,
                )
            )
            if session is not None
            else None
        )
        if taken:
            problems.append(("code", f"{taken} already has the code {code}"))
    website = (changes.website or "").strip()
    if website:
        try:
            website = clean_website(website)
        except ValidationError as error:
            problems.extend(error.problems)
    if len(website) > 300:
        problems.append(("website", "use at most 300 characters"))
    office_hours = (changes.office_hours or "").strip()
    if len(office_hours) > 100:
        problems.append(("office_hours", "use at most 100 characters"))
    return code, website, office_hours


def parse_languages(text: str) -> list[str]:
    """Turn ``"en, es ,vi"`` into ``["en", "es", "vi"]`` (lower-case, no duplicates)."""
    seen: list[str] = []
    for part in text.replace(";", ",").split(","):
        code = part.strip().lower()
        if code and code not in seen:
            seen.append(code)
    return seen
