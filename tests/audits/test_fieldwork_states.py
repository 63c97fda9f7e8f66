"""What the fieldwork pages ask of the domain: assignment states, queue counts, timing previews, files."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from audits.errors import ConflictError, NotAllowedError
from audits.fieldwork.contacts import (
    approve,
    queue_count,
    reopen,
    retry,
    return_contact,
    review_queue,
    start_contact,
    submit,
)
from audits.fieldwork.drafts import form_values, save_draft, stored_values
from audits.fieldwork.evidence import attach_evidence, remove_evidence
from audits.fieldwork.status import assignment_states
from audits.models import EvidenceKind
from tests.audits.fieldwork_helpers import REACHED_CALL, Fieldwork, attempt, build_fieldwork
from tests.audits.test_evidence import EML
from tests.conftest import TEST_NOW

NO_ANSWER = attempt("no_answer", "2027-02-02T09:15")


@pytest.fixture
def world(session: Session) -> Fieldwork:
    return build_fieldwork(session)


def _state(session: Session, world: Fieldwork) -> tuple[str, str]:
    state = assignment_states(session, [world.phone])[world.phone.id]
    return state.key, state.comment


def test_an_assignment_moves_through_every_state(session: Session, world: Fieldwork) -> None:
    assert _state(session, world) == ("not_started", "")
    contact = start_contact(session, world.phone, world.auditor)
    assert _state(session, world) == ("not_started", "")  # opened, nothing kept yet
    save_draft(contact, {"rings": "3"}, world.auditor)
    assert _state(session, world) == ("draft", "")
    submit(session, contact, NO_ANSWER, world.auditor, world.calendar, now=TEST_NOW)
    assert _state(session, world) == ("retry", "")
    second = retry(session, world.phone, world.auditor)
    submit(session, second, REACHED_CALL, world.auditor, world.calendar, now=TEST_NOW)
    assert _state(session, world) == ("submitted", "")
    assert assignment_states(session, [world.phone])[world.phone.id].done
    return_contact(session, second, world.reviewer, "Count the rings again")
    assert _state(session, world) == ("returned", "Count the rings again")
    submit(session, second, REACHED_CALL, world.auditor, world.calendar, now=TEST_NOW)
    approve(session, second, world.reviewer)
    assert _state(session, world) == ("approved", "")
    reopen(session, second, world.reviewer, "Disputed")
    assert _state(session, world) == ("reopened", "Disputed")


def test_the_last_failed_attempt_is_unreached(session: Session, world: Fieldwork) -> None:
    contact = start_contact(session, world.phone, world.auditor)
    for number in range(3):
        submit(session, contact, NO_ANSWER, world.auditor, world.calendar, now=TEST_NOW)
        if number < 2:
            contact = retry(session, world.phone, world.auditor)
    state = assignment_states(session, [world.phone])[world.phone.id]
    assert (state.key, state.attempt, state.done) == ("unreached", 3, True)
    assert assignment_states(session, []) == {}


def test_the_queue_counts_and_limits(session: Session, world: Fieldwork) -> None:
    call = start_contact(session, world.phone, world.auditor)
    submit(session, call, NO_ANSWER, world.auditor, world.calendar, now=TEST_NOW)
    email = start_contact(session, world.email, world.auditor)
    entry = attempt("no_reply", "2027-02-02T10:00", sent_text="Hi")
    submit(session, email, entry, world.auditor, world.calendar, now=TEST_NOW)
    start_contact(session, world.visit, world.auditor)  # a draft does not wait for review
    assert queue_count(session, world.district.id) == 2
    assert queue_count(session, None) == 2
    assert queue_count(session, world.district.id + 1) == 0
    assert review_queue(session, world.district.id, limit=1) == [call]


def test_stored_values_leave_the_draft_out(session: Session, world: Fieldwork) -> None:
    contact = start_contact(session, world.phone, world.auditor)
    submit(session, contact, REACHED_CALL, world.auditor, world.calendar, now=TEST_NOW)
    return_contact(session, contact, world.reviewer, "Fix it")
    save_draft(contact, {"rings": "9"}, world.auditor)
    assert form_values(contact, "America/New_York") == {"rings": "9"}
    stored = stored_values(contact, "America/New_York")
    assert stored["rings"] == "4" and stored["started_at"] == "2027-02-02T09:15"


def test_an_eml_attached_to_an_email_contact_fills_its_reply(
    session: Session, world: Fieldwork, tmp_path: Path
) -> None:
    contact = start_contact(session, world.email, world.auditor)
    save_draft(contact, {"sent_text": "Hello"}, world.auditor)
    evidence = attach_evidence(session, contact, EML, "reply.eml", "reply", world.auditor, tmp_path, 100_000)
    assert evidence.kind is EvidenceKind.EMAIL
    assert contact.draft == {
        "sent_text": "Hello",
        "reply_at": "2027-02-08T09:00",
        "reply_text": "Hello, the application form is attached.",
    }
    phone = start_contact(session, world.phone, world.auditor)
    attach_evidence(session, phone, EML, "reply.eml", "other", world.auditor, tmp_path, 100_000)
    assert phone.draft == {}  # only an email contact takes its reply from an .eml


def test_only_the_auditor_changes_evidence_while_the_contact_is_theirs(
    session: Session, world: Fieldwork, tmp_path: Path
) -> None:
    contact = start_contact(session, world.phone, world.auditor)
    with pytest.raises(NotAllowedError, match="only the contact's auditor"):
        attach_evidence(session, contact, b"notes", "n.txt", "", world.other_auditor, tmp_path, 1000)
    evidence = attach_evidence(session, contact, b"notes", "n.txt", "", world.auditor, tmp_path, 1000)
    with pytest.raises(NotAllowedError, match="only the contact's auditor"):
        remove_evidence(session, evidence, world.reviewer, tmp_path)
    submit(session, contact, REACHED_CALL, world.auditor, world.calendar, now=TEST_NOW)
    with pytest.raises(ConflictError, match="cannot change now"):
        remove_evidence(session, evidence, world.auditor, tmp_path)
    with pytest.raises(ConflictError, match="cannot change now"):
        attach_evidence(session, contact, b"more", "m.txt", "", world.auditor, tmp_path, 1000)
    return_contact(session, contact, world.reviewer, "Add the photo")
    remove_evidence(session, evidence, world.auditor, tmp_path)
    assert contact.evidence == []
