"""School list, school page, editing and directory import."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.wrappers import Response

from app.clock import today_in
from app.confirmation import ask_first, confirmed
from app.extensions import db
from app.forms import apply_errors
from app.permissions import can, permission_required, require
from app.schools import pending
from app.schools.forms import ConfirmImportForm, DirectoryForm, ImportForm, SchoolForm, UndoForm
from audits.access import Action
from audits.directory import MISSING, SchoolChanges, SchoolQuery, search_schools, update_school
from audits.errors import DomainError
from audits.importers.school_directory import check_directory, read_directory, save_directory
from audits.importers.schools import ImportReport, OtherDistrictFileError, import_schools
from audits.models import District, ImportBatch, Level, Role, School
from audits.plans.listing import open_items, school_plans
from audits.plans.roles import responsible_label
from audits.school_history import field_label, history, record_changes, snapshot, value_text
from audits.school_imports import recent_batches, undo_import, undo_plan
from audits.scorecards import school_scorecards
from audits.vocabulary import count_of

blueprint = Blueprint("schools", __name__, url_prefix="/schools")


@blueprint.route("/")
@permission_required(Action.LIST_SCHOOLS)
def index() -> str:
    """List the schools the person may see, with search and a level filter."""
    query = SchoolQuery(
        text=request.args.get("q", "")[:100],
        level=request.args.get("level", type=Level),
        include_inactive=request.args.get("inactive") == "1",
        page=request.args.get("page", 1, type=int) or 1,
        missing=request.args.get("missing") if request.args.get("missing") in MISSING else None,
    )
    result = search_schools(db.session, current_user, query)
    return render_template("schools/index.html", result=result, query=query, missing=MISSING)


@blueprint.route("/<int:school_id>")
@login_required
def show(school_id: int) -> str:
    """Show one school's details, with links to its results and the scorecards the person may open."""
    school = db.get_or_404(School, school_id)
    require(Action.VIEW_SCHOOL, school)
    changes = history(db.session, school) if current_user.role in (Role.ADMIN, Role.LEADER) else []
    principal = current_user.role is Role.PRINCIPAL
    scorecards = [
        card
        for card in school_scorecards(db.session, school, published_only=principal)
        if can(Action.VIEW_SCORECARD, card)
    ]
    plans = school_plans(db.session, school) if can(Action.VIEW_PLANS, school) else []
    return render_template(
        "schools/show.html",
        school=school,
        plans=plans,
        plan_items=open_items(school, plans, today_in(school.district)),
        may_open_plan=can(Action.OPEN_PLAN, school) and any(card.published_at for card in scorecards),
        responsible_label=responsible_label,
        changes=changes,
        scorecards=scorecards,
        may_see_results=can(Action.VIEW_DASHBOARD, school),
        field_label=field_label,
        value_text=value_text,
    )


@blueprint.route("/<int:school_id>/edit", methods=["GET", "POST"])
@login_required
def edit(school_id: int) -> str | Response | tuple[str, int]:
    """Let a district leader correct a school's details."""
    school = db.get_or_404(School, school_id)
    require(Action.EDIT_SCHOOL, school)
    # A post is read from what was posted alone: an empty one must not fall back to the school's own
    # values (``languages`` is a list there, text in the form).
    form = SchoolForm(obj=school) if request.method == "GET" else SchoolForm()
    if request.method == "GET":
        form.languages.data = ", ".join(school.languages)
        form.level.data = school.level.value
    if request.method == "POST":
        # Run the form's checks and the domain's, so every error shows at once.
        form.validate()
        changes = SchoolChanges(
            **{
                name: form[name].data or "" for name in SchoolChanges.__dataclass_fields__ if name != "active"
            },
            active=bool(form.active.data),
        )
        before = snapshot(school)
        try:
            update_school(school, changes)
            record_changes(db.session, school, before, current_user)
        except DomainError as error:
            apply_errors(form, error)
        if form.errors:
            db.session.rollback()
        else:
            db.session.commit()
            flash(f"Saved {school.name}.", "success")
            return redirect(url_for("schools.show", school_id=school.id))
    status = 400 if request.method == "POST" else 200
    return render_template("schools/edit.html", form=form, school=school), status


def _recent_batches() -> list[ImportBatch]:
    district = current_user.district
    return recent_batches(db.session, district.id if district is not None else None)


def _import_page(
    form: ImportForm,
    status: int = 200,
    batches: list[ImportBatch] | None = None,
    **context: object,
) -> tuple[str, int]:
    """The import page; ``batches`` when they were listed before a preview's import ran (it is not one)."""
    batches = _recent_batches() if batches is None else batches
    district = current_user.district
    page = render_template("schools/import.html", form=form, district=district, batches=batches, **context)
    return page, status


def _preview_nces(data: bytes, file_name: str, token: str, allow_other_lea: bool) -> tuple[str, int]:
    """Run the import, show what it would do, and undo it: nothing is saved before the confirmation."""
    district = current_user.district
    district_name = district.name if district is not None else None
    confirm = ConfirmImportForm(token=token, file_name=file_name, allow_other_lea=allow_other_lea)
    report: ImportReport | None = None
    refusal: OtherDistrictFileError | None = None
    batches = _recent_batches()  # before the preview's own batch exists
    try:
        report = import_schools(
            db.session, data, district_name=district_name, allow_other_lea=allow_other_lea, actor=current_user
        )
    except OtherDistrictFileError as error:
        refusal = error
    except DomainError as error:
        db.session.rollback()
        pending.discard(current_user, token)
        form = ImportForm()
        apply_errors(form, error)
        return _import_page(form, 400)
    try:
        return _import_page(
            ImportForm(formdata=None),
            400 if refusal else 200,
            batches,
            preview=report,
            refusal=refusal,
            confirm=confirm,
            file_name=file_name,
            field_label=field_label,
            value_text=value_text,
        )
    finally:
        db.session.rollback()


@blueprint.route("/import", methods=["GET", "POST"])
@permission_required(Action.IMPORT_SCHOOLS)
def import_file() -> str | tuple[str, int]:
    """Upload an NCES directory file into the leader's district: first a preview of what it would do."""
    form = ImportForm()
    if not form.validate_on_submit():
        return _import_page(form, 400 if form.errors else 200)
    data = form.file.data.read()
    file_name = pending.clean_file_name(form.file.data.filename)
    token = pending.stash(current_user, data)
    return _preview_nces(data, file_name, token, allow_other_lea=False)


@blueprint.route("/import/confirm", methods=["POST"])
@permission_required(Action.IMPORT_SCHOOLS)
def confirm_import() -> Response | tuple[str, int]:
    """Preview again (another district's schools allowed) or save a previewed NCES file as one batch."""
    confirm = ConfirmImportForm()
    data = pending.load(current_user, confirm.token.data or "") if confirm.validate_on_submit() else None
    if data is None:
        form = ImportForm(formdata=None)
        form.form_errors.append(
            "That upload is no longer waiting (saved already, or too old): upload the file again."
        )
        return _import_page(form, 400)
    file_name = pending.clean_file_name(confirm.file_name.data)
    allow = bool(confirm.allow_other_lea.data)
    if confirm.step.data != "save":
        return _preview_nces(data, file_name, confirm.token.data, allow_other_lea=allow)
    district = current_user.district
    try:
        report = import_schools(
            db.session,
            data,
            district_name=district.name if district is not None else None,
            allow_other_lea=allow,
            actor=current_user,
            file_name=file_name,
        )
    except DomainError as error:
        db.session.rollback()
        form = ImportForm(formdata=None)
        apply_errors(form, error)
        return _import_page(form, 400)
    db.session.commit()
    pending.discard(current_user, confirm.token.data)
    flash(f"Imported {file_name or 'the file'}: {report.summary()}.", "success")
    return redirect(url_for("schools.import_file"))


def _batch(batch_id: int) -> ImportBatch:
    """The import ``batch_id``, if the signed-in person may see it (404 otherwise)."""
    batch = db.get_or_404(ImportBatch, batch_id)
    if current_user.role is not Role.ADMIN and (
        current_user.district_id is None or batch.district_id != current_user.district_id
    ):
        abort(404)
    return batch


@blueprint.route("/imports/<int:batch_id>/undo", methods=["GET", "POST"])
@permission_required(Action.IMPORT_SCHOOLS)
def undo(batch_id: int) -> Response | tuple[str, int]:
    """Say exactly what undoing an import removes and restores; undo it when confirmed."""
    batch = _batch(batch_id)
    form = UndoForm()
    if request.method == "POST" and not confirmed():
        return ask_first(url_for("schools.undo", batch_id=batch.id))
    if form.validate_on_submit():
        try:
            plan = undo_import(db.session, batch, current_user)
        except DomainError as error:
            db.session.rollback()
            apply_errors(form, error)
        else:
            db.session.commit()
            flash(
                f"Undid the import of {batch.file_name or 'the file'}: "
                f"{count_of(len(plan.remove), 'school')} removed, "
                f"{count_of(len(plan.restore), 'detail')} restored.",
                "success",
            )
            return redirect(url_for("schools.import_file"))
    plan = undo_plan(db.session, batch)
    status = 400 if form.errors or (request.method == "POST" and not plan.possible) else 200
    page = render_template("schools/undo.html", batch=batch, plan=plan, form=form)
    return page, status


def _directory_district(form: DirectoryForm) -> District | None:
    """The district a directory goes into: the leader's own, or the one an administrator chose."""
    if current_user.district is not None:
        return current_user.district
    return db.session.get(District, form.district.data) if form.district.data else None


def _directory_form() -> DirectoryForm:
    form = DirectoryForm()
    if current_user.district is None:
        districts = db.session.scalars(select(District).order_by(District.name))
        form.district.choices = [(0, "Choose a district")] + [(d.id, d.name) for d in districts]
    else:
        del form.district
    return form


def _directory_page(form: DirectoryForm, status: int = 200, **context: object) -> tuple[str, int]:
    page = render_template(
        "schools/directory.html", form=form, field_label=field_label, value_text=value_text, **context
    )
    return page, status


@blueprint.route("/directory", methods=["GET", "POST"])
@permission_required(Action.IMPORT_SCHOOLS)
def directory() -> str | tuple[str, int]:
    """Upload the district's own directory (emails, phones, principals …): a preview of every change first."""
    form = _directory_form()
    if not form.validate_on_submit():
        return _directory_page(form, 400 if form.errors else 200)
    district = _directory_district(form)
    if district is None:
        form.district.errors = ["Choose the district whose directory this is."]
        return _directory_page(form, 400)
    data = form.file.data.read()
    try:
        check = check_directory(db.session, district, read_directory(data))
    except DomainError as error:
        apply_errors(form, error)
        return _directory_page(form, 400)
    token = pending.stash(current_user, data)
    confirm = ConfirmImportForm(token=token, file_name=pending.clean_file_name(form.file.data.filename))
    return _directory_page(form, 200, check=check, confirm=confirm, district=district)


@blueprint.route("/directory/confirm", methods=["POST"])
@permission_required(Action.IMPORT_SCHOOLS)
def confirm_directory() -> Response | tuple[str, int]:
    """Save a previewed directory as one batch (only its valid rows when asked)."""
    confirm = ConfirmImportForm()
    data = pending.load(current_user, confirm.token.data or "") if confirm.validate_on_submit() else None
    form = _directory_form()
    district_id = request.form.get("district", type=int)
    district = current_user.district or (db.session.get(District, district_id) if district_id else None)
    if data is None or district is None:
        form.form_errors.append(
            "That upload is no longer waiting (saved already, or too old): upload the file again."
        )
        return _directory_page(form, 400)
    file_name = pending.clean_file_name(confirm.file_name.data)
    try:
        check = check_directory(db.session, district, read_directory(data))
        batch = save_directory(
            db.session, check, current_user, file_name=file_name, valid_only=bool(confirm.valid_only.data)
        )
    except DomainError as error:
        db.session.rollback()
        apply_errors(form, error)
        return _directory_page(form, 400)
    db.session.commit()
    pending.discard(current_user, confirm.token.data)
    flash(f"Imported the directory {file_name or ''}: {check.summary()}.", "success")
    return redirect(url_for("schools.import_file", _anchor=f"batch-{batch.id}"))
