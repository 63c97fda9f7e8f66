"""The world the fieldwork page tests share: a round in the field, one user per role, small helpers."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from audits.fieldwork.contacts import start_contact, submit
from audits.fieldwork.entry import ContactEntry
from audits.models import Assignment, Contact, District, Role, User
from tests.audits.fieldwork_helpers import REACHED_CALL, Fieldwork, build_fieldwork
from tests.conftest import TEST_NOW, AuthActions

AUDITOR_NAME = "Avery Quintanilla"  # must never reach a principal
SCRIPT = "Hello, I am calling about enrolling my son. <b>Say it slowly.</b>\nThen ask about buses."


@dataclass
class World:
    """Fieldwork in one district, one user per role (and a leader of another district)."""

    fieldwork: Fieldwork
    users: dict[str, User]

    @property
    def phone(self) -> Assignment:
        """The auditor's phone assignment."""
        return self.fieldwork.phone

    @property
    def email(self) -> Assignment:
        """The auditor's email assignment."""
        return self.fieldwork.email

    @property
    def visit(self) -> Assignment:
        """The auditor's visit assignment."""
        return self.fieldwork.visit


def build_world(
    session: Session, make_district: Callable[..., District], make_user: Callable[..., User]
) -> World:
    """Create the world (committed): the school has a phone, an email and an address."""
    fieldwork = build_fieldwork(session)
    school = fieldwork.school
    school.phone, school.email = "+19045551234", "office@abess.example"
    school.street, school.city, school.state, school.zip = "12731 Abess Blvd", "Jacksonville", "FL", "32225"
    fieldwork.auditor.name = AUDITOR_NAME
    fieldwork.reviewer.name = "Rita Reviewer"
    fieldwork.phone.scenario.script = SCRIPT
    session.commit()
    users = {
        "admin": make_user(Role.ADMIN, name="Ada Admin"),
        "leader": make_user(Role.LEADER, district=fieldwork.district, name="Lee Leader"),
        "foreign_leader": make_user(Role.LEADER, district=make_district("Away"), name="Far Leader"),
        "reviewer": fieldwork.reviewer,
        "auditor": fieldwork.auditor,
        "other_auditor": fieldwork.other_auditor,
        "principal": make_user(Role.PRINCIPAL, district=fieldwork.district, schools=[school]),
    }
    return World(fieldwork, users)


def login(auth: AuthActions, user: User) -> None:
    """Sign ``user`` in (the test client keeps the session)."""
    auth.sign_in(user.email)


def submitted_call(session: Session, world: World, entry: ContactEntry | None = None) -> Contact:
    """The auditor's phone contact, submitted (committed)."""
    contact = start_contact(session, world.phone, world.fieldwork.auditor)
    submit(
        session,
        contact,
        entry or REACHED_CALL,
        world.fieldwork.auditor,
        world.fieldwork.calendar,
        now=TEST_NOW,
    )
    session.commit()
    return contact


def current_contact(session: Session, assignment: Assignment) -> Contact:
    """The assignment's latest attempt, fresh from the database."""
    session.expire_all()
    contact = session.scalars(
        select(Contact).where(Contact.assignment_id == assignment.id).order_by(Contact.attempt.desc())
    ).first()
    assert contact is not None
    return contact


def open_form(client: FlaskClient, assignment: Assignment) -> str:
    """Open the assignment's contact form and return its HTML."""
    response = client.get(f"/assignments/{assignment.id}/contact")
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def input_value(html: str, name: str) -> str | None:
    """The ``value`` of the input named ``name`` (attributes in either order), or ``None``."""
    for tag in re.findall(r"<input[^>]*>", html):
        if f'name="{name}"' in tag:
            found = re.search(r'value="([^"]*)"', tag)
            return found.group(1) if found else None
    return None


def textarea_value(html: str, name: str) -> str | None:
    """The text of the textarea named ``name``, or ``None``."""
    found = re.search(rf'<textarea[^>]*name="{re.escape(name)}"[^>]*>(.*?)</textarea>', html, re.S)
    if found is None:
        return None
    text = found.group(1)
    return text[2:] if text.startswith("\r\n") else text[1:] if text.startswith("\n") else text


def checked(html: str, name: str, value: str) -> bool:
    """Whether the radio or checkbox ``name`` with ``value`` is checked."""
    for tag in re.findall(r"<input[^>]*>", html):
        if f'name="{name}"' in tag and f'value="{value}"' in tag:
            return re.search(r"\schecked\b", tag) is not None
    return False


def json_headers(**extra: Any) -> dict[str, Any]:
    """What the page's script sends with a draft."""
    return {"Accept": "application/json", **extra}


def selected(html: str, name: str) -> str | None:
    """The value of the chosen option of the select named ``name``, or ``None``."""
    found = re.search(rf'<select[^>]*name="{re.escape(name)}"[^>]*>(.*?)</select>', html, re.S)
    if found is None:
        return None
    option = re.search(r'<option(?=[^>]*\sselected)[^>]*value="([^"]*)"', found.group(1))
    return option.group(1) if option else None
