"""Auditors' working constraints: the languages they speak, their daily maximum, weekdays, conflicts.

The planner reads these through ``AuditorProfile``; an auditor without a saved
profile plans as an English speaker who takes up to four contacts a day, Monday
to Friday, with no conflicts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from audits.accounts import normalise_email
from audits.errors import ValidationError
from audits.ids import is_storable_id, storable_ids
from audits.models import AuditorProfile, PersonaMailbox, Role, School, User
from audits.phones import format_phone, normalise_phone
from audits.vocabulary import OFFERED_LANGUAGES

MAX_PER_DAY = 20
WORKDAYS = (0, 1, 2, 3, 4)
DEFAULT_LANGUAGES = ("en",)
DEFAULT_MAX_PER_DAY = 4


@dataclass
class AuditorSettings:
    """What a leader may change about one auditor."""

    languages: list[str] = field(default_factory=list)
    max_per_day: int = DEFAULT_MAX_PER_DAY
    weekdays: list[int] = field(default_factory=list)
    conflict_school_ids: list[int] = field(default_factory=list)
    # The parent the auditor plays on calls and emails: never their own name, number or address.
    persona_name: str = ""
    persona_phone: str = ""
    persona_email: str = ""
    # The district's persona mailbox the persona sends email audits from (``None``: none).
    mailbox_id: int | None = None

    @classmethod
    def of(cls, profile: AuditorProfile) -> AuditorSettings:
        """Return ``profile``'s current settings, as a form would show them."""
        return cls(
            languages=list(profile.languages or DEFAULT_LANGUAGES),
            max_per_day=profile.max_per_day,
            weekdays=list(profile.weekdays),
            conflict_school_ids=[school.id for school in profile.conflicts],
            persona_name=profile.persona_name or "",
            persona_phone=format_phone(profile.persona_phone) if profile.persona_phone else "",
            persona_email=profile.persona_email or "",
            mailbox_id=profile.mailbox_id,
        )


def default_profile(user: User) -> AuditorProfile:
    """An unsaved profile with the planner's defaults for ``user``."""
    return AuditorProfile(
        user_id=user.id,
        languages=list(DEFAULT_LANGUAGES),
        max_per_day=DEFAULT_MAX_PER_DAY,
        weekdays=list(WORKDAYS),
        conflicts=[],
    )


def profile_of(session: Session, user: User) -> AuditorProfile:
    """Return ``user``'s saved profile, or an unsaved default one."""
    return session.get(AuditorProfile, user.id) or default_profile(user)


def auditors_with_profiles(session: Session, district_id: int | None) -> list[tuple[User, AuditorProfile]]:
    """Every auditor of a district (of all districts for ``None``), active or not, with a profile.

    Two queries whatever the number of auditors; a default profile stands in where none is saved.
    """
    stmt = select(User).where(User.role == Role.AUDITOR).order_by(User.district_id, User.name, User.email)
    if district_id is not None:
        stmt = stmt.where(User.district_id == district_id)
    users = list(session.scalars(stmt.options(selectinload(User.district))))
    profiles = {
        profile.user_id: profile
        for profile in session.scalars(
            select(AuditorProfile)
            .where(AuditorProfile.user_id.in_([user.id for user in users]))
            .options(selectinload(AuditorProfile.conflicts))
        )
    }
    return [(user, profiles.get(user.id) or default_profile(user)) for user in users]


def update_auditor(session: Session, user: User, settings: AuditorSettings) -> AuditorProfile:
    """Validate ``settings`` and save them as ``user``'s profile (created if missing).

    Every problem is reported at once, by field: ``languages``, ``max_per_day``,
    ``weekdays`` and ``conflict_school_ids``.
    """
    if user.role is not Role.AUDITOR:
        raise ValidationError(None, f"{user.display_name} is not an auditor")
    problems: list[tuple[str | None, str]] = []
    languages = list(dict.fromkeys(settings.languages))
    if not languages:
        problems.append(("languages", "choose at least one language"))
    elif any(code not in OFFERED_LANGUAGES for code in languages):
        problems.append(("languages", "choose languages from the list"))
    if not 1 <= settings.max_per_day <= MAX_PER_DAY:
        problems.append(("max_per_day", f"must be from 1 to {MAX_PER_DAY}"))
    weekdays = sorted(set(settings.weekdays))
    if not weekdays:
        problems.append(("weekdays", "choose at least one weekday"))
    elif any(day not in WORKDAYS for day in weekdays):
        problems.append(("weekdays", "choose weekdays from Monday to Friday"))
    wanted = set(settings.conflict_school_ids)
    conflicts = list(
        session.scalars(
            select(School)
            .where(School.id.in_(storable_ids(wanted)), School.district_id == user.district_id)
            .order_by(School.name)
        )
    )
    if len(conflicts) != len(wanted):
        problems.append(("conflict_school_ids", "choose schools of the auditor's district"))
    persona_name, phone, email = _persona(user, settings, problems)
    mailbox = _mailbox(session, user, settings.mailbox_id, problems)
    if mailbox is not None and not email:
        email = mailbox.address  # the persona writes from its mailbox
    elif mailbox is not None and email != mailbox.address:
        problems.append(("persona_email", f"the persona writes from its mailbox: use {mailbox.address}"))
    if problems:
        raise ValidationError.many(problems)
    profile = session.get(AuditorProfile, user.id)
    if profile is None:
        profile = AuditorProfile(user_id=user.id)
        session.add(profile)
    profile.languages = languages
    profile.max_per_day = settings.max_per_day
    profile.weekdays = weekdays
    profile.conflicts = conflicts
    profile.persona_name, profile.persona_phone, profile.persona_email = persona_name, phone, email
    profile.mailbox_id = mailbox.id if mailbox is not None else None
    session.flush()
    return profile


def _mailbox(
    session: Session, user: User, mailbox_id: int | None, problems: list[tuple[str | None, str]]
) -> PersonaMailbox | None:
    """The persona mailbox chosen, if it is one of the auditor's district's."""
    if mailbox_id is None:
        return None
    mailbox = session.get(PersonaMailbox, mailbox_id) if is_storable_id(mailbox_id) else None
    if mailbox is None or mailbox.district_id != user.district_id:
        problems.append(("mailbox_id", "choose a mailbox of the auditor's district"))
        return None
    return mailbox


def _persona(
    user: User, settings: AuditorSettings, problems: list[tuple[str | None, str]]
) -> tuple[str, str, str]:
    """The persona's name, phone (E.164) and email as given, or problems: never the auditor's own."""
    name = settings.persona_name.strip()
    if len(name) > 100:
        problems.append(("persona_name", "keep it under 100 characters"))
    own_names = {part.lower() for part in user.name.split()} if user.name else set()
    if name and name.lower() in own_names:
        problems.append(("persona_name", "use an invented first name, not the auditor's own"))
    phone = ""
    try:
        phone = normalise_phone(settings.persona_phone) or ""
    except ValidationError as error:
        problems.extend(("persona_phone", reason) for _, reason in error.problems)
    if phone and phone == user.phone:
        problems.append(("persona_phone", "this is the auditor's own number: use the persona line"))
    email = ""
    if settings.persona_email.strip():
        try:
            email = normalise_email(settings.persona_email)
        except ValidationError as error:
            problems.extend(("persona_email", reason) for _, reason in error.problems)
    if email and email == user.email:
        problems.append(("persona_email", "this is the auditor's own address: use the persona's"))
    return name, phone, email
