"""The contact form and the API each build the domain's typed entry, and agree on it."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from app.api.inputs import ContactIn
from app.api.writes import contact_entry
from app.fieldwork.entry_form import form_entry, preview_derived, preview_timings, read_form
from audits.errors import ValidationError
from audits.fieldwork.contacts import start_contact
from audits.fieldwork.drafts import entry_values
from audits.fieldwork.entry import AnswerEntry, check_entry
from audits.models import Channel, Rubric
from audits.rubrics.scoring import NA
from tests.app.api_helpers import REACHED_CALL_BODY
from tests.audits.fieldwork_helpers import (
    LIBRARY_CALL_FORM,
    REACHED_CALL,
    REACHED_CALL_FORM,
    Fieldwork,
    build_fieldwork,
    use_library_rubric,
)

TIMEZONE = "America/New_York"


@pytest.fixture
def world(session: Session) -> Fieldwork:
    return build_fieldwork(session)


@pytest.fixture
def rubric(session: Session, world: Fieldwork) -> Rubric:
    return start_contact(session, world.phone, world.auditor).rubric


def test_the_form_and_the_api_give_the_same_typed_entry(rubric: Rubric) -> None:
    from_form, unreadable = read_form(REACHED_CALL_FORM, rubric, TIMEZONE)
    assert unreadable == []
    answered = {key: answer for key, answer in from_form.responses.items() if answer.value is not None}
    assert from_form.outcome == REACHED_CALL.outcome and from_form.started_at == REACHED_CALL.started_at
    assert from_form.timings == REACHED_CALL.timings
    assert answered == REACHED_CALL.responses
    from_api = contact_entry(ContactIn().load(REACHED_CALL_BODY), TIMEZONE)
    assert from_api == REACHED_CALL


def test_an_entry_shown_on_the_form_reads_back_the_same(rubric: Rubric) -> None:
    shown = entry_values(REACHED_CALL, TIMEZONE)
    assert shown["started_at"] == "2027-02-02T09:15" and shown["staff_gave_name"] == "yes"
    assert shown["item-answered_by_person"] == "yes" and shown["comment-accuracy"].startswith("Did not")
    again, unreadable = read_form(shown, rubric, TIMEZONE)
    assert unreadable == [] and again.timings == REACHED_CALL.timings


def test_unreadable_inputs_and_broken_rules_come_back_together_in_page_order(
    rubric: Rubric, world: Fieldwork
) -> None:
    values = {"outcome": "reached", "started_at": "yesterday", "rings": "many", "item-courtesy": "9"}
    with pytest.raises(ValidationError) as caught:
        form_entry(values, rubric, world.calendar)
    assert caught.value.problems == [
        ("started_at", "enter a date and time, e.g. 2027-02-01 09:30"),
        ("timings.rings", "enter a whole number"),  # said once: not also "count the rings"
        ("responses.answered_by_person", "answer this item"),
        ("responses.rings", "answer this item"),
        ("responses.courtesy", "choose a whole number from 0 to 4"),
        ("responses.accuracy", "answer this item"),
    ]


def test_a_readable_form_leaves_the_rules_to_the_domain(rubric: Rubric, world: Fieldwork) -> None:
    entry = form_entry({"outcome": "busy", "rings": "-3"}, rubric, world.calendar)
    assert entry.timings.rings == -3 and entry.started_at is None  # refused by check_entry, not here


def test_timing_previews_skip_what_cannot_be_read(rubric: Rubric, world: Fieldwork) -> None:
    assert preview_timings({"rings": "4", "started_at": "soon"}, rubric, world.calendar) == {"rings": 4.0}
    assert preview_timings({"rings": "many"}, rubric, world.calendar) == {}


def test_the_form_reads_no_answer_for_an_item_scored_from_a_fact_only_its_comment(
    session: Session, world: Fieldwork
) -> None:
    """Those items have no input: an older draft's answer for one is not read, its comment is."""
    use_library_rubric(session, Channel.PHONE)
    rubric = start_contact(session, world.phone, world.auditor).rubric
    values = {
        **LIBRARY_CALL_FORM,
        "item-rings": "9",
        "na-hold_check_back": "1",
        "item-answered_by_person": "no",
    }
    entry, unreadable = read_form(values, rubric, TIMEZONE)
    assert unreadable == []
    assert entry.responses["rings"] == AnswerEntry(
        comment="A menu answered first; rings counted after pressing 0."
    )
    assert entry.responses["hold_check_back"] == AnswerEntry()
    assert entry.responses["answered_by_person"] == AnswerEntry()
    assert entry.responses["school_named"] == AnswerEntry(True)
    assert check_entry(entry, rubric, world.calendar).answers["rings"].value == 4.0


def test_derived_previews_show_what_each_fact_gives_once_the_school_is_reached(
    session: Session, world: Fieldwork
) -> None:
    use_library_rubric(session, Channel.PHONE)
    rubric = start_contact(session, world.phone, world.auditor).rubric
    typed = {"outcome": "", "rings": "2", "hold_seconds": "0", "transfers": "2", "staff_gave_name": "yes"}
    assert preview_derived(typed, rubric, world.calendar) == {
        "answered_by_person": True,
        "rings": 2.0,
        "own_name_given": True,
        "hold_check_back": NA,
        "transfers": "Two transfers",
    }
    assert preview_derived({"rings": "many"}, rubric, world.calendar) == {"answered_by_person": True}
