"""Ask once, derive the rest: the answers a contact's recorded facts give its rubric items.

A rubric item that names a fact (``fact: rings``, see ``audits.rubrics.facts``) is not
answered by the auditor: once the contact reached the school, its answer is the fact
recorded in the contact's own fields, turned into the item's kind.

- ``reached``: yes (the contact reached a person, or nothing is scored at all);
- a yes/no fact (``staff_gave_name``): yes or no;
- a count or a time: the number, seconds as minutes for a minutes item; a hold of 0 seconds
  (never put on hold) is N/A where the item allows N/A;
- ``transfers``: the item's option at that position (0 → the first), the last for more.

``check_entry`` (``audits.fieldwork.entry``) stores the derived answers like any other, so
scores, exports and the edit log read them as before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from audits.models import Channel, ItemKind, Outcome, Rubric, RubricItem, TimingUnit
from audits.rubrics.facts import FACTS
from audits.rubrics.scoring import NA, NotApplicable

if TYPE_CHECKING:
    from audits.fieldwork.entry import Timings

# Facts that need a person on the line: on a call nobody answered they must stay blank. (The rings
# and a call back are measured whoever answers; an email that got no reply in time may still record
# the late reply; a visitor turned away may have been greeted first.)
NEEDS_A_PERSON: dict[Channel, tuple[str, ...]] = {
    Channel.PHONE: ("hold_seconds", "transfers", "staff_gave_name"),
    Channel.EMAIL: (),
    Channel.VISIT: (),
}
# What to ask for when an item needs a fact the auditor left blank, by where the fact is entered.
MISSING = {
    "outcome": "choose how the contact ended",
    "timings.rings": "count the rings before a person answered",
    "timings.hold_seconds": "enter the longest hold in seconds; 0 if you were not put on hold",
    "timings.transfers": "enter how many times the call was transferred; 0 if it was not",
    "timings.staff_gave_name": "answer yes or no",
    "timings.reply_at": "enter when the reply arrived",
    "timings.greeted_seconds": "enter how long until someone greeted you",
    "timings.wait_seconds": "enter how long you waited in all",
}
# Facts in seconds: a minutes item gets them divided by 60.
IN_SECONDS = {"hold_seconds", "greeted_seconds", "wait_seconds"}
# A fact of 0 that means the item does not apply (never put on hold), where the item allows N/A.
ZERO_MEANS_NA = {"hold_seconds"}


def fact_path(name: str) -> str:
    """Where the auditor enters fact ``name`` in an entry: ``outcome``, ``timings.rings`` …"""
    if name == "reached":
        return "outcome"
    if name == "reply_hours":
        return "timings.reply_at"
    return f"timings.{name}"


def fact_values(outcome: Outcome | None, timings: Timings, reply_hours: float | None) -> dict[str, Any]:
    """Every fact as the entry records it (``None`` where it is blank), by fact name."""
    values: dict[str, Any] = {}
    for name in FACTS:
        if name == "reached":
            values[name] = None if outcome is None else outcome is Outcome.REACHED
        elif name == "reply_hours":
            values[name] = reply_hours
        else:
            values[name] = getattr(timings, name)
    return values


def derived_answer(item: RubricItem, value: Any) -> Any:
    """The answer fact ``value`` gives ``item`` (an item with a ``fact``): a value of its kind, or ``NA``."""
    fact = item.fact or ""
    if item.kind is ItemKind.YES_NO:
        return bool(value)
    if item.kind is ItemKind.CHOICE:
        options = item.options or []
        return str(options[min(int(value), len(options) - 1)]["label"]) if options else None
    if fact in ZERO_MEANS_NA and value == 0 and item.allow_na:
        return NA
    number = float(value)
    if fact in IN_SECONDS and item.unit is TimingUnit.MINUTES:
        number /= 60
    return round(number, 2)


def derived_answers(rubric: Rubric, facts: dict[str, Any]) -> dict[str, Any]:
    """The answer of each item scored from a fact that is recorded, by item key (``NA`` for N/A)."""
    return {
        item.key: derived_answer(item, facts[item.fact])
        for item in rubric.items
        if item.fact in facts and facts[item.fact] is not None
    }


def facts_needed(rubric: Rubric) -> list[str]:
    """The facts ``rubric``'s items are scored from, each once, in the order of the items."""
    return list(dict.fromkeys(item.fact for item in rubric.items if item.fact in FACTS))


def agrees(given: Any, na: bool, derived: Any) -> bool:
    """Whether an answer given for a derived item says the same as the fact it is scored from."""
    if isinstance(derived, NotApplicable) or na:
        return na and isinstance(derived, NotApplicable)
    if isinstance(derived, bool) or isinstance(given, bool):
        return given is derived
    if isinstance(derived, float):
        return isinstance(given, int | float) and round(float(given), 2) == derived
    return bool(given == derived)


def answer_words(derived: Any) -> str:
    """A derived answer as a message quotes it: ``yes``, ``4``, ``N/A`` or an option's label."""
    if isinstance(derived, NotApplicable):
        return "N/A"
    if isinstance(derived, bool):
        return "yes" if derived else "no"
    if isinstance(derived, float):
        return f"{derived:g}"
    return str(derived)
