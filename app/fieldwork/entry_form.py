"""Reading the contact form: its text inputs become a typed ``ContactEntry`` for the domain.

The inputs are named as ``audits.fieldwork.drafts`` defines (a draft is the form's
state). What cannot be read (``"many"`` rings, a date that is not one) is reported
here, on the entry's own paths (``timings.rings``); everything else, from required
answers to a reply before its email, is the domain's to say (``check_entry``), and
both come back at once, in the order of the page. An item scored from a fact has no
answer input, only its comment: whatever an older draft holds under its name is not read.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from audits.businesshours import BusinessCalendar
from audits.errors import Problem, ValidationError
from audits.fieldwork.drafts import answer_name, comment_name, na_name, parse_local
from audits.fieldwork.entry import (
    TIMING_TYPES,
    AnswerEntry,
    ContactEntry,
    Timings,
    check_entry,
    measured_timings,
    response_hours,
    timing_names,
    timing_path,
)
from audits.fieldwork.facts import derived_answers, fact_values
from audits.models import ItemKind, Outcome, Rubric

CHECKED = {"1", "on", "true", "yes"}
DATE_EXAMPLE = "enter a date and time, e.g. 2027-02-01 09:30"


def _text(values: Mapping[str, str], name: str) -> str:
    return str(values.get(name) or "").strip()


def _timing(values: Mapping[str, str], name: str, timezone: str, problems: list[Problem]) -> object:
    """One timing input as its type: a whole number, yes/no, a local date and time, or text."""
    text, kind = _text(values, name), TIMING_TYPES[name]
    if kind is str:
        return text
    if not text:
        return None
    if kind is bool:
        return {"yes": True, "no": False}.get(text.lower())
    if kind is int:
        try:
            return int(text)
        except ValueError:
            problems.append((timing_path(name), "enter a whole number"))
            return None
    try:
        return parse_local(text, timezone)
    except (ValueError, OverflowError):
        problems.append((timing_path(name), DATE_EXAMPLE))
        return None


def _answer_value(kind: ItemKind, text: str) -> bool | int | float | str | None:
    """An answer typed by its item's kind; text that does not fit stays text, for the domain to refuse."""
    if not text:
        return None
    if kind is ItemKind.YES_NO:
        return {"yes": True, "no": False}.get(text.lower(), text)
    try:
        if kind is ItemKind.SCALE:
            return int(text)
        if kind is ItemKind.TIMING:
            return float(text)
    except ValueError:
        return text
    return text


def read_form(values: Mapping[str, str], rubric: Rubric, timezone: str) -> tuple[ContactEntry, list[Problem]]:
    """The entry the form's inputs hold, and the inputs that could not be read (left blank in it)."""
    problems: list[Problem] = []
    outcome_text = _text(values, "outcome")
    outcome = None
    if outcome_text in {o.value for o in Outcome}:
        outcome = Outcome(outcome_text)
    elif outcome_text:
        problems.append(("outcome", "choose one of the listed outcomes"))
    started_at = None
    if started_text := _text(values, "started_at"):
        try:
            started_at = parse_local(started_text, timezone)
        except (ValueError, OverflowError):
            problems.append(("started_at", DATE_EXAMPLE))
    timings = Timings(**{name: _timing(values, name, timezone, problems) for name in timing_names()})
    responses = {
        item.key: AnswerEntry(
            _answer_value(item.kind, _text(values, answer_name(item.key))),
            _text(values, na_name(item.key)).lower() in CHECKED,
            _text(values, comment_name(item.key)),
        )
        if not item.fact
        else AnswerEntry(comment=_text(values, comment_name(item.key)))  # its answer follows from the fact
        for item in rubric.items
    }
    return ContactEntry(outcome, started_at, timings, responses), problems


def _page_order(rubric: Rubric) -> dict[str, int]:
    """Where each path's field sits on the contact form, top to bottom."""
    fields = ["started_at", "outcome", *(timing_path(name) for name in timing_names())]
    order = {path: place for place, path in enumerate(fields)}
    for place, item in enumerate(rubric.items, start=len(fields)):
        order[f"responses.{item.key}"] = place
    return order


def in_page_order(problems: list[Problem], rubric: Rubric) -> list[Problem]:
    """``problems`` sorted as their fields appear on the page (a comment's with its item)."""
    order = _page_order(rubric)

    def place(problem: Problem) -> int:
        path = problem[0] or ""
        item = ".".join(path.split(".")[:2])
        return order.get(path, order.get(item, len(order)))

    return sorted(problems, key=place)


def form_entry(values: Mapping[str, str], rubric: Rubric, calendar: BusinessCalendar) -> ContactEntry:
    """The typed entry of a submitted form; raises one ``ValidationError`` for unreadable inputs.

    Its problems are the unreadable inputs and every rule the rest of the entry breaks,
    each field once (an unreadable input's own message wins), in the order of the page.
    """
    entry, unreadable = read_form(values, rubric, calendar.timezone)
    if not unreadable:
        return entry
    problems = list(unreadable)
    try:
        check_entry(entry, rubric, calendar)
    except ValidationError as error:
        seen = {path for path, _ in unreadable}
        problems += [problem for problem in error.problems if problem[0] not in seen]
    raise ValidationError.many(in_page_order(problems, rubric))


def preview_timings(
    values: Mapping[str, str], rubric: Rubric, calendar: BusinessCalendar
) -> dict[str, float]:
    """The timing answers an unfinished form would measure, by item key; unreadable inputs are skipped.

    For showing the auditor, while they type, what a blank timing item will be filled with.
    """
    entry, _ = read_form(values, rubric, calendar.timezone)
    hours = response_hours(calendar, entry.started_at, entry.timings)
    return measured_timings(rubric, entry.started_at, entry.timings, calendar, hours)


def preview_derived(values: Mapping[str, str], rubric: Rubric, calendar: BusinessCalendar) -> dict[str, Any]:
    """The answers the facts typed so far give the items scored from them, once the school is reached.

    By item key (``NA`` for N/A); an item whose fact is still blank is left out. For showing the
    auditor what each derived item will record.
    """
    entry, _ = read_form(values, rubric, calendar.timezone)
    hours = response_hours(calendar, entry.started_at, entry.timings)
    return derived_answers(rubric, fact_values(Outcome.REACHED, entry.timings, hours))
