"""The state-wide comparison over the API: every district side by side (administrators only)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from app.api.auth import require
from app.api.blueprint import blueprint
from app.api.inputs import ComparisonArgs
from app.api.openapi import documented_errors
from app.api.schemas import ComparisonSchema
from app.extensions import db
from audits.access import Action
from audits.results.region import DistrictRow, Period, StateComparison, state_comparison


def district_dict(row: DistrictRow) -> dict[str, Any]:
    """One compared district as ``ComparedDistrictSchema`` answers it."""
    figures = row.figures
    return {
        "district_id": row.district.id,
        "name": row.district.name,
        "round_id": row.round.id if row.round else None,
        "round_name": row.round.name if row.round else None,
        "first_day": row.round.first_day if row.round else None,
        "schools": row.overall.count,
        "mean": row.overall.mean,
        "median": row.overall.median,
        "contacts": row.contacts,
        "reached": row.reached,
        "reach_rate": row.reach_rate,
        "rubric_keys": row.rubric_keys,
        "histogram": [asdict(b) for b in row.histogram] if figures else [],
        "channels": {key: s.median for key, s in figures.channels.items()} if figures else {},
        "sections": {key: s.median for key, s in figures.sections.items()} if figures else {},
    }


def comparison_dict(comparison: StateComparison) -> dict[str, Any]:
    """The comparison as ``ComparisonSchema`` answers it."""
    return {
        "since": comparison.period.since,
        "until": comparison.period.until,
        "rubric_keys": comparison.rubric_keys,
        "sections": [
            {"key": key, "title": title, "group": group.key}
            for group in comparison.groups
            for key, title in group.sections.items()
        ],
        "districts": [district_dict(row) for row in comparison.rows],
    }


@blueprint.route("/districts/compare")
@blueprint.arguments(ComparisonArgs, location="query")
@blueprint.response(200, ComparisonSchema)
@documented_errors(400, 403)
def compare_districts(args: dict[str, Any]) -> dict[str, Any]:
    """Compare every district side by side (administrators only).

    Each district on its latest published round (``since``/``until``: its latest one starting within
    those days; follow-up rounds left out), with the figures its own round's ``/scores`` gives: the
    mean and median of its schools' overall scores, its reach, the distribution of its school scores
    in 10-point bins and its median score by channel and by section (the heat map's district row). A
    district without such a round has nulls. An end before the start answers 400.
    """
    require(Action.COMPARE_DISTRICTS)
    period = Period.of(args.get("since"), args.get("until"))
    return comparison_dict(state_comparison(db.session, period))
