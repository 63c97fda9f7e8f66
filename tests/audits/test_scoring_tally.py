"""Contact tallies: kept equal to what the responses say, by the code and by the migration."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import select
from sqlalchemy.orm import Session

from audits.fieldwork.contacts import approve, start_contact, submit
from audits.fieldwork.entry import AnswerEntry
from audits.models import Channel, Contact, ContactSectionPoints, CriticalPolicy, ItemKind
from audits.scoring.tally import tally
from tests.audits.fieldwork_helpers import REACHED_CALL, build_fieldwork, changed
from tests.audits.scoring_helpers import NA
from tests.audits.scoring_helpers import build_world as build_scoring_world
from tests.conftest import TEST_NOW


def by_hand(contact: Contact) -> tuple[float, float, bool, dict[str, tuple[float, float]]]:
    """Rules 1 and 4 computed in Python from the responses: the reference the tally must match."""
    earned = possible = 0.0
    critical = False
    sections: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for response in contact.responses:
        item = response.item
        section = sections[item.section.key]
        if item.critical and not response.na and response.fraction == 0:
            critical = True
        if response.na or response.fraction is None or item.kind is ItemKind.TEXT:
            continue
        earned += response.fraction * item.points
        possible += item.points
        section[0] += response.fraction * item.points
        section[1] += item.points
    return earned, possible, critical, {key: (e, p) for key, (e, p) in sections.items()}


def stored(session: Session, contact: Contact) -> tuple[float, float, bool, dict[str, tuple[float, float]]]:
    """The contact's tally as the database holds it."""
    session.refresh(contact)
    rows = session.scalars(select(ContactSectionPoints).where(ContactSectionPoints.contact_id == contact.id))
    sections = {row.section_key: (row.earned, row.possible) for row in rows}
    return contact.earned_points, contact.possible_points, contact.critical_failure, sections


def _close(a: tuple[float, float, bool, dict[str, tuple[float, float]]], b: tuple) -> bool:  # type: ignore[type-arg]
    return (
        abs(a[0] - b[0]) < 1e-9
        and abs(a[1] - b[1]) < 1e-9
        and a[2] == b[2]
        and a[3].keys() == b[3].keys()
        and all(abs(a[3][k][0] - b[3][k][0]) < 1e-9 and a[3][k][1] == b[3][k][1] for k in a[3])
    )


def test_submitting_a_contact_tallies_its_points(session: Session) -> None:
    """The auditor's submission stores earned, possible and per-section points from the answers."""
    world = build_fieldwork(session)
    contact = start_contact(session, world.phone, world.auditor)
    submit(session, contact, REACHED_CALL, world.auditor, world.calendar, now=TEST_NOW)
    session.commit()
    tallied = stored(session, contact)
    assert tallied[1] > 0
    assert 0 < tallied[0] < tallied[1]  # courtesy 3 of 5 and a partly correct answer: not full marks
    assert _close(tallied, by_hand(contact))
    # Each section's points carry the contact's round and school (the state-wide view reads them so).
    rows = session.scalars(select(ContactSectionPoints).where(ContactSectionPoints.contact_id == contact.id))
    assert {(row.round_id, row.school_id) for row in rows} == {(world.phone.round_id, world.phone.school_id)}
    assert contact.round_id == world.phone.round_id


def test_a_reviewer_edit_re_tallies_the_contact(session: Session) -> None:
    """Changing an answer in review changes the stored points to match."""
    from audits.fieldwork.contacts import reviewer_edit

    world = build_fieldwork(session)
    contact = start_contact(session, world.phone, world.auditor)
    submit(session, contact, REACHED_CALL, world.auditor, world.calendar, now=TEST_NOW)
    before = stored(session, contact)
    better = changed(REACHED_CALL, responses={"courtesy": AnswerEntry(4)})
    reviewer_edit(session, contact, better, world.reviewer, world.calendar, now=TEST_NOW)
    approve(session, contact, world.reviewer)
    session.commit()
    after = stored(session, contact)
    assert after[0] > before[0]
    assert after[1] == before[1]
    assert _close(after, by_hand(contact))


def test_tally_flags_critical_failures_and_leaves_na_out(session: Session) -> None:
    """A critical item at 0 sets the flag; N/A answers add nothing; tallying twice changes nothing."""
    world = build_scoring_world(session, schools=1, policy=CriticalPolicy.ZERO)
    round_ = world.round("Fall", date(2026, 10, 1))
    answers = {"named": 1.0, "courtesy": NA, "answered": 0.0, "accuracy": 0.5}
    contact = world.contact(round_, world.schools[0], Channel.PHONE, answers)
    first = stored(session, contact)
    assert first[2] is True
    assert _close(first, by_hand(contact))
    tally(session, select(Contact.id))
    assert stored(session, contact) == first


def test_the_migration_tallies_existing_contacts_as_the_code_does(app: Flask, session: Session) -> None:
    """Down to 0007 (no tallies) and up again: the migration's backfill equals the code's tally."""
    world = build_scoring_world(session, schools=2)
    round_ = world.round("Fall", date(2026, 10, 1))
    world.contact(round_, world.schools[0], Channel.PHONE, {"named": 1.0, "courtesy": 0.5, "answered": 0.0})
    world.contact(round_, world.schools[1], Channel.EMAIL, {"named": NA, "courtesy": 0.25, "note": None})
    world.contact(round_, world.schools[1], Channel.VISIT, {})
    session.commit()
    contacts = list(session.scalars(select(Contact).order_by(Contact.id)))
    expected = [stored(session, contact) for contact in contacts]
    assert any(tallied[1] > 0 for tallied in expected)
    session.close()
    downgrade(revision="0007")
    upgrade()
    contacts = list(session.scalars(select(Contact).order_by(Contact.id)))
    assert [stored(session, contact) for contact in contacts] == expected
    # Migration 0035 gave the backfilled points their contact's round and school.
    by_id = {contact.id: contact for contact in contacts}
    points = list(session.scalars(select(ContactSectionPoints)))
    assert points
    for row in points:
        contact = by_id[row.contact_id]
        assert (row.round_id, row.school_id) == (contact.round_id, contact.assignment.school_id)
