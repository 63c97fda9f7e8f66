"""A world for API tests: the fieldwork district with a leader, tokens per person, another district."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from audits.models import District, Role, Round, RoundStatus, School, User
from audits.passwords import hash_password
from audits.tokens import create_token
from tests.audits.fieldwork_helpers import Fieldwork, build_fieldwork

PASSWORD = "correct-horse-battery"

# The fieldwork helpers' reached call, as the API's JSON body.
REACHED_CALL_BODY: dict[str, Any] = {
    "outcome": "reached",
    "started_at": "2027-02-02T09:15:00-05:00",
    "timings": {"rings": 4, "hold_seconds": 30, "transfers": 1, "call_seconds": 240, "staff_gave_name": True},
    "responses": [
        {"item": "answered_by_person", "value": True},
        {"item": "courtesy", "value": 3},
        {"item": "accuracy", "value": "Partly correct", "comment": "Did not mention immunisation records."},
        {"item": "impression", "value": "Friendly but rushed."},
    ],
}


@dataclass
class ApiWorld:
    """The fieldwork world, a leader, a principal, an administrator, another district, and their tokens."""

    fieldwork: Fieldwork
    leader: User
    principal: User
    admin: User
    other_district: District
    other_school: School
    other_round: Round
    tokens: dict[str, str] = field(default_factory=dict)

    def headers(self, who: str) -> dict[str, str]:
        """The Authorization header of ``who``'s token."""
        return {"Authorization": f"Bearer {self.tokens[who]}"}


def build_api_world(session: Session) -> ApiWorld:
    """Create everything (committed) and a token for each person."""
    fieldwork = build_fieldwork(session)
    password = hash_password(PASSWORD)
    leader = User(
        email="leader@example.org",
        role=Role.LEADER,
        district=fieldwork.district,
        password_hash=password,
        name="Lee",
    )
    principal = User(
        email="principal@example.org",
        role=Role.PRINCIPAL,
        district=fieldwork.district,
        password_hash=password,
        schools=[fieldwork.school],
    )
    admin = User(email="admin@example.org", role=Role.ADMIN, password_hash=password)
    other_district = District(name="Elsewhere ISD")
    other_school = School(district=other_district, nces_id="990000000999", name="Far Away High", level="high")
    session.add_all([leader, principal, admin, other_district, other_school])
    session.flush()
    other_round = Round(
        district_id=other_district.id,
        name="Elsewhere spring",
        first_day=date(2027, 3, 1),
        last_day=date(2027, 3, 26),
        status=RoundStatus.IN_FIELD,
    )
    session.add(other_round)
    session.flush()
    world = ApiWorld(fieldwork, leader, principal, admin, other_district, other_school, other_round)
    people = {
        "auditor": fieldwork.auditor,
        "other_auditor": fieldwork.other_auditor,
        "reviewer": fieldwork.reviewer,
        "leader": leader,
        "principal": principal,
        "admin": admin,
    }
    for who, user in people.items():
        _, world.tokens[who] = create_token(session, user, who)
    session.commit()
    return world


def text_of(*responses: TestResponse) -> str:
    """Every response body, joined, to look for what must never appear."""
    return "\n".join(response.get_data(as_text=True) for response in responses)


def get(client: FlaskClient, world: ApiWorld, who: str, path: str, **kwargs: Any) -> TestResponse:
    """GET ``path`` with ``who``'s token."""
    return client.get(path, headers=world.headers(who), **kwargs)


def post(client: FlaskClient, world: ApiWorld, who: str, path: str, body: Any, **kwargs: Any) -> TestResponse:
    """POST ``body`` as JSON to ``path`` with ``who``'s token."""
    return client.post(path, json=body, headers=world.headers(who), **kwargs)
