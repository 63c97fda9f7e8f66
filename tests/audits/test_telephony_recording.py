"""Whether a call is recorded: by policy and by the school's state's consent law."""

from __future__ import annotations

import pytest

from audits.telephony.recording import ALL_PARTY, MIXED, recording_decision


@pytest.mark.parametrize(
    ("policy", "state", "record", "announce", "code"),
    [
        ("off", "FL", False, False, "off"),
        ("off", "TX", False, False, "off"),
        ("one_party_only", "FL", False, False, "withheld"),  # all-party consent state
        ("one_party_only", "TX", True, False, "one_party"),
        ("announce", "FL", True, True, "announced"),
        ("announce", "TX", True, True, "announced"),
    ],
)
def test_florida_and_texas_under_each_policy(
    policy: str, state: str, record: bool, announce: bool, code: str
) -> None:
    decision = recording_decision(policy, state)
    assert (decision.record, decision.announce, decision.code) == (record, announce, code)
    assert decision.reason


def test_one_party_only_never_records_all_party_or_mixed_states() -> None:
    assert {"CA", "DE", "FL", "IL", "MD", "MA", "MT", "NV", "NH", "PA", "WA"} == ALL_PARTY
    assert {"CT", "MI", "OR"} == MIXED
    for state in ALL_PARTY | MIXED:
        assert not recording_decision("one_party_only", state).record, state
    assert "mixed" in recording_decision("one_party_only", "MI").reason


@pytest.mark.parametrize("state", ["", None, "ZZ", "  "])
def test_one_party_only_does_not_guess_an_unknown_state(state: str | None) -> None:
    assert recording_decision("one_party_only", state).code == "withheld"


def test_state_case_and_spaces_do_not_matter() -> None:
    assert recording_decision("one_party_only", " tx ").record
    assert not recording_decision("one_party_only", "fl").record


def test_an_unknown_policy_is_refused() -> None:
    with pytest.raises(ValueError, match="always"):
        recording_decision("always", "TX")
