"""Every Touchpoint model, importable from one place."""

from audits.models.base import Base, UTCDateTime
from audits.models.district import Closure, District
from audits.models.rubric import (
    Channel,
    CriticalPolicy,
    ItemKind,
    Rubric,
    RubricItem,
    RubricSection,
    RubricStatus,
    TimingUnit,
)
from audits.models.scenario import Scenario
from audits.models.school import Level, School
from audits.models.user import LoginFailure, Role, User, principal_schools

__all__ = [
    "Base",
    "Channel",
    "Closure",
    "CriticalPolicy",
    "District",
    "ItemKind",
    "Level",
    "LoginFailure",
    "Role",
    "Rubric",
    "RubricItem",
    "RubricSection",
    "RubricStatus",
    "Scenario",
    "School",
    "TimingUnit",
    "UTCDateTime",
    "User",
    "principal_schools",
]
