"""The permission rules for recording, reviewing and viewing contacts and their evidence, without a client."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from audits.access import Action, allowed
from audits.fieldwork.contacts import start_contact
from audits.fieldwork.evidence import store_evidence
from audits.models import Contact, District, Evidence, Role, School, User
from tests.audits.fieldwork_helpers import Fieldwork, build_fieldwork

PEOPLE = (
    "admin",
    "leader",
    "foreign_leader",
    "reviewer",
    "foreign_reviewer",
    "auditor",
    "other_auditor",
    "principal",
)


@dataclass
class World:
    """A fieldwork round with one started contact and an evidence file; one user per case."""

    fieldwork: Fieldwork
    contact: Contact
    evidence: Evidence
    users: dict[str, User]


@pytest.fixture
def world(
    session: Session,
    tmp_path: Path,
    make_district: Callable[..., District],
    make_user: Callable[..., User],
) -> World:
    fieldwork = build_fieldwork(session)
    away = make_district("Away")
    users = {
        "admin": make_user(Role.ADMIN),
        "leader": make_user(Role.LEADER, district=fieldwork.district),
        "foreign_leader": make_user(Role.LEADER, district=away),
        "reviewer": fieldwork.reviewer,
        "foreign_reviewer": make_user(Role.REVIEWER, district=away),
        "auditor": fieldwork.auditor,
        "other_auditor": fieldwork.other_auditor,
        "principal": make_user(Role.PRINCIPAL, district=fieldwork.district, schools=[fieldwork.school]),
    }
    contact = start_contact(session, fieldwork.phone, fieldwork.auditor)
    evidence = store_evidence(
        session,
        contact,
        b"Notes: a person answered.",
        "notes.txt",
        "notes",
        fieldwork.auditor,
        tmp_path,
        10_000,
    )
    session.commit()
    return World(fieldwork, contact, evidence, users)


@pytest.mark.parametrize(
    ("action", "who_may"),
    [
        (Action.RECORD_CONTACTS, {"auditor", "other_auditor"}),
        (Action.REVIEW_CONTACTS, {"admin", "leader", "foreign_leader", "reviewer", "foreign_reviewer"}),
        (
            Action.VIEW_CONTACT,
            {"admin", "leader", "foreign_leader", "reviewer", "foreign_reviewer", "auditor", "other_auditor"},
        ),
    ],
)
def test_each_new_action_belongs_to_its_roles(world: World, action: Action, who_may: set[str]) -> None:
    for who in PEOPLE:
        assert allowed(world.users[who], action) is (who in who_may), who


@pytest.mark.parametrize(
    ("action", "who_may"),
    [
        (Action.RECORD_CONTACTS, {"auditor"}),
        (Action.REVIEW_CONTACTS, {"admin", "leader", "reviewer"}),
        (Action.VIEW_CONTACT, {"admin", "leader", "reviewer", "auditor"}),
    ],
)
def test_a_contact_is_its_auditors_and_its_districts(world: World, action: Action, who_may: set[str]) -> None:
    for who in PEOPLE:
        assert allowed(world.users[who], action, world.contact) is (who in who_may), (who, action)


@pytest.mark.parametrize(
    ("action", "who_may"),
    [
        (Action.RECORD_CONTACTS, {"auditor"}),
        (Action.VIEW_CONTACT, {"admin", "leader", "reviewer", "auditor"}),
    ],
)
def test_an_evidence_file_follows_its_contact(world: World, action: Action, who_may: set[str]) -> None:
    for who in PEOPLE:
        assert allowed(world.users[who], action, world.evidence) is (who in who_may), (who, action)


def test_recording_on_an_assignment_is_for_its_own_auditor_only(world: World) -> None:
    assignment = world.fieldwork.phone
    assert allowed(world.users["auditor"], Action.RECORD_CONTACTS, assignment)
    for who in PEOPLE:
        if who != "auditor":
            assert not allowed(world.users[who], Action.RECORD_CONTACTS, assignment), who


def test_a_contact_stays_with_the_auditor_who_recorded_it(world: World, session: Session) -> None:
    """Reassigning the assignment later does not hand the recorded attempt to the new auditor."""
    world.fieldwork.phone.auditor_id = world.users["other_auditor"].id
    session.commit()
    assert allowed(world.users["auditor"], Action.VIEW_CONTACT, world.contact)
    assert not allowed(world.users["other_auditor"], Action.VIEW_CONTACT, world.contact)


def test_a_deactivated_reviewer_and_a_principal_reach_no_contact(world: World, session: Session) -> None:
    principal = world.users["principal"]
    school: School = world.fieldwork.school
    assert allowed(principal, Action.VIEW_SCHOOL, school)  # their own school, but never its contacts
    for action in (Action.VIEW_CONTACT, Action.REVIEW_CONTACTS, Action.RECORD_CONTACTS):
        assert not allowed(principal, action, world.contact)
        assert not allowed(principal, action, world.evidence)
    reviewer = world.users["reviewer"]
    reviewer.active = False
    assert not allowed(reviewer, Action.VIEW_CONTACT, world.contact)


def test_a_reviewer_without_a_district_reaches_no_contact(
    world: World, make_user: Callable[..., User]
) -> None:
    assert not allowed(make_user(Role.REVIEWER, district=None), Action.VIEW_CONTACT, world.contact)
