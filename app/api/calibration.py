"""Calibration exercises in the API: every answer and the agreement figures, for leaders and reviewers.

``GET /calibrations`` lists the exercises of the district (an administrator: all);
``GET /calibrations/<id>`` gives one with ``ratings`` (every submitted answer of every auditor to
every judged item of every reference, by pseudonym) and ``agreement`` (per item alpha and the
ratings it rests on, alpha over the contact scores, each auditor's agreement and mean signed
difference). Auditors and principals are refused: an auditor reads their own results on the pages,
and only after submitting all their answers.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields
from sqlalchemy import func, select
from werkzeug.exceptions import NotFound

from app.api.auth import api_user, require
from app.api.blueprint import ID, blueprint
from app.api.inputs import PageArgs
from app.api.openapi import documented_errors
from app.api.present import page
from app.api.schemas import NULLABLE_SCALAR, choice, page_of
from app.extensions import db
from audits.access import Action
from audits.agreement import Level
from audits.calibration import exercise_agreement, exercise_ratings, load_exercise
from audits.models import CalibrationExercise, ExerciseStatus, Role


class CalibrationSchema(Schema):
    """A calibration exercise: its rubric version, status and size."""

    id = fields.Integer(required=True)
    district_id = fields.Integer(required=True)
    name = fields.String(required=True)
    status = choice(ExerciseStatus, required=True)
    rubric_key = fields.String(required=True)
    rubric_version = fields.Integer(required=True)
    references = fields.Integer(required=True, metadata={"description": "How many reference contacts."})
    auditors = fields.Integer(required=True, metadata={"description": "How many auditors take part."})
    submitted = fields.Integer(
        required=True, metadata={"description": "How many submitted all their answers."}
    )
    has_key = fields.Boolean(required=True, metadata={"description": "Whether a reference key was entered."})
    opened_at = fields.DateTime(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)


class RatingSchema(Schema):
    """One auditor's answer to one item of one reference contact."""

    pseudonym = fields.String(required=True, metadata={"description": "The auditor's stable pseudonym."})
    reference_id = fields.Integer(required=True)
    item = fields.String(required=True, metadata={"description": "The rubric item's key."})
    value = fields.Raw(
        allow_none=True,
        metadata={
            "description": "The raw answer: yes or no, the option's label, the scale point or the measured "
            "number; null for N/A.",
            **NULLABLE_SCALAR,
        },
    )
    na = fields.Boolean(required=True)


class ItemAgreementSchema(Schema):
    """Krippendorff's alpha of one item."""

    key = fields.String(required=True)
    level = choice(Level, required=True, metadata={"description": "The level of measurement used."})
    alpha = fields.Float(
        allow_none=True, metadata={"description": "Null when undefined: not enough variation to pair."}
    )
    n = fields.Integer(required=True, metadata={"description": "The pairable ratings alpha rests on."})


class AuditorAgreementSchema(Schema):
    """One auditor against the key (or, without one, the others)."""

    pseudonym = fields.String(required=True)
    agreement = fields.Float(
        allow_none=True, metadata={"description": "Share of answers (0–1) matching the key or the others."}
    )
    mean_difference = fields.Float(
        allow_none=True,
        metadata={"description": "Mean signed difference in contact score, percentage points (+ lenient)."},
    )
    n = fields.Integer(
        required=True, metadata={"description": "The reference contacts the difference rests on."}
    )


class AgreementSchema(Schema):
    """An exercise's agreement figures."""

    items = fields.List(fields.Nested(ItemAgreementSchema), required=True)
    score_alpha = fields.Float(
        allow_none=True, metadata={"description": "Interval alpha over contact scores."}
    )
    score_n = fields.Integer(required=True)
    against_key = fields.Boolean(required=True)
    auditors = fields.List(fields.Nested(AuditorAgreementSchema), required=True)


class CalibrationDetailSchema(CalibrationSchema):
    """An exercise with every answer and its agreement figures."""

    ratings = fields.List(fields.Nested(RatingSchema), required=True)
    agreement = fields.Nested(AgreementSchema, required=True)


CalibrationPageSchema = page_of(CalibrationSchema, "CalibrationPage")


def calibration_dict(exercise: CalibrationExercise) -> dict[str, Any]:
    """An exercise as the API lists it."""
    return {
        "id": exercise.id,
        "district_id": exercise.district_id,
        "name": exercise.name,
        "status": exercise.status,
        "rubric_key": exercise.rubric.key,
        "rubric_version": exercise.rubric.version,
        "references": len(exercise.references),
        "auditors": len(exercise.participants),
        "submitted": sum(1 for taking in exercise.participants if taking.submitted_at is not None),
        "has_key": any(sheet.is_key for sheet in exercise.sheets),
        "opened_at": exercise.opened_at,
        "closed_at": exercise.closed_at,
    }


@blueprint.route("/calibrations")
@blueprint.arguments(PageArgs, location="query")
@blueprint.response(200, CalibrationPageSchema)
@documented_errors(403)
def list_calibrations(args: dict[str, Any]) -> dict[str, Any]:
    """List the calibration exercises of your district, newest first.

    Leaders, reviewers and administrators (all districts) only. Each exercise has its rubric version,
    status, how many reference contacts and auditors it has, how many auditors submitted, and whether
    it has a key.
    """
    require(Action.VIEW_CALIBRATION)
    user = api_user()
    stmt = select(CalibrationExercise).order_by(CalibrationExercise.id.desc())
    if user.role is not Role.ADMIN:
        stmt = stmt.where(CalibrationExercise.district_id == user.district_id)
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    offset = (args["page"] - 1) * args["per_page"]
    rows = list(db.session.scalars(stmt.limit(args["per_page"]).offset(offset)))
    return page([calibration_dict(row) for row in rows], total, args["page"], args["per_page"])


@blueprint.route(f"/calibrations/<{ID}:exercise_id>")
@blueprint.response(200, CalibrationDetailSchema)
@documented_errors(403, 404)
def get_calibration(exercise_id: int) -> dict[str, Any]:
    """One exercise: every submitted answer (by pseudonym) and the agreement figures.

    Per item, Krippendorff's alpha at the item's level of measurement (yes/no and choice: nominal;
    scale: ordinal; timing: interval; text items left out; N/A a missing value) with the ratings
    it rests on; alpha over the contact scores (interval); per auditor, the share of answers that
    match the key (or the others) and the mean signed difference in contact score.
    """
    require(Action.VIEW_CALIBRATION)
    exercise = load_exercise(db.session, exercise_id)
    if exercise is None:
        raise NotFound(f"no calibration exercise with id {exercise_id}")
    require(Action.VIEW_CALIBRATION, exercise)
    figures = exercise_agreement(exercise)
    return {
        **calibration_dict(exercise),
        "ratings": [
            {
                "pseudonym": rating.pseudonym,
                "reference_id": rating.reference_id,
                "item": rating.item,
                "value": rating.value,
                "na": rating.na,
            }
            for rating in exercise_ratings(exercise)
        ],
        "agreement": {
            "items": [
                {"key": item.key, "level": item.level, "alpha": item.alpha.value, "n": item.alpha.n}
                for item in figures.items
            ],
            "score_alpha": figures.score_alpha.value,
            "score_n": figures.score_alpha.n,
            "against_key": figures.against_key,
            "auditors": [
                {
                    "pseudonym": auditor.pseudonym,
                    "agreement": auditor.agreement.value,
                    "mean_difference": auditor.difference.value,
                    "n": auditor.difference.n,
                }
                for auditor in figures.auditors
            ],
        },
    }
