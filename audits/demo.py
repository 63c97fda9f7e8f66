"""The demo district: real Duval County schools, one user per role and a principal for every school."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from audits.accounts import NewUser, create_user
from audits.businesshours import BusinessCalendar
from audits.demo_calendar import demo_closures, season_name
from audits.demo_double import EARLIER_ROUND_PERCENT, ensure_one_chosen, load_demo_double_scoring
from audits.demo_equity import load_equity_round
from audits.demo_fieldwork import DemoFieldworkReport, load_demo_fieldwork
from audits.importers.schools import ImportReport, import_schools
from audits.library import LibraryReport, adopt_library, load_library
from audits.models import (
    AuditorProfile,
    Channel,
    Closure,
    District,
    Level,
    Role,
    Round,
    RoundStatus,
    Scenario,
    School,
    SchoolSelection,
    User,
)
from audits.planning.rounds import ChannelPlan, RoundSpec, commit_plan, move_round, save_round
from audits.script_values import save_district_values
from audits.timeutil import utcnow

DEMO_PASSWORD = "demo-password"
DEMO_DISTRICT = "Duval County Public Schools"
DEMO_PRINCIPAL_SCHOOL = "120048003173"  # Abess Park Elementary School
SHARED_FILE = Path(__file__).resolve().parents[2] / "shared" / "data" / "schools" / "duval_fl_nces_export.csv"
BUNDLED_FILE = Path(__file__).resolve().parent / "data" / "duval_fl_nces_export.csv"
ANSWER_KEY_FILE = Path(__file__).resolve().parent / "data" / "demo_answer_key.yaml"
# The parent each demo auditor plays: invented names, phone numbers in 904-555-01xx and addresses
# on example.net, never the auditor's own.
DEMO_PERSONAS = {
    "auditor1@example.org": ("Maria", "+19045550151", "maria.family@example.net"),
    "auditor2@example.org": ("Chris", "+19045550152", "chris.family@example.net"),
    "auditor3@example.org": ("Lucía", "+19045550153", "lucia.family@example.net"),
}
# Schools left without an email address, so that the missing-data views have something to show.
SCHOOLS_WITHOUT_EMAIL = 3

DEMO_USERS = [
    ("admin@example.org", Role.ADMIN, "Ada Admin"),
    ("leader@example.org", Role.LEADER, "Lee Leader"),
    ("reviewer@example.org", Role.REVIEWER, "Rae Reviewer"),
    # A second reviewer: an appeal is decided by someone other than the reviewer who approved the contact.
    ("reviewer2@example.org", Role.REVIEWER, "Rio Reviewer"),
    ("auditor1@example.org", Role.AUDITOR, "Avery Auditor"),
    ("auditor2@example.org", Role.AUDITOR, "Sam Auditor"),
    ("auditor3@example.org", Role.AUDITOR, "Jo Auditor"),
    ("principal@example.org", Role.PRINCIPAL, "Pat Principal"),
]

# Invented principals for the other schools of the demo rounds, given in the rounds' school
# order (by name), so every run names the same people. Any likeness is a coincidence.
SCHOOL_PRINCIPAL_NAMES = [
    "Maria Delgado",
    "Kwame Mensah",
    "Mei-Ling Chen",
    "Daniel Okafor",
    "Aisha Rahman",
    "Tomás Herrera",
    "Priya Natarajan",
    "Jamal Whitfield",
    "Olga Petrenko",
    "Hiroshi Tanaka",
    "Fatima Haddad",
    "Liam Novak",
    "Thanh Nguyen",
    "Rosa Martínez",
    "Leilani Kahale",
    "Elijah Brooks",
]
SCHOOL_PRINCIPAL_EMAIL = "principal.{slug}@example.org"
# Words every school name shares, left out of the email addresses.
_SLUG_NOISE = {"school", "the"}

# The demo round's window, in school days before and after the day the demo is loaded: the
# plan is the same on any date, and enough of it is past due to show every state of a contact.
DAYS_BEFORE = 8
DAYS_AFTER = 17
EARLIER_ROUND_DAYS_AGO = 182


@dataclass
class DemoResult:
    """What ``load_demo`` created."""

    district: District
    report: ImportReport
    source: Path
    users: list[User]
    principals: list[User]
    library: LibraryReport
    scenarios: int
    round: Round
    earlier: Round | None
    fieldwork: DemoFieldworkReport | None
    today: date  # the district's day the demo is planned around
    equity: Round | None = None  # the closed paired-testing round (``audits.demo_equity``)


def demo_source(configured: Path | None = None) -> Path:
    """Pick the demo school file: the configured one, the shared sample, else the bundled copy."""
    for candidate in (configured, SHARED_FILE):
        if candidate is not None and candidate.is_file():
            return candidate
    return BUNDLED_FILE


def demo_is_loaded(session: Session) -> bool:
    """Whether the database already has users (the demo only loads into an empty one)."""
    return session.scalar(select(User.id).limit(1)) is not None


def demo_users(session: Session) -> list[User]:
    """Return the demo accounts that exist, in the order they are listed."""
    emails = [email for email, _, _ in DEMO_USERS]
    found = {user.email: user for user in session.scalars(select(User).where(User.email.in_(emails)))}
    return [found[email] for email in emails if email in found]


def school_slug(name: str) -> str:
    """A demo principal's email names the school: ``ABESS PARK ELEMENTARY`` → ``abess-park-elementary``."""
    words = [word for word in re.split(r"[^a-z0-9]+", name.lower()) if word and word not in _SLUG_NOISE]
    return "-".join(words) or "school"


def school_principal_email(school: School, taken: set[str]) -> str:
    """A unique ``principal.<slug>@example.org`` for ``school``; its NCES id is added on a clash."""
    email = SCHOOL_PRINCIPAL_EMAIL.format(slug=school_slug(school.name))
    if email in taken:
        email = SCHOOL_PRINCIPAL_EMAIL.format(slug=f"{school_slug(school.name)}-{school.nces_id}")
    return email


def school_principal_count(session: Session) -> int:
    """How many demo principals beyond the main logins exist (``principal.<school>@example.org``)."""
    pattern = SCHOOL_PRINCIPAL_EMAIL.format(slug="%")
    return (
        session.scalar(
            select(func.count(User.id)).where(User.role == Role.PRINCIPAL, User.email.like(pattern))
        )
        or 0
    )


def load_demo(
    session: Session,
    configured: Path | None = None,
    today: date | None = None,
    evidence_dir: Path | None = None,
) -> DemoResult:
    """Import the demo district's schools, one user per role, the library and a round in the field.

    ``today`` (default: the district's current date) anchors the round's window, whatever
    the date: the window counts school days, so the plan is the same on any day. With
    ``evidence_dir`` an earlier round is closed with every contact approved, and the
    round's past-due assignments get contacts in every review state. The caller commits.
    """
    source = demo_source(configured)
    report = import_schools(session, source.read_bytes(), district_name=DEMO_DISTRICT, file_name=source.name)
    district = session.scalars(select(District).where(District.name == DEMO_DISTRICT)).one()
    today = today or utcnow().astimezone(ZoneInfo(district.timezone)).date()
    span = (today - timedelta(days=EARLIER_ROUND_DAYS_AGO + 60), today + timedelta(days=60))
    district.closures.extend(Closure(day=day, reason=reason) for day, reason in demo_closures(*span))
    session.flush()
    principal_school = session.scalars(select(School).where(School.nces_id == DEMO_PRINCIPAL_SCHOOL)).one()
    principal_school.principal_name = "Pat Principal"
    users = [
        create_user(
            session,
            NewUser(
                email=email,
                role=role,
                password=DEMO_PASSWORD,
                name=name,
                district_id=None if role is Role.ADMIN else district.id,
                school_ids=[principal_school.id] if role is Role.PRINCIPAL else [],
            ),
        )
        for email, role, name in DEMO_USERS
    ]
    schools = demo_round_schools(session, district, principal_school)
    principals = _school_principals(session, district, schools[1:])
    library = load_library(session)
    scenarios = adopt_library(session, district)
    _give_schools_email(session, district, schools)
    answers = yaml.safe_load(ANSWER_KEY_FILE.read_text(encoding="utf-8"))["values"]
    save_district_values(session, None, district, {name: str(value) for name, value in answers.items()})
    earlier = None
    if evidence_dir is not None:
        earlier = _earlier_round(session, district, schools, users, today, evidence_dir)
    round_ = _demo_round(session, district, schools, users, today)
    fieldwork = load_demo_fieldwork(session, round_, users, today, evidence_dir) if evidence_dir else None
    if evidence_dir is not None:
        ensure_one_chosen(session, round_)
        load_demo_double_scoring(session, round_, seed=2026, leave_latest=True)
    equity = None
    if evidence_dir is not None:
        equity = load_equity_round(session, district, users, today, {school.id for school in schools})
    return DemoResult(
        district,
        report,
        source,
        users,
        principals,
        library,
        len(scenarios),
        round_,
        earlier,
        fieldwork,
        today,
        equity,
    )


def demo_round_schools(session: Session, district: District, principal_school: School) -> list[School]:
    """The twelve schools of both demo rounds: the main principal's, then eleven elementaries by name."""
    others = session.scalars(
        select(School)
        .where(
            School.district_id == district.id,
            School.level == Level.ELEMENTARY,
            School.id != principal_school.id,
        )
        .order_by(School.name)
        .limit(11)
    )
    return [principal_school, *others]


def _school_principals(session: Session, district: District, schools: list[School]) -> list[User]:
    """One invented principal per school (``SCHOOL_PRINCIPAL_NAMES`` in order), with the demo password."""
    taken: set[str] = set()
    principals = []
    for index, school in enumerate(schools):
        name = SCHOOL_PRINCIPAL_NAMES[index % len(SCHOOL_PRINCIPAL_NAMES)]
        email = school_principal_email(school, taken)
        taken.add(email)
        school.principal_name = name
        new = NewUser(email, Role.PRINCIPAL, DEMO_PASSWORD, name, district.id, [school.id])
        principals.append(create_user(session, new))
    return principals


def _give_schools_email(session: Session, district: District, round_schools: list[School]) -> None:
    """Invented office addresses for the district's schools (NCES files have none), but for a few.

    The schools of the demo rounds all get one; the last ``SCHOOLS_WITHOUT_EMAIL`` others by name do not.
    """
    stmt = select(School).where(School.district_id == district.id).order_by(School.name)
    schools = list(session.scalars(stmt))
    in_rounds = {school.id for school in round_schools}
    others = [school for school in schools if school.id not in in_rounds]
    left_out = {school.id for school in others[-SCHOOLS_WITHOUT_EMAIL:]}
    for school in schools:
        if school.id not in left_out and not school.email:
            school.email = f"office.{school_slug(school.name)}.{school.nces_id[-4:]}@example.org"


DEMO_ROUND_SCENARIOS = {
    Channel.PHONE: ["enrol-new-student", "bus-route-and-stop", "enrol-english-learner-es"],
    Channel.EMAIL: ["free-meals-application", "records-request"],
    Channel.VISIT: ["walk-in-enrolment", "walk-in-meet-counselor", "walk-in-free-meals-es"],
}


def _earlier_round(
    session: Session,
    district: District,
    schools: list[School],
    users: list[User],
    today: date,
    evidence_dir: Path,
) -> Round:
    """A closed round half a year ago for the same schools, every contact approved: trends and changes."""
    round_ = _demo_round(session, district, schools, users, today - timedelta(days=EARLIER_ROUND_DAYS_AGO))
    round_.double_score_percent = EARLIER_ROUND_PERCENT
    load_demo_fieldwork(
        session,
        round_,
        users,
        round_.last_day + timedelta(days=1),
        evidence_dir,
        all_approved=True,
        seed=2025,
    )
    load_demo_double_scoring(session, round_, seed=2025)
    move_round(session, round_, RoundStatus.CLOSED)
    return round_


def _demo_round(
    session: Session,
    district: District,
    schools: list[School],
    users: list[User],
    today: date,
) -> Round:
    """A round in the field around ``today``: twelve schools, one call, one email and one visit each.

    Its window runs from ``DAYS_BEFORE`` school days before ``today`` to ``DAYS_AFTER``
    school days after it, and it is named after the season it starts in.
    """
    auditors = [user for user in users if user.role is Role.AUDITOR]
    for auditor, languages in zip(auditors, (["en", "es"], ["en"], ["en", "es"]), strict=True):
        if session.get(AuditorProfile, auditor.id) is None:
            name, phone, email = DEMO_PERSONAS[auditor.email]
            session.add(
                AuditorProfile(
                    user_id=auditor.id,
                    languages=languages,
                    max_per_day=4,
                    persona_name=name,
                    persona_phone=phone,
                    persona_email=email,
                )
            )
    session.flush()
    scenario_ids = dict(
        session.execute(select(Scenario.key, Scenario.id).where(Scenario.district_id == district.id))
        .tuples()
        .all()
    )
    first_day, last_day = school_day_window(BusinessCalendar.of(district), today, DAYS_BEFORE, DAYS_AFTER)
    spec = RoundSpec(
        name=f"{season_name(first_day)} front-office round",
        first_day=first_day,
        last_day=last_day,
        school_selection=SchoolSelection.LIST,
        school_ids=[school.id for school in schools],
        channels={
            channel: ChannelPlan(1, [scenario_ids[key] for key in keys if key in scenario_ids])
            for channel, keys in DEMO_ROUND_SCENARIOS.items()
        },
        seed=2026,
    )
    round_ = save_round(session, district, spec)
    commit_plan(session, round_)
    move_round(session, round_, RoundStatus.IN_FIELD)
    return round_


def school_day_window(calendar: BusinessCalendar, today: date, before: int, after: int) -> tuple[date, date]:
    """The school day ``before`` school days before ``today`` and the one ``after`` school days after it."""
    first = last = today
    for _ in range(before):
        first -= timedelta(days=1)
        while not calendar.is_school_day(first):
            first -= timedelta(days=1)
    for _ in range(after):
        last += timedelta(days=1)
        while not calendar.is_school_day(last):
            last += timedelta(days=1)
    return first, last
