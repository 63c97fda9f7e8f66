"""Appeal pages: a principal reads their published scorecard's contacts and queries an answer;
reviewers decide, upholding (the answer corrected, the scorecard rebuilt) or not.

Principals see their schools' contacts by number, channel, day and scenario, and the answers,
never an auditor's name or comments. The reviewer who approved a contact may read its appeal
but not decide it. Deciding writes the principal's email to the outbox in the same transaction
and, when upheld, rebuilds the school's scorecard with the correction.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.wrappers import Response

from app import clock
from app.appeals.deciding import decide
from app.appeals.forms import AppealForm, DecisionForm, correction, decision_form
from app.errors import status_for
from app.extensions import db
from app.fieldwork.display import helpers
from app.forms import apply_errors
from app.outbox import kick_outbox
from app.permissions import can, require
from audits.access import Action
from audits.appeals.answers import answer_words, appealable, appendix_ref, fact_words, scorecard_contacts
from audits.appeals.decisions import Decision, decision_refusal, item_of
from audits.appeals.filing import AppealRequest, file_appeal
from audits.appeals.queries import district_appeals, pending_count, principal_appeals, school_appeals
from audits.appeals.window import AppealWindow, window_of
from audits.errors import DomainError
from audits.models import Appeal, AppealOutcome, Contact, Role, Scorecard

blueprint = Blueprint("appeals", __name__, url_prefix="/appeals")
blueprint.context_processor(helpers)


def scorecard_of(contact: Contact) -> Scorecard | None:
    """The scorecard of the contact's school and round (published or not), if one was built."""
    assignment = contact.assignment
    return db.session.scalar(
        select(Scorecard).where(
            Scorecard.round_id == assignment.round_id, Scorecard.school_id == assignment.school_id
        )
    )


def contact_day(contact: Contact) -> date | None:
    """The district's date the contact started."""
    if contact.started_at is None:
        return None
    return contact.started_at.astimezone(ZoneInfo(contact.assignment.round.district.timezone)).date()


def _window(card: Scorecard) -> AppealWindow | None:
    district = card.round.district
    return window_of(card, district, clock.today_in(district))


def pending_appeals_count() -> int:
    """How many appeals wait for the signed-in reviewer's decision (their district's; 0 for others)."""
    if not can(Action.DECIDE_APPEALS):
        return 0
    if current_user.role is Role.ADMIN:
        return pending_count(db.session, None)
    return pending_count(db.session, current_user.district_id) if current_user.district_id else 0


def contact_appeal_list(contact: Contact) -> list[Appeal]:
    """The appeals on ``contact``, for its page (its auditor and reviewers see their outcome)."""
    return list(db.session.scalars(select(Appeal).where(Appeal.contact_id == contact.id).order_by(Appeal.id)))


def portal_appeals(card: Scorecard) -> list[Appeal]:
    """The appeals on ``card``'s school and round, newest first (for the school's portal)."""
    return school_appeals(db.session, card.school, card.round)


@blueprint.app_context_processor
def _template_helpers() -> dict[str, Any]:
    return {
        "pending_appeals_count": pending_appeals_count,
        "contact_appeal_list": contact_appeal_list,
        "portal_appeals": portal_appeals,
        "appeal_question": lambda appeal: item_of(appeal).prompt,
    }


@blueprint.route("/")
@login_required
def index() -> str:
    """A principal's appeals on their schools; a reviewer's district's, those waiting first."""
    if current_user.role is Role.PRINCIPAL:
        return render_template("appeals/index.html", appeals=principal_appeals(db.session, current_user))
    require(Action.DECIDE_APPEALS)
    if current_user.role is Role.ADMIN:
        appeals = district_appeals(db.session, None)
    else:
        appeals = district_appeals(db.session, current_user.district_id) if current_user.district_id else []
    return render_template("appeals/index.html", appeals=appeals)


@blueprint.route("/scorecards/<int:scorecard_id>")
@login_required
def scorecard(scorecard_id: int) -> str:
    """A scorecard's counted contacts with their answers, numbered as its appendix; its principal's
    "Query this answer" links while the window is open."""
    card = db.get_or_404(Scorecard, scorecard_id)
    require(Action.VIEW_SCORECARD, card)
    window = _window(card)
    return render_template(
        "appeals/scorecard.html",
        card=card,
        contacts=scorecard_contacts(db.session, card),
        window=window,
        may_query=can(Action.QUERY_ANSWERS, card) and window is not None and window.open,
    )


def _new_page(
    card: Scorecard, contact: Contact, item_key: str, form: AppealForm, status: int = 200
) -> tuple[str, int]:
    item = next(item for item in contact.rubric.items if item.key == item_key)
    response = next(r for r in contact.responses if r.item_id == item.id)
    page = render_template(
        "appeals/new.html",
        card=card,
        contact=contact,
        ref=appendix_ref(db.session, card, contact.id),
        day=contact_day(contact),
        item=item,
        answer=answer_words(item, response.value, response.na),
        fact=fact_words(item),
        window=_window(card),
        form=form,
    )
    return page, status


@blueprint.route("/contacts/<int:contact_id>/<item_key>", methods=["GET", "POST"])
@login_required
def new(contact_id: int, item_key: str) -> Response | tuple[str, int]:
    """Query one answer of a contact of the principal's published scorecard (GET: the form)."""
    contact = db.get_or_404(Contact, contact_id)
    card = scorecard_of(contact)
    if card is None:
        abort(404)
    require(Action.QUERY_ANSWERS, card)
    item = next((item for item in contact.rubric.items if item.key == item_key), None)
    response = next((r for r in contact.responses if item is not None and r.item_id == item.id), None)
    if item is None or not appealable(item, response) or appendix_ref(db.session, card, contact.id) is None:
        abort(404)
    earlier = db.session.scalar(
        select(Appeal).where(Appeal.contact_id == contact.id, Appeal.item_key == item_key)
    )
    if request.method == "GET":
        if earlier is not None:
            flash("This answer has already been queried: here is where it stands.", "info")
            return redirect(url_for("appeals.show", appeal_id=earlier.id))
        return _new_page(card, contact, item_key, AppealForm(formdata=None))
    form = AppealForm()
    form.validate()
    query = AppealRequest(item_key, form.reason.data or "", form.evidence.data or "")
    district = card.round.district
    try:
        appeal = file_appeal(db.session, contact, query, current_user, clock.today_in(district), clock.now())
    except DomainError as error:
        db.session.rollback()
        apply_errors(form, error)
        return _new_page(card, contact, item_key, form, status_for(error))
    db.session.commit()
    flash(
        "Your query is sent. A reviewer who did not approve this contact decides it; you will get an email "
        "with the decision.",
        "success",
    )
    return redirect(url_for("appeals.show", appeal_id=appeal.id))


def _show_page(appeal: Appeal, form: DecisionForm | None = None, status: int = 200) -> tuple[str, int]:
    contact = appeal.contact
    card = scorecard_of(contact)
    item = item_of(appeal)
    response = next((r for r in contact.responses if r.item_id == item.id), None)
    may_decide = can(Action.DECIDE_APPEALS, appeal)
    refusal = decision_refusal(appeal, current_user) if may_decide else None
    if form is None and may_decide and appeal.pending and refusal is None:
        form = decision_form(item, fact_words(item), formdata=None)
    page = render_template(
        "appeals/show.html",
        appeal=appeal,
        contact=contact,
        card=card,
        ref=appendix_ref(db.session, card, contact.id) if card is not None else None,
        day=contact_day(contact),
        item=item,
        answer=answer_words(item, response.value, response.na) if response else "—",
        fact=fact_words(item),
        principal_view=current_user.role is Role.PRINCIPAL,
        may_decide=may_decide,
        refusal=refusal,
        form=form,
    )
    return page, status


@blueprint.route("/<int:appeal_id>", methods=["GET", "POST"])
@login_required
def show(appeal_id: int) -> Response | tuple[str, int]:
    """An appeal and where it stands; reviewers who may decide it get the decision form (POST decides)."""
    appeal = db.get_or_404(Appeal, appeal_id)
    require(Action.VIEW_APPEAL, appeal)
    if request.method == "GET":
        return _show_page(appeal)
    require(Action.DECIDE_APPEALS, appeal)
    item = item_of(appeal)
    form = decision_form(item, fact_words(item))
    form.validate()
    chosen = form.outcome.data if form.outcome.data in ("upheld", "not_upheld") else "pending"
    outcome = AppealOutcome(chosen)
    timezone = appeal.contact.assignment.round.district.timezone
    fix = correction(form, item, timezone) if outcome is AppealOutcome.UPHELD else None
    try:
        decide(appeal, current_user, Decision(outcome, form.reason.data or "", fix))
    except DomainError as error:
        db.session.rollback()
        apply_errors(form, error)
        return _show_page(db.get_or_404(Appeal, appeal_id), form, status_for(error))
    db.session.commit()
    kick_outbox()
    words = (
        "upheld: the answer is corrected and the scorecard rebuilt"
        if outcome is AppealOutcome.UPHELD
        else "not upheld"
    )
    flash(f"Appeal {words}. The principal is emailed the decision and its reason.", "success")
    return redirect(url_for("appeals.index"))
