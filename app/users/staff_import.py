"""The staff import of the people page: upload a CSV or XLSX, see what it would do, then confirm.

A leader imports into their own district, an administrator into the district they choose
(``audits.importers.staff``: who may give which role, what each row does). Nothing is saved
before the person confirms: the file waits for its uploader (``audits.importers.uploads``),
and confirming checks it again; when the people changed since the preview, the fresh result is
shown to confirm instead of saving something else than was previewed. A file with refused rows
saves nothing unless they choose to import the valid rows. The import and the invitations it
sends are in the audit log.
"""

from __future__ import annotations

from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from app.extensions import db
from app.forms import apply_errors
from app.invitations.mail import invitation_lifetime, queue_invitations
from app.outbox import kick_outbox
from app.permissions import permission_required, require
from app.users.forms import StaffConfirmForm, StaffUploadForm
from audits.access import Action
from audits.errors import DomainError, NotFoundError, ValidationError
from audits.importers import uploads
from audits.importers.staff import (
    MAX_BYTES,
    Outcome,
    StaffCheck,
    check_staff,
    import_staff,
    importable_roles,
    read_staff_file,
    template_csv,
)
from audits.models import District, Role, School
from audits.vocabulary import count_of

blueprint = Blueprint("staff_import", __name__, url_prefix="/users/import")

EXTENSIONS = (".csv", ".xlsx", ".txt")
GONE = (
    "this upload is not waiting any more: it was imported, replaced by a newer upload, or is more "
    f"than {int(uploads.MAX_AGE.total_seconds() // 3600)} hours old. Upload the file again"
)
CHANGED = (
    "The people changed since your preview, so nothing was saved: this is what the file does now. "
    "Check it and confirm again."
)


def _folder() -> Path:
    return Path(current_app.config["STORAGE_DIR"]) / uploads.FOLDER


def _districts() -> list[District]:
    """The districts the signed-in person may import into."""
    if current_user.role is Role.ADMIN:
        return list(db.session.scalars(select(District).order_by(District.name)))
    district = current_user.district
    return [district] if district is not None else []


def _upload_form() -> StaffUploadForm:
    form = StaffUploadForm()
    districts = _districts()
    if not districts:
        abort(403)
    if current_user.role is not Role.ADMIN:
        del form.district  # a leader's file is always for their own district
        return form
    form.district.choices = [(0, "Choose a district")] + [(d.id, d.name) for d in districts]
    if not form.is_submitted() and len(districts) == 1:
        form.district.data = districts[0].id
    return form


def _chosen_district(form: StaffUploadForm) -> District:
    """A leader's own district, whatever was posted; the administrator's choice."""
    if current_user.role is not Role.ADMIN:
        district = current_user.district
    else:
        district = db.session.get(District, form.district.data) if form.district.data else None
        if district is None:
            raise ValidationError("district", "choose the district whose staff this is")
    require(Action.IMPORT_STAFF, district)
    return district


def _file_name(name: str | None) -> str:
    return Path(name or "staff file").name[:200] or "staff file"


@blueprint.route("/", methods=["GET", "POST"])
@permission_required(Action.IMPORT_STAFF)
def upload() -> Response | tuple[str, int]:
    """The upload form; a readable file is kept for its uploader and previewed, nothing saved yet."""
    form = _upload_form()
    if form.validate_on_submit():
        try:
            district = _chosen_district(form)
            upload = form.file.data
            name = _file_name(upload.filename)
            if not name.lower().endswith(EXTENSIONS):
                raise ValidationError(
                    "file", f"{name} is not a CSV or XLSX file: choose a .csv or .xlsx file"
                )
            with upload.stream:  # a large upload is a temporary file: closed at once
                data = upload.stream.read(MAX_BYTES + 1)
            read_staff_file(data)  # refuse an unreadable file here, next to the field
            key = uploads.keep_upload(
                _folder(), data, owner_id=current_user.id, district_id=district.id, file_name=name
            )
        except DomainError as error:
            apply_errors(form, error)
        else:
            return redirect(url_for("staff_import.preview", key=key))
    status = 400 if form.errors or form.form_errors else 200
    page = render_template(
        "users/import.html",
        form=form,
        roles=importable_roles(current_user),
        choose_district=current_user.role is Role.ADMIN,
    )
    return page, status


@blueprint.route("/template.csv")
@permission_required(Action.IMPORT_STAFF)
def template() -> Response:
    """A staff file to fill in: the header and one example row per role the person may import."""
    nces_ids: list[str] = []
    if current_user.district_id is not None:
        nces_ids = list(
            db.session.scalars(
                select(School.nces_id)
                .where(School.district_id == current_user.district_id, School.nces_id.is_not(None))
                .order_by(School.name)
                .limit(2)
            )
        )
    response = make_response(template_csv(importable_roles(current_user), [i for i in nces_ids if i]))
    response.mimetype = "text/csv"
    response.headers["Content-Disposition"] = 'attachment; filename="staff-template.csv"'
    return response


def _waiting(key: str) -> tuple[uploads.WaitingUpload, StaffCheck]:
    """The signed-in person's waiting upload ``key``, checked afresh; a 404 page when it is not theirs,
    or not waiting any more."""
    waiting = uploads.open_upload(_folder(), key, current_user.id)
    district = db.session.get(District, waiting.district_id) if waiting is not None else None
    if waiting is None or district is None:
        raise NotFoundError("upload", GONE)
    require(Action.IMPORT_STAFF, district)
    rows = read_staff_file(waiting.data)
    return waiting, check_staff(db.session, district, rows, importable_roles(current_user))


def _preview(
    waiting: uploads.WaitingUpload, check: StaffCheck, form: StaffConfirmForm | None = None, notice: str = ""
) -> str:
    if form is None:
        form = StaffConfirmForm(formdata=None)
    form.fingerprint.data = check.fingerprint()
    return render_template(
        "users/import_preview.html",
        waiting=waiting,
        check=check,
        form=form,
        Outcome=Outcome,
        notice=notice,
        to_save=check.count(Outcome.CREATE) + check.count(Outcome.CHANGE),
        refused=len(check.refused_lines()),
    )


@blueprint.route("/<key>", methods=["GET", "POST"])
@permission_required(Action.IMPORT_STAFF)
def preview(key: str) -> Response | tuple[str, int]:
    """What the waiting file would do (GET); confirming (POST) checks it again and saves exactly that."""
    waiting, check = _waiting(key)
    if request.method == "GET":
        return _preview(waiting, check), 200
    form = StaffConfirmForm()
    if not form.validate():
        abort(400)
    if form.fingerprint.data != check.fingerprint():
        db.session.rollback()
        return _preview(waiting, check, notice=CHANGED), 409
    valid_only = request.form.get("rows") == "valid"
    if check.refused and not valid_only:
        db.session.rollback()
        return _preview(
            waiting, check, form, notice="Some rows are refused: choose to import the valid rows."
        ), 400
    imported = import_staff(
        db.session,
        current_user,
        check,
        file_name=waiting.file_name,
        valid_only=valid_only,
        send_invites=bool(form.send_invites.data),
        lifetime=invitation_lifetime(),
    )
    queue_invitations(imported, current_user)
    db.session.commit()
    uploads.discard_upload(_folder(), key)
    if imported.invitations:
        kick_outbox()
    sent = len(imported.invitations)
    invited = f"; {count_of(sent, 'invitation')} sent" if sent else ""
    flash(f"Imported {waiting.file_name} into {check.district.name}: {check.summary()}{invited}.", "success")
    return redirect(url_for("users.index"))
