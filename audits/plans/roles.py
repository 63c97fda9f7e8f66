"""Who is responsible for an action, by role, never by name: staff come and go, roles stay."""

from __future__ import annotations

# key: label, in the order a form offers them.
RESPONSIBLE_ROLES: dict[str, str] = {
    "principal": "Principal",
    "assistant_principal": "Assistant principal",
    "office_manager": "Front-office manager",
    "front_office": "Front-office staff",
    "receptionist": "Receptionist",
    "registrar": "Registrar",
    "attendance_clerk": "Attendance clerk",
    "counselor": "Counselor",
    "bilingual_liaison": "Bilingual liaison",
    "family_liaison": "Family engagement liaison",
    "all_staff": "All staff",
}


def responsible_label(key: str) -> str:
    """The role's words (``Front-office manager``); an unknown key as it is."""
    return RESPONSIBLE_ROLES.get(key, key)
