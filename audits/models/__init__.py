"""Every Touchpoint model, importable from one place."""

from audits.models.base import Base, UTCDateTime
from audits.models.district import Closure, District
from audits.models.school import Level, School
from audits.models.user import LoginFailure, Role, User, principal_schools

__all__ = [
    "Base",
    "Closure",
    "District",
    "Level",
    "LoginFailure",
    "Role",
    "School",
    "UTCDateTime",
    "User",
    "principal_schools",
]
