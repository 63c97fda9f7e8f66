"""Turning domain objects into the API's shapes (``app.api.schemas`` then serialises them).

Each function names what it shows, field by field, so nothing private (an
auditor's name or email, a draft) leaks by accident.
"""

from __future__ import annotations

from typing import Any

from audits.equity import EquityFigure
from audits.fieldwork.entry import RESPONSE_HOURS, timing_names
from audits.fieldwork.status import AssignmentState
from audits.models import Assignment, Contact, ItemKind, Response, Round, Rubric, Scenario
from audits.rubrics.spec import rubric_to_dict
from audits.rubrics.versions import spec_from_rubric
from audits.scoring.engine import CHANNELS, RoundScores, SchoolScore, Spread
from audits.scoring.precision import Interval, RankStanding
from audits.script_values import scenario_texts
from audits.script_variables import variables_in

# The contact's timings as the API shows them: what the channel records, and the email's response time.
TIMINGS = [*timing_names(), RESPONSE_HOURS]


def page(items: list[Any], total: int, number: int, per_page: int) -> dict[str, Any]:
    """One page of a list, with the total over every page."""
    return {"total": total, "page": number, "per_page": per_page, "items": items}


def round_dict(round_: Round, assignments: int) -> dict[str, Any]:
    """A round with its channels and how many assignments it has."""
    return {
        "id": round_.id,
        "district_id": round_.district_id,
        "name": round_.name,
        "status": round_.status,
        "first_day": round_.first_day,
        "last_day": round_.last_day,
        "attempt_limit": round_.attempt_limit,
        "school_selection": round_.school_selection,
        "levels": list(round_.levels or []),
        "channels": [
            {
                "channel": channel.channel,
                "contacts_per_school": channel.contacts_per_school,
                "scenario_ids": list(channel.scenario_ids or []),
            }
            for channel in round_.channels
        ],
        "assignments": assignments,
        "created_at": round_.created_at,
        "scheduled_at": round_.scheduled_at,
        "closed_at": round_.closed_at,
        "published_at": round_.published_at,
    }


def assignment_dict(assignment: Assignment, state: AssignmentState) -> dict[str, Any]:
    """An assignment with its school, scenario, auditor pseudonym and where it stands."""
    return {
        "id": assignment.id,
        "round_id": assignment.round_id,
        "school_id": assignment.school_id,
        "school_name": assignment.school.name,
        "nces_id": assignment.school.nces_id,
        "channel": assignment.channel,
        "scenario_id": assignment.scenario_id,
        "scenario_key": assignment.scenario.key,
        "scenario_title": assignment.scenario.title,
        "language": assignment.scenario.language,
        "auditor": assignment.auditor.pseudonym,
        "due_day": assignment.due_day,
        "slot": assignment.slot,
        "child_grade": assignment.child_grade,
        "status": state.key,
        "attempts": state.attempt,
        "done": state.done,
    }


def scenario_dict(scenario: Scenario) -> dict[str, Any]:
    """A scenario with the schools it fits and the variables its texts use."""
    return {
        "id": scenario.id,
        "district_id": scenario.district_id,
        "key": scenario.key,
        "title": scenario.title,
        "channel": scenario.channel,
        "language": scenario.language,
        "rubric": scenario.rubric_key,
        "active": scenario.active,
        "grades": list(scenario.grades or []),
        "levels": list(scenario.levels or []),
        "variables": variables_in(scenario_texts(scenario)),
    }


def typed_value(response: Response) -> Any:
    """An answer as its item's kind reads it: bool, int, the choice's label, a number, or text."""
    value = response.value
    if response.na or value is None:
        return None
    kind = response.item.kind
    if kind is ItemKind.YES_NO and isinstance(value, bool):
        return value
    if kind is ItemKind.SCALE and isinstance(value, int | float) and not isinstance(value, bool):
        return int(value)
    if kind is ItemKind.TIMING and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return value if isinstance(value, str) else str(value)


def contact_dict(contact: Contact) -> dict[str, Any]:
    """A contact with its rubric version, timings and typed answers; the auditor as a pseudonym."""
    responses = sorted(contact.responses, key=lambda r: (r.item.section.position, r.item.position))
    return {
        "id": contact.id,
        "assignment_id": contact.assignment_id,
        "attempt": contact.attempt,
        "school_id": contact.assignment.school_id,
        "channel": contact.assignment.channel,
        "auditor": contact.auditor.pseudonym,
        "status": contact.status,
        "revision": contact.revision,
        "outcome": contact.outcome,
        "unreached": contact.unreached,
        "started_at": contact.started_at,
        "submitted_at": contact.submitted_at,
        "approved_at": contact.approved_at,
        "scenario_id": contact.assignment.scenario_id,
        "pair_id": contact.assignment.pair_id,
        "rubric": {"key": contact.rubric.key, "version": contact.rubric.version},
        "timings": {name: getattr(contact, name) for name in TIMINGS},
        "responses": [
            {"item": r.item.key, "value": typed_value(r), "na": r.na, "comment": r.comment} for r in responses
        ],
    }


def rubric_dict(rubric: Rubric) -> dict[str, Any]:
    """A rubric version as its YAML export writes it: key, version and status first."""
    data = rubric_to_dict(spec_from_rubric(rubric))
    head = {"key": data.pop("key"), "version": rubric.version, "status": rubric.status}
    return head | data


def _spread(spread: Spread) -> dict[str, float | None]:
    return {"mean": spread.mean, "median": spread.median}


def _school(school: SchoolScore) -> dict[str, Any]:
    return {
        "school_id": school.school_id,
        "nces_id": school.nces_id,
        "name": school.name,
        "level": school.level,
        "overall": school.overall,
        "channels": {
            channel: school.channels[channel].score if channel in school.channels else None
            for channel in CHANNELS
        },
        "sections": dict(school.sections),
        "contacts": school.contacts,
        "channel_contacts": {
            channel: school.channels[channel].contacts if channel in school.channels else 0
            for channel in CHANNELS
        },
        "section_contacts": dict(school.section_contacts),
        "reached": school.reached,
        "critical_failures": school.critical_failures,
        "reach_rate": school.reach_rate,
        "rank": school.rank,
        "rank_band": _standing(school.standing),
        "interval": _interval(school.interval),
        "early_reading": school.early,
        "change": school.change,
    }


def _standing(standing: RankStanding | None) -> dict[str, Any] | None:
    if standing is None:
        return None
    return {
        "band": standing.band.value,
        "best": standing.best,
        "worst": standing.worst,
        "exact": standing.exact,
        "text": standing.text,
    }


def _interval(interval: Interval | None) -> dict[str, Any] | None:
    if interval is None:
        return None
    return {
        "low": interval.low,
        "high": interval.high,
        "confidence": interval.confidence,
        "contacts": interval.contacts,
    }


def scores_dict(scores: RoundScores) -> dict[str, Any]:
    """Every figure of ``audits.scoring.engine.round_scores``, unrounded."""
    district = scores.district
    return {
        "round_id": scores.round_id,
        "early_reading_contacts": scores.early_reading,
        "district": {
            "mean": district.overall.mean,
            "median": district.overall.median,
            "schools": district.overall.count,
            "critical_failures": district.critical_failures,
            "change": district.change,
            "channels": {channel: _spread(district.channels.get(channel, Spread())) for channel in CHANNELS},
            "sections": {key: _spread(spread) for key, spread in district.sections.items()},
        },
        "schools": [_school(school) for school in scores.schools],
    }


def equity_dict(figure: EquityFigure) -> dict[str, Any]:
    """One pair and measure of a round's equal-service figures, at full precision."""
    test = figure.test
    return {
        "pair": figure.pair_id,
        "trait": figure.trait,
        "measure": figure.measure,
        "a": {"value": figure.a.value, "n": figure.a.n},
        "b": {"value": figure.b.value, "n": figure.b.n},
        "difference": test.difference,
        "ci_low": test.ci_low,
        "ci_high": test.ci_high,
        "p_value": test.p_value,
        "pairs": test.pairs,
    }
