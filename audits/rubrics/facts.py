"""The contact facts a rubric item can be scored from: ``fact:`` in the rubric format.

An auditor records each fact once, in the contact's own fields (the outcome, the rings, the
longest hold …). Every item that names the fact takes its answer from it, so the contact
form asks it once and the answers cannot disagree. This module says which facts there are,
which channel records each, and which items each can feed; how a contact's fact becomes an
item's answer is ``audits.fieldwork.facts``.

- ``reached`` (every channel) feeds a ``yes_no`` item: yes when the outcome is "reached a
  person" (a person answered the call, replied to the email, served the visitor);
- ``rings``, ``hold_seconds``, ``reply_hours``, ``greeted_seconds``, ``wait_seconds`` feed a
  ``timing`` item in one of their units (seconds become minutes for a minutes item);
- ``staff_gave_name`` (phone) feeds a ``yes_no`` item;
- ``transfers`` (phone) feeds a ``choice`` item: its options stand for 0, 1, 2 … transfers
  in order, the last one for that many or more.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from audits.models import Channel, ItemKind, TimingUnit

EVERY_CHANNEL = frozenset(Channel)
SECONDS_OR_MINUTES = frozenset({TimingUnit.SECONDS, TimingUnit.MINUTES})


@dataclass(frozen=True)
class Fact:
    """One fact an auditor records about a contact, and the items it may score."""

    name: str
    words: str  # what it is, as a message says it: "the rings before a person answered"
    kind: ItemKind
    channels: frozenset[Channel]
    units: frozenset[TimingUnit] = field(default_factory=frozenset)


FACTS: dict[str, Fact] = {
    fact.name: fact
    for fact in (
        Fact("reached", "the outcome", ItemKind.YES_NO, EVERY_CHANNEL),
        Fact(
            "rings", "the rings", ItemKind.TIMING, frozenset({Channel.PHONE}), frozenset({TimingUnit.RINGS})
        ),
        Fact(
            "hold_seconds",
            "the longest hold",
            ItemKind.TIMING,
            frozenset({Channel.PHONE}),
            SECONDS_OR_MINUTES,
        ),
        Fact("transfers", "the number of transfers", ItemKind.CHOICE, frozenset({Channel.PHONE})),
        Fact("staff_gave_name", "whether a name was given", ItemKind.YES_NO, frozenset({Channel.PHONE})),
        Fact(
            "reply_hours",
            "when the reply arrived",
            ItemKind.TIMING,
            frozenset({Channel.EMAIL}),
            frozenset({TimingUnit.BUSINESS_HOURS}),
        ),
        Fact(
            "greeted_seconds",
            "the time until someone greeted you",
            ItemKind.TIMING,
            frozenset({Channel.VISIT}),
            SECONDS_OR_MINUTES,
        ),
        Fact(
            "wait_seconds", "the total wait", ItemKind.TIMING, frozenset({Channel.VISIT}), SECONDS_OR_MINUTES
        ),
    )
}


def facts_of(channel: Channel) -> list[Fact]:
    """The facts a contact of ``channel`` records, in the order above."""
    return [fact for fact in FACTS.values() if channel in fact.channels]


def fact_problem(name: str, kind: ItemKind, unit: TimingUnit | None) -> str | None:
    """Why an item of ``kind`` (and ``unit``) cannot be scored from the fact ``name``, or ``None``."""
    fact = FACTS.get(name)
    if fact is None:
        return f"{name!r} is not a contact fact; use one of {', '.join(FACTS)}"
    if kind is not fact.kind:
        return f"{name} scores a {fact.kind.value} item, not a {kind.value} item"
    if fact.units and unit is not None and unit not in fact.units:
        units = " or ".join(sorted(u.value for u in fact.units))
        return f"{name} is measured in {units}, not {unit.value}"
    return None


def channel_problem(name: str, channel: Channel) -> str | None:
    """Why a rubric of ``channel`` cannot use the fact ``name`` (another channel's), or ``None``."""
    fact = FACTS.get(name)
    if fact is None or channel in fact.channels:
        return None
    recorded = " and ".join(sorted(c.value for c in fact.channels))
    return f"{name} is recorded on {recorded} contacts, not on {channel.value} contacts"
