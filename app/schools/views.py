"""School list, school page, editing and directory import."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from app.extensions import db
from app.forms import apply_errors
from app.permissions import permission_required, require
from app.schools.forms import ImportForm, SchoolForm
from audits.access import Action
from audits.directory import SchoolChanges, SchoolQuery, search_schools, update_school
from audits.errors import DomainError
from audits.importers.schools import import_schools
from audits.models import Level, School

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
    )
    result = search_schools(db.session, current_user, query)
    return render_template("schools/index.html", result=result, query=query)


@blueprint.route("/<int:school_id>")
@login_required
def show(school_id: int) -> str:
    """Show one school's details."""
    school = db.get_or_404(School, school_id)
    require(Action.VIEW_SCHOOL, school)
    return render_template("schools/show.html", school=school)


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
        try:
            update_school(school, changes)
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


@blueprint.route("/import", methods=["GET", "POST"])
@permission_required(Action.IMPORT_SCHOOLS)
def import_file() -> str | tuple[str, int]:
    """Upload an NCES directory file into the leader's district."""
    form = ImportForm()
    report = None
    district = current_user.district
    if form.validate_on_submit():
        # A leader's file always lands in their own district; an admin's in the file's districts.
        district_name = district.name if district is not None else None
        try:
            report = import_schools(db.session, form.file.data.read(), district_name=district_name)
        except DomainError as error:
            db.session.rollback()
            apply_errors(form, error)
        else:
            db.session.commit()
    status = 400 if form.errors else 200
    return render_template("schools/import.html", form=form, report=report, district=district), status
