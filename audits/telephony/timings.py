"""What a call leg's status events measure: rings, call length and how the attempt ended.

A US ring cycle lasts 6 seconds (2 s of ring, 4 s of silence), so the rings the
school let pass are the seconds between its phone starting to ring and the
answer, divided by 6 and rounded up: 0 s is no ring, 1–6 s one ring, 7 s two.

How the school leg's final state maps onto the contact's outcome:

- answered by a person (``AnsweredBy`` ``human``, ``unknown`` or none) → reached;
- answered by a machine: a greeting that ends in a beep or silence
  (``machine_end_*``) → voicemail; ``machine_start`` (what ``machineDetection=
  Enable`` reports for every machine) → auto-attendant when it picked up within
  :data:`AUTO_ATTENDANT_MAX_RINGS` rings (menus answer at once), voicemail after
  longer ringing (voicemail boxes take over from an unanswered phone);
  ``fax`` → wrong number (the listed number is not a voice line);
- ``no-answer`` → no answer; ``busy`` → busy;
- ``failed`` → wrong number, as Twilio's ``failed`` most often means the number
  does not exist; unless the SIP code says the line was busy (486, 600 → busy)
  or the network did not get through (408, 480, 5xx → no answer);
- ``canceled`` (the auditor hung up before the school answered) → nothing is
  measured: the auditor decides.

Hold time cannot be heard in call events, so it stays the auditor's to enter.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from audits.models import Outcome

RING_CYCLE_SECONDS = 6
AUTO_ATTENDANT_MAX_RINGS = 2
# Twilio's CallStatus values in the order a call goes through them.
STATUS_RANK = {
    "queued": 0,
    "initiated": 1,
    "ringing": 2,
    "in-progress": 3,
    "completed": 4,
    "busy": 4,
    "failed": 4,
    "no-answer": 4,
    "canceled": 4,
}
FINAL_STATUSES = frozenset(status for status, rank in STATUS_RANK.items() if rank == 4)
ANSWERED_BY = frozenset(
    {
        "human",
        "machine_start",
        "machine_end_beep",
        "machine_end_silence",
        "machine_end_other",
        "fax",
        "unknown",
    }
)
MACHINE_ANSWERS = frozenset(ANSWERED_BY - {"human", "unknown"})
BUSY_SIP_CODES = frozenset({486, 600})
NO_ANSWER_SIP_CODES = frozenset({408, 480})


def rings_for(seconds: float) -> int:
    """The rings heard in ``seconds`` of ringing: a started ring cycle counts as a ring."""
    if seconds <= 0:
        return 0
    return math.ceil(seconds / RING_CYCLE_SECONDS)


@dataclass(frozen=True)
class StatusEvent:
    """One stored status callback of a call leg, as the state is computed from it."""

    sequence: int
    status: str
    at: datetime
    params: Mapping[str, Any]


@dataclass(frozen=True)
class LegState:
    """A call leg's state, computed from every status event it has received."""

    status: str = "queued"
    last_sequence: int = -1
    started_at: datetime | None = None
    ringing_at: datetime | None = None
    answered_at: datetime | None = None
    ended_at: datetime | None = None
    duration_seconds: int | None = None
    answered_by: str | None = None
    sip_response_code: int | None = None

    @property
    def final(self) -> bool:
        """Whether the leg has ended."""
        return self.status in FINAL_STATUSES

    @property
    def machine(self) -> bool | None:
        """Whether a machine answered: ``None`` when detection said nothing or could not tell."""
        if self.answered_by is None or self.answered_by == "unknown":
            return None
        return self.answered_by in MACHINE_ANSWERS

    @property
    def answered(self) -> bool:
        """Whether anyone (or anything) picked up."""
        return self.answered_at is not None or (
            self.status == "completed" and (self.duration_seconds or 0) > 0
        )

    @property
    def ring_seconds(self) -> int | None:
        """Seconds the phone rang: until the answer, or until the leg ended unanswered.

        When the answer's own event is missing, the answer is the end less the call's length.
        """
        until = self.answered_at
        if until is None and self.ended_at is not None:
            talk = self.duration_seconds if self.answered else 0
            until = self.ended_at - timedelta(seconds=talk or 0)
        if self.ringing_at is None or until is None:
            return None
        return max(0, int((until - self.ringing_at).total_seconds()))


def _order(event: StatusEvent) -> tuple[int, int, datetime]:
    return (event.sequence, STATUS_RANK[event.status], event.at)


def leg_state(events: Iterable[StatusEvent]) -> LegState:
    """The leg's state from all its events, whatever order they arrived in.

    Events are taken in ``(SequenceNumber, status rank)`` order; the last one gives
    the status, the first of each kind its moment.
    """
    ordered = sorted(events, key=_order)
    if not ordered:
        return LegState()
    last = ordered[-1]
    finals = [event for event in ordered if event.status in FINAL_STATUSES]
    final = finals[-1] if finals else None
    answered_by = [event.params["AnsweredBy"] for event in ordered if event.params.get("AnsweredBy")]
    duration = final.params.get("CallDuration") if final else None
    sip = final.params.get("SipResponseCode") if final else None
    return LegState(
        status=last.status,
        last_sequence=max(event.sequence for event in ordered),
        started_at=min(event.at for event in ordered),
        ringing_at=min((event.at for event in ordered if event.status == "ringing"), default=None),
        answered_at=min((event.at for event in ordered if event.status == "in-progress"), default=None),
        ended_at=final.at if final else None,
        duration_seconds=int(duration) if duration is not None else None,
        answered_by=answered_by[-1] if answered_by else None,
        sip_response_code=int(sip) if sip is not None else None,
    )


def _machine_outcome(answered_by: str, rings: int | None) -> Outcome:
    if answered_by == "fax":
        return Outcome.WRONG_NUMBER
    if answered_by == "machine_start" and rings is not None and rings <= AUTO_ATTENDANT_MAX_RINGS:
        return Outcome.AUTO_ATTENDANT
    return Outcome.VOICEMAIL


def _failed_outcome(sip_code: int | None) -> Outcome:
    if sip_code in BUSY_SIP_CODES:
        return Outcome.BUSY
    if sip_code is not None and (sip_code in NO_ANSWER_SIP_CODES or 500 <= sip_code < 600):
        return Outcome.NO_ANSWER
    return Outcome.WRONG_NUMBER


def measured_outcome(leg: LegState) -> Outcome | None:
    """How the attempt ended, as the school leg shows it (``None``: not known, or not measurable)."""
    rings = rings_for(leg.ring_seconds) if leg.ring_seconds is not None else None
    if leg.answered:
        if leg.machine:
            return _machine_outcome(leg.answered_by or "", rings)
        return Outcome.REACHED
    if leg.status == "no-answer":
        return Outcome.NO_ANSWER
    if leg.status == "busy":
        return Outcome.BUSY
    if leg.status == "failed":
        return _failed_outcome(leg.sip_response_code)
    return None


def measurements(leg: LegState) -> dict[str, Any]:
    """What the school leg measured, JSON-ready: started_at (ISO), rings, outcome, call_seconds …"""
    values: dict[str, Any] = {}
    if leg.started_at is not None:
        values["started_at"] = leg.started_at.isoformat()
    if leg.ring_seconds is not None:
        values["ring_seconds"] = leg.ring_seconds
        values["rings"] = rings_for(leg.ring_seconds)
    outcome = measured_outcome(leg)
    if outcome is not None:
        values["outcome"] = outcome.value
    if leg.answered and leg.duration_seconds is not None:
        values["call_seconds"] = leg.duration_seconds
    if leg.answered_by is not None:
        values["answered_by"] = leg.answered_by
    values["status"] = leg.status
    return values
