"""The "Equal service" page of a round with paired testing: how each pair's two members were served.

Leaders (of the round's district) and administrators only: the figures compare groups of families
across the district's schools (``audits.equity``). A school's own pair results appear on its
scorecard as facts, never as a figure over schools.
"""

from __future__ import annotations

from collections import defaultdict

from flask import Blueprint, render_template
from sqlalchemy import select

from app.extensions import db
from app.permissions import permission_required, require
from audits.access import Action
from audits.equity import CONFIDENCE, EquityFigure, equity_figures
from audits.models import Round, ScenarioPair

blueprint = Blueprint("equity", __name__, url_prefix="/rounds")


@blueprint.route("/<int:round_id>/equity")
@permission_required(Action.VIEW_DISTRICT_SUMMARY)
def show(round_id: int) -> tuple[str, int]:
    """Each scenario pair of the round: its members' figures, the paired difference and what it shows."""
    round_ = db.get_or_404(Round, round_id)
    require(Action.VIEW_DISTRICT_SUMMARY, round_)
    figures = equity_figures(db.session, round_)
    by_pair: dict[int, list[EquityFigure]] = defaultdict(list)
    for figure in figures:
        by_pair[figure.pair_id].append(figure)
    pairs = {
        pair.id: pair
        for pair in db.session.scalars(
            select(ScenarioPair).where(ScenarioPair.id.in_(list(round_.pair_ids or [])))
        )
    }
    return (
        render_template(
            "rounds/equity.html",
            round=round_,
            sections=[
                (pairs[pair_id], by_pair[pair_id]) for pair_id in round_.pair_ids or [] if pair_id in pairs
            ],
            confidence=round(100 * CONFIDENCE),
        ),
        200,
    )
