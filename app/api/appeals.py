"""Appeals in the API: a principal queries an answer of a contact; a reviewer decides.

``GET /contacts/<id>/appeals`` lists a contact's appeals (its school's principals, once its
scorecard is published; its auditor; the district's reviewers, leaders and administrators);
``POST`` there files one (principals only); ``POST /appeals/<id>`` decides one (reviewers, never
the one who approved the contact). The same domain rules as the pages decide, and a decision
rebuilds the school's scorecard and emails the principal exactly as the page does.
"""

from __future__ import annotations

from typing import Any

from werkzeug.exceptions import Forbidden, NotFound

from app import clock
from app.api.auth import api_user, get_or_404, permitted, require
from app.api.blueprint import ID, blueprint
from app.api.inputs import AppealIn, DecisionIn
from app.api.openapi import documented_errors
from app.api.schemas import AppealListSchema, AppealSchema
from app.api.writes import IDEMPOTENCY_KEY
from app.appeals.deciding import decide
from app.appeals.views import scorecard_of
from app.extensions import db
from app.outbox import kick_outbox
from audits.access import Action
from audits.appeals.decisions import Correction, Decision, fact_field, item_of
from audits.appeals.filing import AppealRequest, counts, file_appeal
from audits.appeals.queries import contact_appeals
from audits.fieldwork.drafts import parse_local
from audits.models import Appeal, AppealOutcome, Contact, Role


def appeal_dict(appeal: Appeal) -> dict[str, Any]:
    """An appeal as the API answers it: the answer, the reasons, the outcome; nobody's name."""
    upheld = appeal.outcome is AppealOutcome.UPHELD
    return {
        "id": appeal.id,
        "contact_id": appeal.contact_id,
        "item": appeal.item_key,
        "question": item_of(appeal).prompt,
        "answer_queried": appeal.queried_answer,
        "reason": appeal.reason,
        "evidence": appeal.evidence,
        "filed_at": appeal.filed_at,
        "outcome": appeal.outcome,
        "decided_at": appeal.decided_at,
        "decision_reason": appeal.decision_reason,
        "corrected_answer": appeal.corrected_answer if upheld else None,
        "value": appeal.corrected_value if upheld else None,
        "na": upheld and appeal.corrected_na,
    }


def _check_reader(contact: Contact) -> None:
    """Let through who may see the contact's appeals (a principal: their school's, once published)."""
    if api_user().role is Role.PRINCIPAL:
        card = scorecard_of(contact)
        if card is None or not permitted(Action.QUERY_ANSWERS, card):
            raise Forbidden()
        if not counts(contact):
            raise NotFound(f"no contact with id {contact.id} on your scorecard")
        return
    require(Action.VIEW_CONTACT, contact)


@blueprint.route(f"/contacts/<{ID}:contact_id>/appeals")
@blueprint.response(200, AppealListSchema)
@documented_errors(403, 404)
def list_contact_appeals(contact_id: int) -> dict[str, Any]:
    """List the appeals on a contact's answers, each with its outcome (pending, upheld, not_upheld).

    A principal sees those of their school's contacts once its scorecard is published; the contact's
    auditor and the district's reviewers see them too. No person is named.
    """
    contact = get_or_404(Contact, contact_id, "contact")
    _check_reader(contact)
    return {"items": [appeal_dict(appeal) for appeal in contact_appeals(db.session, contact)]}


@blueprint.route(f"/contacts/<{ID}:contact_id>/appeals", methods=["POST"])
@blueprint.arguments(AppealIn)
@blueprint.response(201, AppealSchema)
@blueprint.doc(parameters=[IDEMPOTENCY_KEY])
@documented_errors(403, 404, 409, 415, 422)
def file_contact_appeal(body: dict[str, Any], contact_id: int) -> dict[str, Any]:
    """Query one answer of a contact of your school's published scorecard (principals), with a reason.

    Refused while the scorecard is not published (404), after the district's appeal window (409), on
    another school's contact (403), and for an answer already queried (409). A reviewer who did not
    approve the contact decides it.
    """
    contact = get_or_404(Contact, contact_id, "contact")
    card = scorecard_of(contact)
    if card is None or not permitted(Action.QUERY_ANSWERS, card):
        raise Forbidden()
    request = AppealRequest(body["item"], body["reason"], body["evidence"])
    district = contact.assignment.round.district
    appeal = file_appeal(db.session, contact, request, api_user(), clock.today_in(district), clock.now())
    db.session.commit()
    return appeal_dict(appeal)


def _correction(appeal: Appeal, body: dict[str, Any]) -> Correction | None:
    """The body's corrected answer (a reply's time as a moment; without an offset, the district's time)."""
    if body["na"]:
        return Correction(na=True)
    value = body["value"]
    if value is None:
        return None
    if fact_field(item_of(appeal)) == "reply_at" and isinstance(value, str):
        try:
            return Correction(parse_local(value, appeal.contact.assignment.round.district.timezone))
        except (ValueError, OverflowError):
            return Correction(value)
    return Correction(value)


@blueprint.route(f"/appeals/<{ID}:appeal_id>", methods=["POST"])
@blueprint.arguments(DecisionIn)
@blueprint.response(200, AppealSchema)
@blueprint.doc(parameters=[IDEMPOTENCY_KEY])
@documented_errors(403, 404, 409, 415, 422)
def decide_appeal(body: dict[str, Any], appeal_id: int) -> dict[str, Any]:
    """Decide an appeal (reviewers): upheld, with the corrected ``value``, or not_upheld; a reason either way.

    The reviewer who approved the contact may not (403). Upheld corrects the answer in the contact's
    edit log, recomputes every figure and rebuilds the school's scorecard; the principal is emailed.
    """
    appeal = get_or_404(Appeal, appeal_id, "appeal")
    require(Action.DECIDE_APPEALS, appeal)
    outcome = AppealOutcome(body["outcome"])
    fix = _correction(appeal, body) if outcome is AppealOutcome.UPHELD else None
    decide(appeal, api_user(), Decision(outcome, body["reason"], fix))
    db.session.commit()
    kick_outbox()
    return appeal_dict(appeal)
