"""Contradictions the reviewer is shown: answers against the outcome, facts against facts and answers.

Each contact is built as stored (by the form or by older code that let more through), never
submitted: the form refuses some of these today, and the flags must still catch what was kept.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from audits.businesshours import BusinessCalendar
from audits.fieldwork.review_flags import ReviewFlag, duration, review_flags
from audits.models import Channel, Contact, ItemKind, Outcome, Response, Rubric, TimingUnit
from audits.rubrics.scoring import NA, item_fraction
from audits.rubrics.spec import ItemSpec, OptionSpec, RubricSpec, SectionSpec
from audits.rubrics.versions import create_draft, publish, spec_from_item
from tests.audits.fieldwork_helpers import Fieldwork, build_fieldwork, local

ROUTING = [
    OptionSpec("No transfer, or one announced transfer", 1.0),
    OptionSpec("One cold transfer", 0.5),
    OptionSpec("Two transfers", 0.25),
    OptionSpec("Three or more", 0.0),
]
ITEMS = {
    Channel.PHONE: [
        ItemSpec("answered_by_person", "Did a person answer?", ItemKind.YES_NO, points=5, critical=True),
        ItemSpec("school_named", "Was the school named?", ItemKind.YES_NO, points=2),
        ItemSpec(
            "rings",
            "Rings before a person answered",
            ItemKind.TIMING,
            points=3,
            allow_na=True,
            unit=TimingUnit.RINGS,
            bands=[(3, 1.0), (4, 0.75), (6, 0.5), (8, 0.25)],
        ),
        ItemSpec(
            "hold_check_back",
            "Longest hold (seconds)",
            ItemKind.TIMING,
            points=3,
            allow_na=True,
            unit=TimingUnit.SECONDS,
            bands=[(60, 1.0), (120, 0.5), (180, 0.25)],
        ),
        ItemSpec("own_name_given", "Did they give their name?", ItemKind.YES_NO, points=2),
        ItemSpec("transfers", "How was the call routed?", ItemKind.CHOICE, points=3, options=ROUTING),
        ItemSpec(
            "voicemail_returned",
            "Was the voicemail returned?",
            ItemKind.YES_NO,
            points=5,
            critical=True,
            allow_na=True,
        ),
        ItemSpec("courtesy", "Courtesy", ItemKind.SCALE, points=4, max=4),
        ItemSpec("heard", "What families heard", ItemKind.TEXT),
    ],
    Channel.EMAIL: [
        ItemSpec("reply_received", "Did a person reply?", ItemKind.YES_NO, points=10, critical=True),
        ItemSpec(
            "response_time",
            "Business hours to the reply",
            ItemKind.TIMING,
            points=5,
            unit=TimingUnit.BUSINESS_HOURS,
            bands=[(8, 1.0), (16, 0.75), (24, 0.5), (40, 0.25)],
        ),
    ],
    Channel.VISIT: [
        ItemSpec(
            "wait_until_greeted",
            "Minutes until acknowledged",
            ItemKind.TIMING,
            points=5,
            unit=TimingUnit.MINUTES,
            bands=[(1, 1.0), (2, 0.75), (5, 0.5), (10, 0.25)],
        ),
        ItemSpec("courtesy", "Courtesy", ItemKind.SCALE, points=5, max=5),
    ],
}


@pytest.fixture
def world(session: Session) -> Fieldwork:
    return build_fieldwork(session)  # the district's time is New York's; the call started Tue Feb 2, 09:15


@pytest.fixture
def rubrics(session: Session) -> dict[Channel, Rubric]:
    made = {}
    for channel, items in ITEMS.items():
        spec = RubricSpec(f"flags-{channel.value}", "Flags", channel, sections=[SectionSpec("s", "S", items)])
        made[channel] = create_draft(session, spec)
        publish(session, made[channel])
    session.commit()
    return made


def flags_of(
    session: Session,
    world: Fieldwork,
    rubrics: dict[Channel, Rubric],
    channel: Channel,
    outcome: str,
    answers: dict[str, Any],
    *,
    started: str = "2027-02-02T09:15",
    unreached: bool = False,
    **facts: Any,
) -> list[ReviewFlag]:
    """The flags of a contact stored with these facts and answers (``NA`` for N/A), never saved."""
    rubric = rubrics[channel]
    items = {item.key: item for item in rubric.items}
    assignment = {Channel.PHONE: world.phone, Channel.EMAIL: world.email, Channel.VISIT: world.visit}[channel]
    with session.no_autoflush:
        contact = Contact(attempt=1, outcome=Outcome(outcome), unreached=unreached, started_at=local(started))
        for name, value in facts.items():
            setattr(contact, name, local(value) if name.endswith("_at") else value)
        contact.assignment, contact.rubric = assignment, rubric
        for key, value in answers.items():
            item = items[key]
            fraction = item_fraction(spec_from_item(item), value)
            contact.responses.append(
                Response(item=item, na=value is NA, value=None if value is NA else value, fraction=fraction)
            )
        return review_flags(contact, BusinessCalendar.of(world.district))


def texts(flags: list[ReviewFlag]) -> list[str]:
    return [flag.text for flag in flags]


def test_a_consistent_call_has_no_flag(session: Session, world: Fieldwork, rubrics: dict) -> None:
    answers = {
        "answered_by_person": True, "rings": 2.0, "hold_check_back": 20.0, "own_name_given": True,
        "transfers": ROUTING[0].label, "voicemail_returned": NA, "courtesy": 4, "heard": "Kind.",
    }  # fmt: skip
    facts = {"rings": 2, "hold_seconds": 20, "transfers": 0, "call_seconds": 200, "staff_gave_name": True}
    assert flags_of(session, world, rubrics, Channel.PHONE, "reached", answers, **facts) == []


def test_a_reached_call_scored_no_person_contradicts_its_outcome(
    session: Session, world: Fieldwork, rubrics: dict
) -> None:
    # The ABESS PARK: a critical failure "Did a person answer?" on a call that reached a person.
    flags = flags_of(
        session,
        world,
        rubrics,
        Channel.PHONE,
        "reached",
        {"answered_by_person": False, "rings": 7.0},
        rings=7,
    )
    assert flags == [
        ReviewFlag(
            "The call is recorded as “Reached a person”, but “Did a person answer?” is answered No: that "
            "contradicts the outcome and makes it a critical failure on the scorecard. "
            "One of the two is wrong.",
            "answered_by_person",
        )
    ]


def test_answers_to_an_attempt_that_reached_nobody_are_flagged(
    session: Session, world: Fieldwork, rubrics: dict
) -> None:
    answers = {"school_named": True, "courtesy": 3, "own_name_given": False, "heard": "x", "rings": NA}
    earlier = flags_of(session, world, rubrics, Channel.PHONE, "no_answer", answers)
    assert texts(earlier) == [
        "The call is recorded as “No answer”, yet 3 rubric items are answered (“Was the school named?”, "
        "“Did they give their name?”, “Courtesy”). An earlier attempt that reached nobody is a record, "
        "not a score: if someone did answer, the outcome is wrong."
    ]
    assert earlier[0].item_key == "school_named"
    last = flags_of(session, world, rubrics, Channel.PHONE, "voicemail", {"courtesy": 3}, unreached=True)
    assert texts(last) == [
        "The call is recorded as “Voicemail”, yet 1 rubric item is answered (“Courtesy”). It counts as "
        "unreached and scores 0 whatever the answers say: if someone did answer, the outcome is wrong."
    ]
    assert flags_of(session, world, rubrics, Channel.PHONE, "busy", {"rings": NA, "heard": "x"}) == []


def test_a_reached_contact_with_nothing_answered_has_no_score(
    session: Session, world: Fieldwork, rubrics: dict
) -> None:
    assert texts(flags_of(session, world, rubrics, Channel.VISIT, "reached", {}, greeted_seconds=30)) == [
        "The visit is recorded as “Reached a person”, but no rubric item is answered: it has no score, "
        "and the school's figures leave it out."
    ]


def test_a_timing_answer_that_disagrees_with_the_recorded_fact(
    session: Session, world: Fieldwork, rubrics: dict
) -> None:
    # 2 rings earn the first band (100%); the recorded 7 rings the fourth (25%).
    flags = flags_of(
        session, world, rubrics, Channel.PHONE, "reached",
        {"answered_by_person": True, "rings": 2.0, "hold_check_back": 100.0}, rings=7, hold_seconds=110,
    )  # fmt: skip
    assert flags == [
        ReviewFlag(
            "“Rings before a person answered” is answered 2 rings, but the call records 7 rings "
            "(the answer earns 100%, the recorded value 25%).",
            "rings",
        ),
        ReviewFlag(
            "“Longest hold (seconds)” is answered 100 seconds, but the call records 110 seconds on hold "
            "(both earn 50%).",
            "hold_check_back",
        ),
    ]


def test_a_timing_marked_na_although_the_fact_was_recorded(
    session: Session, world: Fieldwork, rubrics: dict
) -> None:
    # 150 s on hold is in the third band (≤ 180 s): 25%.
    flags = flags_of(
        session, world, rubrics, Channel.PHONE, "reached",
        {"answered_by_person": True, "hold_check_back": NA}, hold_seconds=150,
    )  # fmt: skip
    assert texts(flags) == [
        "“Longest hold (seconds)” is marked N/A, but the call records 150 seconds on hold: scored from "
        "that, it would earn 25% of its points."
    ]


def test_a_visit_greeted_in_five_seconds_answered_as_forty_minutes(
    session: Session, world: Fieldwork, rubrics: dict
) -> None:
    # 40 minutes is past the last band (10 minutes): 0%; 5 seconds is 0.08 minutes, the first band: 100%.
    flags = flags_of(
        session, world, rubrics, Channel.VISIT, "reached", {"wait_until_greeted": 40.0, "courtesy": 5},
        started="2027-02-02T13:30", greeted_seconds=5, wait_seconds=2400,
    )  # fmt: skip
    assert texts(flags) == [
        "“Minutes until acknowledged” is answered 40 minutes, but the visit records a greeting after "
        "5 seconds (the answer earns 0%, the recorded value 100%)."
    ]


def test_facts_that_cannot_all_be_true(session: Session, world: Fieldwork, rubrics: dict) -> None:
    call = flags_of(
        session, world, rubrics, Channel.PHONE, "reached", {"answered_by_person": True},
        hold_seconds=300, call_seconds=240, callback_at="2027-02-02T08:00",
    )  # fmt: skip
    assert texts(call) == [
        "The call back is recorded at Tue, Feb 2, 2027, 08:00, "
        "before the call itself (Tue, Feb 2, 2027, 09:15).",
        "The call records 5 minutes on hold, longer than the whole call (4 minutes).",
    ]
    visit = flags_of(
        session, world, rubrics, Channel.VISIT, "reached", {"courtesy": 4},
        started="2027-02-02T13:30", greeted_seconds=600, wait_seconds=300,
    )  # fmt: skip
    assert texts(visit) == [
        "The visit records a greeting after 10 minutes, later than the whole wait (5 minutes)."
    ]


def test_an_email_reply_before_it_was_sent_as_older_code_stored_it(
    session: Session, world: Fieldwork, rubrics: dict
) -> None:
    flags = flags_of(
        session, world, rubrics, Channel.EMAIL, "reached", {"reply_received": True, "response_time": 3.0},
        started="2027-02-02T10:00", reply_at="2027-02-02T09:00", sent_text="Hi",
    )  # fmt: skip
    assert texts(flags) == [
        "The reply is recorded at Tue, Feb 2, 2027, 09:00, "
        "before the email was sent (Tue, Feb 2, 2027, 10:00): the response time cannot be worked out."
    ]


def test_an_email_whose_outcome_disagrees_with_its_reply(
    session: Session, world: Fieldwork, rubrics: dict
) -> None:
    no_reply = flags_of(
        session, world, rubrics, Channel.EMAIL, "no_reply", {}, started="2027-02-02T10:00",
        reply_at="2027-02-03T10:00", sent_text="Hi",
    )  # fmt: skip
    assert texts(no_reply) == [
        "The email is recorded as “No reply”, yet a reply is recorded at Wed, Feb 3, 2027, 10:00."
    ]
    # Sent Tue 10:00, replied Wed 10:00: 6 business hours on Tuesday (to 16:00) and 2.5 on Wednesday
    # (from 07:30) make 8.5, the second band (75%); the answer says 3 hours, the first (100%).
    answered = flags_of(
        session, world, rubrics, Channel.EMAIL, "reached", {"reply_received": False, "response_time": 3.0},
        started="2027-02-02T10:00", reply_at="2027-02-03T10:00", sent_text="Hi", response_business_hours=8.5,
    )  # fmt: skip
    assert texts(answered) == [
        "The email is recorded as “Reached a person”, but “Did a person reply?” is answered No: that "
        "contradicts the outcome and makes it a critical failure on the scorecard. One of the two is wrong.",
        "“Business hours to the reply” is answered 3 business hours, but the recorded reply came 8.5 "
        "business hours after the email (the answer earns 100%, the recorded value 75%).",
    ]
    missing = flags_of(
        session, world, rubrics, Channel.EMAIL, "reached", {"reply_received": True}, sent_text="Hi"
    )
    assert texts(missing) == [
        "The email is recorded as answered, but no reply time is recorded: its response time is missing "
        "from the school's figures."
    ]


def test_a_calls_answers_against_its_name_transfers_and_call_back(
    session: Session, world: Fieldwork, rubrics: dict
) -> None:
    answers = {"answered_by_person": True, "own_name_given": True, "transfers": ROUTING[0].label,
               "voicemail_returned": False}  # fmt: skip
    flags = flags_of(
        session, world, rubrics, Channel.PHONE, "reached", answers,
        staff_gave_name=False, transfers=2, callback_at="2027-02-03T10:00",
    )  # fmt: skip
    assert flags == [
        ReviewFlag(
            "The call records “Staff member gave their name: No”, "
            "but “Did they give their name?” is answered Yes.",
            "own_name_given",
        ),
        ReviewFlag(
            "The call records 2 transfers, but “How was the call routed?” is answered "
            "“No transfer, or one announced transfer”.",
            "transfers",
        ),
        ReviewFlag(
            "A call back is recorded (Wed, Feb 3, 2027, 10:00), "
            "but “Was the voicemail returned?” is answered No.",
            "voicemail_returned",
        ),
    ]
    cold = flags_of(
        session, world, rubrics, Channel.PHONE, "reached",
        {"answered_by_person": True, "transfers": ROUTING[1].label}, transfers=0,
    )  # fmt: skip
    assert texts(cold) == [
        "The call records no transfer, but “How was the call routed?” is answered “One cold transfer”."
    ]
    one = flags_of(
        session, world, rubrics, Channel.PHONE, "reached",
        {"answered_by_person": True, "transfers": ROUTING[1].label}, transfers=1,
    )  # fmt: skip
    assert one == []


def test_durations_read_as_people_say_them() -> None:
    assert [duration(s) for s in (1, 5, 119, 120, 150, 2400)] == [
        "1 second", "5 seconds", "119 seconds", "2 minutes", "2.5 minutes", "40 minutes",
    ]  # fmt: skip
