"""Rings from ring seconds (a 6-second US ring cycle) and outcomes from a call leg's final state."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from audits.models import Outcome
from audits.telephony.timings import (
    LegState,
    StatusEvent,
    leg_state,
    measured_outcome,
    measurements,
    rings_for,
)

T0 = datetime(2027, 2, 2, 14, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("seconds", "rings"),
    [(0, 0), (1, 1), (5, 1), (6, 1), (7, 2), (12, 2), (13, 3), (18, 3), (19, 4), (-3, 0), (0.5, 1)],
)
def test_ring_count(seconds: float, rings: int) -> None:
    assert rings_for(seconds) == rings


def _leg(status: str, ring: int | None = 10, answered: bool = False, **fields: object) -> LegState:
    values: dict[str, object] = {"status": status, "ringing_at": T0}
    if answered:
        values["answered_at"] = T0 + timedelta(seconds=ring or 0)
    else:
        values["ended_at"] = T0 + timedelta(seconds=ring or 0)
    values.update(fields)
    return LegState(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("leg", "outcome"),
    [
        (_leg("completed", answered=True, answered_by="human", duration_seconds=90), Outcome.REACHED),
        (_leg("completed", answered=True, duration_seconds=90), Outcome.REACHED),  # no detection result
        (_leg("completed", answered=True, answered_by="unknown"), Outcome.REACHED),
        (_leg("completed", answered=True, answered_by="machine_end_beep"), Outcome.VOICEMAIL),
        (_leg("completed", ring=30, answered=True, answered_by="machine_start"), Outcome.VOICEMAIL),
        (_leg("completed", ring=5, answered=True, answered_by="machine_start"), Outcome.AUTO_ATTENDANT),
        (_leg("completed", answered=True, answered_by="fax"), Outcome.WRONG_NUMBER),
        (_leg("completed", ring=None, duration_seconds=40), Outcome.REACHED),  # answered event lost
        (_leg("no-answer", ring=60), Outcome.NO_ANSWER),
        (_leg("busy", ring=None), Outcome.BUSY),
        (_leg("failed", ring=None), Outcome.WRONG_NUMBER),
        (_leg("failed", ring=None, sip_response_code=404), Outcome.WRONG_NUMBER),
        (_leg("failed", ring=None, sip_response_code=486), Outcome.BUSY),
        (_leg("failed", ring=None, sip_response_code=480), Outcome.NO_ANSWER),
        (_leg("failed", ring=None, sip_response_code=503), Outcome.NO_ANSWER),
        (_leg("canceled", ring=8), None),  # the auditor hung up first: theirs to judge
        (_leg("ringing", ring=None, ended_at=None), None),
    ],
)
def test_outcome_mapping(leg: LegState, outcome: Outcome | None) -> None:
    assert measured_outcome(leg) == outcome


def _event(sequence: int, status: str, seconds: int, **params: object) -> StatusEvent:
    return StatusEvent(sequence, status, T0 + timedelta(seconds=seconds), params)


def test_leg_state_is_the_same_in_any_order() -> None:
    events = [
        _event(0, "initiated", 0),
        _event(1, "ringing", 1),
        _event(2, "in-progress", 14, AnsweredBy="human"),
        _event(3, "completed", 194, CallDuration=180),
    ]
    state = leg_state(events)
    assert state == leg_state(reversed(events))
    assert state.status == "completed"
    assert state.last_sequence == 3
    assert state.ring_seconds == 13
    assert state.machine is False
    values = measurements(state)
    assert values["rings"] == 3
    assert values["outcome"] == "reached"
    assert values["call_seconds"] == 180
    assert values["started_at"] == T0.isoformat()


def test_an_unanswered_leg_measures_the_rings_until_it_gave_up() -> None:
    state = leg_state([_event(1, "ringing", 0), _event(2, "no-answer", 31)])
    values = measurements(state)
    assert values["rings"] == 6
    assert values["outcome"] == "no_answer"
    assert "call_seconds" not in values


def test_no_events_no_state() -> None:
    assert leg_state([]) == LegState()
