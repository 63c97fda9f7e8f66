"""Calibration pages: leaders build exercises, auditors score them blind, everyone reads the agreement.

Leaders (and administrators) build an exercise: its reference contacts, auditors and key; the
district's reviewers read it and may enter the key. Auditors score each reference on the rubric's
items as on the contact form (the same rubric fields), then submit all at once: only then do they
see the others' answers, the key and the figures (``audits.calibration.may_see_answers``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, send_from_directory, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.wrappers import Response

from app import clock
from app.calibration.forms import AuditorsForm, ButtonForm, ContactReferenceForm, ExerciseForm, MaterialForm
from app.errors import status_for
from app.extensions import db
from app.fieldwork.display import helpers
from app.fieldwork.entry_form import read_form
from app.fieldwork.evidence import download_name, send_evidence
from app.fieldwork.pages import evidence_folder, max_evidence_bytes
from app.forms import apply_errors, id_arg
from app.permissions import can, require
from app.telephony.tasks import recordings_dir
from audits.access import Action
from audits.calibration import (
    LENIENCY_POINTS,
    add_contact_reference,
    add_material_reference,
    answer_words,
    approved_contacts,
    close_exercise,
    create_exercise,
    exercise_agreement,
    judged_items,
    load_exercise,
    may_see_answers,
    missing_references,
    open_exercise,
    participant_of,
    record_sheet,
    remove_reference,
    set_auditors,
    sheet_answers,
    sheet_of,
    submit_sheets,
)
from audits.errors import DomainError, Problem
from audits.fieldwork.drafts import answer_name, as_text, comment_name, na_name
from audits.fieldwork.evidence import evidence_path
from audits.ids import is_storable_id, storable_ids
from audits.models import (
    CalibrationExercise,
    CalibrationParticipant,
    CalibrationReference,
    Contact,
    District,
    EvidenceKind,
    ExerciseStatus,
    Role,
    Rubric,
    RubricStatus,
    ScoreSheet,
    User,
)
from audits.telephony.calls import playable_recording

blueprint = Blueprint("calibration", __name__, url_prefix="/calibration")
blueprint.context_processor(helpers)

CALIBRATION_FOLDER = "calibration"


@blueprint.context_processor
def _calibration_helpers() -> dict[str, Any]:
    return {"answer_words": answer_words, "ExerciseStatus": ExerciseStatus, "lean_points": LENIENCY_POINTS}


def material_folder() -> Path:
    """Where uploaded reference material is stored (beside evidence, outside the web root)."""
    return evidence_folder() / CALIBRATION_FOLDER


def _exercise_or_404(exercise_id: int) -> CalibrationExercise:
    exercise = load_exercise(db.session, exercise_id)
    if exercise is None:
        abort(404)
    return exercise


def _reference_or_404(exercise: CalibrationExercise, reference_id: int) -> CalibrationReference:
    reference = next((r for r in exercise.references if r.id == reference_id), None)
    if reference is None:
        abort(404)
    return reference


def _may_read(exercise: CalibrationExercise) -> bool:
    """Leaders, reviewers and administrators of the district, or an auditor taking part."""
    return can(Action.VIEW_CALIBRATION, exercise) or can(Action.TAKE_CALIBRATION, exercise)


def _require_read(exercise: CalibrationExercise) -> None:
    if not current_user.is_authenticated:
        abort(401)
    if not _may_read(exercise):
        abort(403)


def _district_or_404(district_id: int | None) -> District:
    district = db.session.get(District, district_id) if district_id else None
    if district is None:
        abort(404)
    return district


@blueprint.route("/")
@login_required
def index() -> str:
    """The district's exercises (leaders, reviewers, administrators), or the auditor's own."""
    if current_user.role is Role.AUDITOR:
        require(Action.TAKE_CALIBRATION)
        takings = db.session.scalars(
            select(CalibrationParticipant)
            .join(CalibrationExercise)
            .where(
                CalibrationParticipant.auditor_id == current_user.id,
                CalibrationExercise.status != ExerciseStatus.DRAFT,
            )
            .order_by(CalibrationExercise.id.desc())
        )
        return render_template("calibration/mine.html", takings=list(takings))
    require(Action.VIEW_CALIBRATION)
    query = select(CalibrationExercise).order_by(CalibrationExercise.id.desc())
    if current_user.role is not Role.ADMIN:
        query = query.where(CalibrationExercise.district_id == current_user.district_id)
    return render_template("calibration/index.html", exercises=list(db.session.scalars(query)))


def _published_rubrics() -> list[Rubric]:
    return list(
        db.session.scalars(
            select(Rubric)
            .where(Rubric.status == RubricStatus.PUBLISHED)
            .order_by(Rubric.channel, Rubric.name, Rubric.version.desc())
        )
    )


@blueprint.route("/new", methods=["GET", "POST"])
@login_required
def new() -> Response | tuple[str, int]:
    """Start an exercise for the leader's district (an administrator names the district: ``?district=``)."""
    if current_user.role is Role.ADMIN:
        district = _district_or_404(id_arg("district"))
    else:
        require(Action.MANAGE_CALIBRATION)
        district = _district_or_404(current_user.district_id)
    require(Action.MANAGE_CALIBRATION, district)
    form = ExerciseForm()
    form.set_rubrics(_published_rubrics())
    if request.method == "POST" and form.validate():
        chosen = form.rubric_id.data
        rubric = db.session.get(Rubric, chosen) if is_storable_id(chosen) else None
        if rubric is None:
            form.rubric_id.errors = ["choose a published rubric version"]
        else:
            try:
                exercise = create_exercise(db.session, district, current_user, form.name.data or "", rubric)
            except DomainError as error:
                db.session.rollback()
                apply_errors(form, error)
            else:
                db.session.commit()
                flash(
                    f"Started {exercise.name}. Add reference contacts and auditors, then open it.", "success"
                )
                return redirect(url_for("calibration.show", exercise_id=exercise.id))
    status = 400 if request.method == "POST" else 200
    return render_template("calibration/new.html", form=form, district=district), status


def _auditors_of(district_id: int) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .where(User.district_id == district_id, User.role == Role.AUDITOR, User.active.is_(True))
            .order_by(User.name, User.email)
        )
    )


def _leader_page(
    exercise: CalibrationExercise,
    status: int = 200,
    *,
    contact_form: ContactReferenceForm | None = None,
    material_form: MaterialForm | None = None,
    auditors_form: AuditorsForm | None = None,
    problems: list[Problem] | None = None,
) -> tuple[str, int]:
    contact_form = contact_form or ContactReferenceForm(formdata=None)
    contact_form.set_contacts(approved_contacts(db.session, exercise))
    material_form = material_form or MaterialForm(formdata=None)
    if auditors_form is None:
        auditors_form = AuditorsForm(formdata=None)
        auditors_form.auditor_ids.data = [taking.auditor_id for taking in exercise.participants]
    auditors_form.set_auditors(_auditors_of(exercise.district_id))
    keyed = {sheet.reference_id for sheet in exercise.sheets if sheet.is_key}
    progress = {
        taking.auditor_id: len(exercise.references) - len(missing_references(exercise, taking.auditor))
        for taking in exercise.participants
    }
    return render_template(
        "calibration/show.html",
        exercise=exercise,
        contact_form=contact_form,
        material_form=material_form,
        auditors_form=auditors_form,
        button=ButtonForm(formdata=None),
        keyed=keyed,
        progress=progress,
        may_manage=can(Action.MANAGE_CALIBRATION, exercise),
        may_key=can(Action.KEY_CALIBRATION, exercise),
        problems=problems or [],
    ), status


def _auditor_page(
    exercise: CalibrationExercise, status: int = 200, problems: list[Problem] | None = None
) -> tuple[str, int]:
    taking = participant_of(exercise, current_user)
    assert taking is not None
    done = {
        sheet.reference_id
        for sheet in exercise.sheets
        if sheet.auditor_id == current_user.id and not sheet.is_key
    }
    return render_template(
        "calibration/take.html",
        exercise=exercise,
        taking=taking,
        done=done,
        button=ButtonForm(formdata=None),
        problems=problems or [],
    ), status


@blueprint.route("/<int:exercise_id>")
@login_required
def show(exercise_id: int) -> tuple[str, int]:
    """A leader's or reviewer's view of the exercise; an auditor's list of references to score."""
    exercise = _exercise_or_404(exercise_id)
    _require_read(exercise)
    if current_user.role is Role.AUDITOR:
        if exercise.status is ExerciseStatus.DRAFT:
            abort(404)
        return _auditor_page(exercise)
    return _leader_page(exercise)


@blueprint.route("/<int:exercise_id>/references", methods=["POST"])
@login_required
def add_contact(exercise_id: int) -> Response | tuple[str, int]:
    """Add an approved contact as a reference."""
    exercise = _exercise_or_404(exercise_id)
    require(Action.MANAGE_CALIBRATION, exercise)
    form = ContactReferenceForm()
    form.set_contacts(approved_contacts(db.session, exercise))
    chosen = form.contact_id.data if form.validate() else None
    contact = db.session.get(Contact, chosen) if is_storable_id(chosen) else None
    if contact is None:
        form.contact_id.errors = ["choose an approved contact"]
        return _leader_page(exercise, 400, contact_form=form)
    try:
        reference = add_contact_reference(db.session, exercise, contact, form.title.data or "")
    except DomainError as error:
        db.session.rollback()
        apply_errors(form, error)
        return _leader_page(_exercise_or_404(exercise_id), status_for(error), contact_form=form)
    db.session.commit()
    flash(f"Added {reference.title}.", "success")
    return redirect(url_for("calibration.show", exercise_id=exercise_id, _anchor="references"))


@blueprint.route("/<int:exercise_id>/material", methods=["POST"])
@login_required
def add_material(exercise_id: int) -> Response | tuple[str, int]:
    """Add uploaded material (a file, a narrative) as a reference."""
    exercise = _exercise_or_404(exercise_id)
    require(Action.MANAGE_CALIBRATION, exercise)
    form = MaterialForm()
    form.validate()
    upload = None
    if form.file.data and getattr(form.file.data, "filename", ""):
        upload = (form.file.data.read(), form.file.data.filename)
    try:
        folder = material_folder()
        folder.mkdir(parents=True, exist_ok=True)
        reference = add_material_reference(
            db.session,
            exercise,
            form.title.data or "",
            form.narrative.data or "",
            upload,
            folder,
            max_evidence_bytes(),
        )
    except DomainError as error:
        db.session.rollback()
        apply_errors(form, error)
        return _leader_page(_exercise_or_404(exercise_id), status_for(error), material_form=form)
    db.session.commit()
    flash(f"Added {reference.title}.", "success")
    return redirect(url_for("calibration.show", exercise_id=exercise_id, _anchor="references"))


@blueprint.route("/<int:exercise_id>/references/<int:reference_id>/remove", methods=["POST"])
@login_required
def remove(exercise_id: int, reference_id: int) -> Response | tuple[str, int]:
    """Take a reference out of a draft exercise."""
    exercise = _exercise_or_404(exercise_id)
    require(Action.MANAGE_CALIBRATION, exercise)
    reference = _reference_or_404(exercise, reference_id)
    title = reference.title
    try:
        remove_reference(db.session, exercise, reference)
    except DomainError as error:
        db.session.rollback()
        return _leader_page(_exercise_or_404(exercise_id), status_for(error), problems=error.problems)
    db.session.commit()
    flash(f"Removed {title}.", "success")
    return redirect(url_for("calibration.show", exercise_id=exercise_id, _anchor="references"))


@blueprint.route("/<int:exercise_id>/auditors", methods=["POST"])
@login_required
def auditors(exercise_id: int) -> Response | tuple[str, int]:
    """Choose the auditors taking part."""
    exercise = _exercise_or_404(exercise_id)
    require(Action.MANAGE_CALIBRATION, exercise)
    form = AuditorsForm()
    form.set_auditors(_auditors_of(exercise.district_id))
    if not form.validate():
        return _leader_page(exercise, 400, auditors_form=form)
    wanted = set(form.auditor_ids.data or [])
    ids = storable_ids(wanted)
    chosen = list(db.session.scalars(select(User).where(User.id.in_(ids)).order_by(User.id))) if ids else []
    if len(chosen) != len(wanted):
        form.auditor_ids.errors = ["choose active auditors of this district"]
        return _leader_page(exercise, 400, auditors_form=form)
    try:
        set_auditors(db.session, exercise, chosen)
    except DomainError as error:
        db.session.rollback()
        apply_errors(form, error)
        return _leader_page(_exercise_or_404(exercise_id), status_for(error), auditors_form=form)
    db.session.commit()
    flash(f"Saved the auditors taking part ({len(chosen)}).", "success")
    return redirect(url_for("calibration.show", exercise_id=exercise_id, _anchor="auditors"))


@blueprint.route("/<int:exercise_id>/open", methods=["POST"])
@login_required
def open_(exercise_id: int) -> Response | tuple[str, int]:
    """Let the auditors score."""
    exercise = _exercise_or_404(exercise_id)
    require(Action.MANAGE_CALIBRATION, exercise)
    ButtonForm().validate()
    try:
        open_exercise(db.session, exercise, clock.now())
    except DomainError as error:
        db.session.rollback()
        return _leader_page(_exercise_or_404(exercise_id), status_for(error), problems=error.problems)
    db.session.commit()
    flash("The exercise is open: its auditors find it under Calibration.", "success")
    return redirect(url_for("calibration.show", exercise_id=exercise_id))


@blueprint.route("/<int:exercise_id>/close", methods=["POST"])
@login_required
def close(exercise_id: int) -> Response | tuple[str, int]:
    """Finish the exercise: the figures rest on the answers submitted by now."""
    exercise = _exercise_or_404(exercise_id)
    require(Action.MANAGE_CALIBRATION, exercise)
    ButtonForm().validate()
    try:
        close_exercise(db.session, exercise, clock.now())
    except DomainError as error:
        db.session.rollback()
        return _leader_page(_exercise_or_404(exercise_id), status_for(error), problems=error.problems)
    db.session.commit()
    flash("The exercise is finished.", "success")
    return redirect(url_for("calibration.agreement", exercise_id=exercise_id))


def _sheet_values(sheet: ScoreSheet | None, exercise: CalibrationExercise) -> dict[str, str]:
    """A sheet's answers as the rubric fields' inputs hold them."""
    if sheet is None:
        return {}
    items = {item.id: item for item in exercise.rubric.items}
    timezone = exercise.district.timezone
    values = {}
    for answer in sheet.answers:
        key = items[answer.item_id].key
        if answer.na:
            values[na_name(key)] = "1"
        elif answer.value is not None:
            values[answer_name(key)] = as_text(answer.value, timezone)
        if answer.comment:
            values[comment_name(key)] = answer.comment
    return values


def _score_page(
    exercise: CalibrationExercise,
    reference: CalibrationReference,
    values: dict[str, str],
    *,
    key: bool,
    problems: list[Problem] | None = None,
    status: int = 200,
) -> tuple[str, int]:
    prompts = {item.key: item.prompt for item in exercise.rubric.items}
    errors: dict[str, list[str]] = {}
    summary: list[tuple[str | None, str]] = []
    for path, reason in problems or []:
        head, _, rest = (path or "").partition(".")
        item_key = rest.split(".")[0]
        if head == "responses" and item_key in prompts:
            errors.setdefault(item_key, []).append(reason)
            summary.append((f"rubric-item-{item_key}", f"{prompts[item_key]}: {reason}"))
        else:
            summary.append((None, reason[:1].upper() + reason[1:]))
    if key:
        locked = exercise.status is ExerciseStatus.CLOSED
    else:
        taking = participant_of(exercise, current_user)
        locked = (
            exercise.status is not ExerciseStatus.OPEN or taking is None or taking.submitted_at is not None
        )
    position = exercise.references.index(reference)
    following = exercise.references[position + 1] if position + 1 < len(exercise.references) else None
    return render_template(
        "calibration/score.html",
        exercise=exercise,
        reference=reference,
        contact=reference.contact,
        values=values,
        errors=errors,
        summary=summary,
        key=key,
        following=following,
        recording=_has_recording(reference),
        locked=locked,
    ), status


def _has_recording(reference: CalibrationReference) -> bool:
    return reference.contact is not None and playable_recording(db.session, reference.contact) is not None


def _may_score(exercise: CalibrationExercise, key: bool) -> None:
    require(Action.KEY_CALIBRATION if key else Action.TAKE_CALIBRATION, exercise)


def _score(exercise_id: int, reference_id: int, *, key: bool) -> Response | tuple[str, int]:
    exercise = _exercise_or_404(exercise_id)
    _may_score(exercise, key)
    reference = _reference_or_404(exercise, reference_id)
    if not key and exercise.status is ExerciseStatus.DRAFT:
        abort(404)
    sheet = sheet_of(exercise, reference, current_user, key=key)
    if request.method == "GET":
        return _score_page(exercise, reference, _sheet_values(sheet, exercise), key=key)
    ButtonForm().validate()
    data = request.form.to_dict()
    data.pop("csrf_token", None)
    entry, _ = read_form(data, exercise.rubric, exercise.district.timezone)
    judged = {item.key for item in judged_items(exercise.rubric)}
    answers = {item_key: answer for item_key, answer in entry.responses.items() if item_key in judged}
    try:
        record_sheet(db.session, exercise, reference, current_user, answers, key=key, now=clock.now())
    except DomainError as error:
        db.session.rollback()
        exercise = _exercise_or_404(exercise_id)
        reference = _reference_or_404(exercise, reference_id)
        return _score_page(
            exercise, reference, data, key=key, problems=error.problems, status=status_for(error)
        )
    db.session.commit()
    flash(f"Saved {'the key for ' if key else 'your answers to '}{reference.title}.", "success")
    if key:
        return redirect(url_for("calibration.show", exercise_id=exercise_id, _anchor="references"))
    return redirect(url_for("calibration.show", exercise_id=exercise_id))


@blueprint.route("/<int:exercise_id>/references/<int:reference_id>/score", methods=["GET", "POST"])
@login_required
def score(exercise_id: int, reference_id: int) -> Response | tuple[str, int]:
    """An auditor scores one reference on the rubric's items, blind."""
    return _score(exercise_id, reference_id, key=False)


@blueprint.route("/<int:exercise_id>/references/<int:reference_id>/key", methods=["GET", "POST"])
@login_required
def key(exercise_id: int, reference_id: int) -> Response | tuple[str, int]:
    """A leader or reviewer enters the key's answers to one reference."""
    return _score(exercise_id, reference_id, key=True)


@blueprint.route("/<int:exercise_id>/submit", methods=["POST"])
@login_required
def submit(exercise_id: int) -> Response | tuple[str, int]:
    """An auditor submits all their answers; the others' answers, the key and the figures open up."""
    exercise = _exercise_or_404(exercise_id)
    require(Action.TAKE_CALIBRATION, exercise)
    ButtonForm().validate()
    try:
        submit_sheets(db.session, exercise, current_user, clock.now())
    except DomainError as error:
        db.session.rollback()
        return _auditor_page(_exercise_or_404(exercise_id), status_for(error), problems=error.problems)
    db.session.commit()
    flash("Submitted. Here is how your answers compare.", "success")
    return redirect(url_for("calibration.agreement", exercise_id=exercise_id))


@blueprint.route("/<int:exercise_id>/agreement")
@login_required
def agreement(exercise_id: int) -> tuple[str, int]:
    """The figures: per item alpha, score alpha, each auditor's agreement and lean, what to retrain."""
    exercise = _exercise_or_404(exercise_id)
    _require_read(exercise)
    if not may_see_answers(exercise, current_user):
        abort(403)
    figures = exercise_agreement(exercise)
    auditor_view = current_user.role is Role.AUDITOR
    items = {item.id: item for item in exercise.rubric.items}
    answers: dict[tuple[int, int], dict[int, str]] = {}
    key_answers: dict[tuple[int, int], str] = {}
    submitted = {t.auditor_id for t in exercise.participants if t.submitted_at is not None}
    stored = sheet_answers(exercise)
    for sheet in exercise.sheets:
        if not sheet.is_key and sheet.auditor_id not in submitted:
            continue
        for answer in stored[sheet.id]:
            item = items[answer.item_id]
            words = answer_words(item, None if answer.na else answer.value)
            if sheet.is_key:
                key_answers[(sheet.reference_id, item.id)] = words
            else:
                answers.setdefault((sheet.reference_id, item.id), {})[sheet.auditor_id] = words
    return render_template(
        "calibration/agreement.html",
        exercise=exercise,
        figures=figures,
        auditor_view=auditor_view,
        judged=judged_items(exercise.rubric),
        answers=answers,
        key_answers=key_answers,
        takers=[t for t in exercise.participants if t.submitted_at is not None],
    ), 200


def _require_material(exercise: CalibrationExercise) -> None:
    _require_read(exercise)
    if current_user.role is Role.AUDITOR and exercise.status is ExerciseStatus.DRAFT:
        abort(404)


@blueprint.route("/<int:exercise_id>/references/<int:reference_id>/file")
@login_required
def material(exercise_id: int, reference_id: int) -> Response:
    """The uploaded file of a reference, to the people of the exercise."""
    exercise = _exercise_or_404(exercise_id)
    _require_material(exercise)
    reference = _reference_or_404(exercise, reference_id)
    if reference.storage_name is None or reference.file_kind is None:
        abort(404)
    return send_evidence(
        material_folder() / reference.storage_name,
        reference.content_type,
        inline=reference.file_kind in (EvidenceKind.IMAGE, EvidenceKind.AUDIO),
        name=reference.file_name or "reference",
    )


@blueprint.route("/<int:exercise_id>/references/<int:reference_id>/evidence/<token>")
@login_required
def evidence(exercise_id: int, reference_id: int, token: str) -> Response:
    """An evidence file of a reference contact, to the people of the exercise."""
    exercise = _exercise_or_404(exercise_id)
    _require_material(exercise)
    reference = _reference_or_404(exercise, reference_id)
    contact = reference.contact
    found = next((item for item in (contact.evidence if contact else []) if item.token == token), None)
    if found is None:
        abort(404)
    return send_evidence(
        evidence_path(found, evidence_folder()),
        found.content_type,
        inline=found.kind in (EvidenceKind.IMAGE, EvidenceKind.AUDIO),
        name=download_name(found),
    )


@blueprint.route("/<int:exercise_id>/references/<int:reference_id>/recording")
@login_required
def recording(exercise_id: int, reference_id: int) -> Response:
    """The call recording of a reference contact, to the people of the exercise."""
    exercise = _exercise_or_404(exercise_id)
    _require_material(exercise)
    reference = _reference_or_404(exercise, reference_id)
    call = playable_recording(db.session, reference.contact) if reference.contact else None
    if call is None or call.recording_path is None:
        abort(404)
    response = send_from_directory(recordings_dir(), call.recording_path, mimetype="audio/mpeg", max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Disposition"] = "inline"
    return response
