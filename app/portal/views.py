"""The principal's portal: their schools' scorecards as web pages, what is open for them, acknowledgements.

A principal's home page is their portal: their school's, or a chooser when they lead several
(``principal_home``). A school's portal (``/schools/<id>/portal``; ``?round=`` for an earlier
scorecard) shows one published scorecard's figures as a web page, read from the very object the
PDF is drawn from (``reports.figures.gather_round``'s ``ScorecardData``): the overall with its
interval, the district beside it, channels, parts of the contact, timings, attempts, the
families' words and the trend over rounds. Above them, what is open for the principal
(``audits.portal.open_items``: acknowledging the scorecard, and the plans and appeals once
wired), and the scorecards of every published round. The page prints as it reads and fits a
375 px phone.

Leaders, reviewers and administrators of the district may read a school's portal as its principal
sees it (published scorecards only); only the school's principals acknowledge. A principal's
reading of a scorecard here is recorded as an opening, as its PDF download is.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from app import clock
from app.errors import status_for
from app.extensions import db
from app.forms import apply_errors, id_arg
from app.permissions import can, require
from app.portal.formatting import FILTERS, GLOBALS
from app.portal.forms import AcknowledgeForm
from audits.access import Action
from audits.acknowledgements import AcknowledgementEntry, acknowledge, acknowledgements, published_day
from audits.errors import DomainError
from audits.formatting import day_words
from audits.models import Role, School, Scorecard, ScorecardAcknowledgement
from audits.portal import OpenItem, OpenKind, open_items, published_scorecards
from audits.scorecards import record_view
from reports.figures import ScorecardData, gather_round

log = logging.getLogger(__name__)
blueprint = Blueprint("portal", __name__)
for _name, _filter in FILTERS.items():
    blueprint.add_app_template_filter(_filter, _name)
for _name, _global in GLOBALS.items():
    blueprint.add_app_template_global(_global, _name)


@dataclass
class PortalPage:
    """Everything one school's portal shows: its published scorecards, the one shown and its figures."""

    school: School
    cards: list[Scorecard]
    card: Scorecard | None = None
    figures: ScorecardData | None = None
    items: list[OpenItem] = field(default_factory=list)
    acknowledged: list[ScorecardAcknowledgement] = field(default_factory=list)
    published_on: date | None = None
    today: date | None = None
    may_acknowledge: bool = False

    @property
    def latest(self) -> bool:
        """Whether the scorecard shown is the school's newest published one."""
        return bool(self.cards) and self.card is self.cards[0]


def card_figures(card: Scorecard) -> ScorecardData | None:
    """The figures of ``card``'s school in its round, as the PDF prints them (``None`` if they failed)."""
    gathered = gather_round(db.session, card.round, {card.school_id})
    if card.school_id in gathered.failures:
        log.error("portal figures of school %s, round %s: %s", card.school_id, card.round_id,
                  gathered.failures[card.school_id])  # fmt: skip
    return gathered.scorecards.get(card.school_id)


def _page(school: School, round_id: int | None) -> PortalPage:
    """The portal of ``school`` for the round ``round_id`` (default: its newest published scorecard)."""
    cards = published_scorecards(db.session, school)
    page = PortalPage(school=school, cards=cards, today=clock.today_in(school.district))
    if round_id is not None:
        page.card = next((card for card in cards if card.round_id == round_id), None)
        if page.card is None:
            abort(404)  # no published scorecard of this school in that round
    elif cards:
        page.card = cards[0]
    if page.card is None:
        return page
    card = page.card
    page.figures = card_figures(card)
    page.items = open_items(db.session, school, card, current_user, page.today)
    page.acknowledged = acknowledgements(db.session, [card.id]).get(card.id, [])
    page.published_on = published_day(card)
    page.may_acknowledge = can(Action.ACKNOWLEDGE_SCORECARD, card) and any(
        item.kind is OpenKind.ACKNOWLEDGE for item in page.items
    )
    return page


def _render(page: PortalPage, form: AcknowledgeForm | None = None, status: int = 200) -> tuple[str, int]:
    if form is None:
        form = AcknowledgeForm(formdata=None)
    if page.today is not None and page.published_on is not None:
        # The browser's date picker offers only the days the rule allows.
        form.discussed_on.render_kw = {"min": page.published_on.isoformat(), "max": page.today.isoformat()}
    if request.method == "GET" and current_user.role is Role.PRINCIPAL and page.card is not None:
        record_view(db.session, page.card, current_user)  # a refused acknowledgement changes nothing
        db.session.commit()
    return render_template("portal/school.html", page=page, form=form, OpenKind=OpenKind), status


@blueprint.route("/schools/<int:school_id>/portal")
@login_required
def school(school_id: int) -> tuple[str, int]:
    """One school's portal: a published scorecard as a web page (``?round=``), what is open, every round."""
    school_ = db.get_or_404(School, school_id)
    require(Action.VIEW_SCHOOL, school_)
    return _render(_page(school_, id_arg("round")))


@blueprint.route("/portal/scorecards/<int:scorecard_id>/acknowledge", methods=["POST"])
@login_required
def acknowledge_scorecard(scorecard_id: int) -> Response | tuple[str, int]:
    """Record "read and discussed with staff on …"; a refused entry shows the portal with its errors."""
    card = db.get_or_404(Scorecard, scorecard_id)
    require(Action.ACKNOWLEDGE_SCORECARD, card)
    form = AcknowledgeForm()
    form.validate()  # the form's own checks and the domain's, so every error shows at once
    entry = AcknowledgementEntry(form.discussed_on.data, form.note.data or "")
    status = 400
    try:
        acknowledge(db.session, card, current_user, entry, clock.today_in(card.school.district))
    except DomainError as error:
        apply_errors(form, error)
        status = status_for(error)  # 409: already acknowledged
    if form.errors or form.form_errors:
        db.session.rollback()
        return _render(_page(card.school, card.round_id), form, status)
    db.session.commit()
    flash(
        f"Recorded: you read the scorecard of {card.round.name} and discussed it with your staff on "
        f"{day_words(entry.discussed_on)}.",
        "success",
    )
    return redirect(url_for("portal.school", school_id=card.school_id, round=card.round_id))


@dataclass(frozen=True)
class SchoolTile:
    """One of a principal's schools on their chooser: its newest published scorecard, figures, open items."""

    school: School
    card: Scorecard | None
    figures: ScorecardData | None
    items: list[OpenItem]


def _tiles(schools: list[School]) -> list[SchoolTile]:
    """Each school's newest published scorecard and figures (each round's figures gathered once)."""
    newest = {school.id: next(iter(published_scorecards(db.session, school)), None) for school in schools}
    by_round: dict[int, set[int]] = {}
    for card in newest.values():
        if card is not None:
            by_round.setdefault(card.round_id, set()).add(card.school_id)
    figures: dict[int, ScorecardData] = {}
    for card in {card.round_id: card for card in newest.values() if card is not None}.values():
        figures.update(gather_round(db.session, card.round, by_round[card.round_id]).scorecards)
    tiles = []
    for school_ in schools:
        card = newest[school_.id]
        today = clock.today_in(school_.district)
        items = open_items(db.session, school_, card, current_user, today)
        tiles.append(SchoolTile(school_, card, figures.get(school_.id) if card else None, items))
    return tiles


def principal_home() -> tuple[str, int]:
    """The signed-in principal's home: their school's portal, or a chooser of their schools."""
    schools = list(current_user.schools)
    if len(schools) == 1:
        return _render(_page(schools[0], None))
    return render_template("portal/chooser.html", tiles=_tiles(schools), OpenKind=OpenKind), 200
