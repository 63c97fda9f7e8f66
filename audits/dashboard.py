"""What each role's home page shows: counts and next steps, in a few queries."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from audits.models import District, Level, Role, School, User


@dataclass
class HomeSummary:
    """The figures a home page needs; which are filled depends on the role."""

    district: District | None = None
    school_count: int = 0
    active_school_count: int = 0
    schools_by_level: dict[str, int] = field(default_factory=dict)
    schools_missing_phone: int = 0
    schools_missing_email: int = 0
    district_count: int = 0
    user_counts: dict[str, int] = field(default_factory=dict)
    my_schools: list[School] = field(default_factory=list)


def home_summary(session: Session, user: User) -> HomeSummary:
    """Gather the figures for ``user``'s home page."""
    summary = HomeSummary(district=user.district)
    if user.role is Role.PRINCIPAL:
        summary.my_schools = list(user.schools)
        return summary
    if user.role is Role.ADMIN:
        summary.district_count = session.scalar(select(func.count()).select_from(District)) or 0
        rows = session.execute(select(User.role, func.count()).group_by(User.role))
        summary.user_counts = {Role(role).value: count for role, count in rows}
    stmt = select(School.level, School.active, func.count()).group_by(School.level, School.active)
    missing = select(
        func.count().filter(School.phone.is_(None)), func.count().filter(School.email.is_(None))
    ).where(School.active.is_(True))
    if user.role is not Role.ADMIN:
        stmt = stmt.where(School.district_id == user.district_id)
        missing = missing.where(School.district_id == user.district_id)
    for level, active, count in session.execute(stmt):
        summary.school_count += count
        if active:
            summary.active_school_count += count
            key = Level(level).value
            summary.schools_by_level[key] = summary.schools_by_level.get(key, 0) + count
    summary.schools_missing_phone, summary.schools_missing_email = session.execute(missing).one()
    return summary
