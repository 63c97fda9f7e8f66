"""Whether a call may be recorded, and whether the school must hear a notice first.

US wiretap law differs by state. Most states let one party to a call (the
auditor) consent to its recording; some require every party's consent, and a
few have mixed or unsettled rules. ``RECORDING_POLICY`` picks how careful to be:

- ``off``: never record.
- ``one_party_only``: record only where the school's state is a one-party-consent
  state; never in an all-party or mixed state, nor when the state is unknown.
- ``announce``: record everywhere, and the school hears a recording notice as it
  answers (which makes continuing the call consent in all-party states).

Not legal advice: the lists follow the common reading of each state's statute.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class RecordingPolicy(StrEnum):
    """The setting ``RECORDING_POLICY``."""

    OFF = "off"
    ONE_PARTY_ONLY = "one_party_only"
    ANNOUNCE = "announce"


# States whose statutes require every party's consent to record a phone call.
ALL_PARTY = frozenset({"CA", "DE", "FL", "IL", "MD", "MA", "MT", "NV", "NH", "PA", "WA"})
# Mixed or unsettled: Connecticut (all-party for civil liability), Michigan (courts
# disagree whether a participant may record), Oregon (all-party for in-person talk).
MIXED = frozenset({"CT", "MI", "OR"})
# Every state and the District of Columbia: a school elsewhere has no known rule.
# fmt: off
US_STATES = frozenset({
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS",
    "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC",
    "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY",
})
# fmt: on
NOTICE = "This call may be recorded for quality purposes."


@dataclass(frozen=True)
class Decision:
    """What happens to one call: ``code`` is what gets stored on the contact and its call legs."""

    record: bool
    announce: bool
    reason: str
    code: str


def recording_decision(policy: str, school_state: str | None) -> Decision:
    """Decide whether to record a call to a school in ``school_state`` under ``policy``.

    ``code`` is ``off`` (the policy forbids recording), ``withheld`` (this state's
    law or an unknown state rules it out), ``one_party`` (recorded on the auditor's
    consent) or ``announced`` (recorded, with a notice the school hears).
    """
    state = (school_state or "").strip().upper()
    chosen = RecordingPolicy(policy)
    if chosen is RecordingPolicy.OFF:
        return Decision(False, False, "recording is switched off", "off")
    if chosen is RecordingPolicy.ANNOUNCE:
        return Decision(
            True, True, "recorded; the school hears a recording notice when it answers", "announced"
        )
    if state in ALL_PARTY:
        return Decision(False, False, f"{state} requires every party's consent to record a call", "withheld")
    if state in MIXED:
        return Decision(False, False, f"{state} has mixed or unsettled consent rules", "withheld")
    if state not in US_STATES:
        reason = "the school's state is unknown" if not state else f"{state} is not a known US state"
        return Decision(False, False, reason, "withheld")
    return Decision(True, False, f"{state} allows one party (the auditor) to consent", "one_party")
