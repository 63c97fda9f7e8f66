"""Round exports as downloads: item-level or school-level, CSV or XLSX, streamed as they are written."""

from __future__ import annotations

from flask import Blueprint, Response, abort, request, stream_with_context
from flask_login import login_required

from app.extensions import db
from app.permissions import require
from audits.access import Action
from audits.models import Round
from reports.exports import FORMATS, LEVELS, MEDIA_TYPES, export_filename, round_table

blueprint = Blueprint("exports", __name__, url_prefix="/rounds")


@blueprint.route("/<int:round_id>/export.<any(csv, xlsx):extension>")
@login_required
def round_export(round_id: int, extension: str) -> Response:
    """Download a round's results: ``?level=items`` (one row per answer, the default) or ``schools``."""
    round_ = db.get_or_404(Round, round_id)
    require(Action.EXPORT_RESULTS, round_)
    level = request.args.get("level", "items")
    if level not in LEVELS:
        abort(400, description="Choose level=items or level=schools.")
    table = round_table(db.session, round_, level)
    response = Response(stream_with_context(FORMATS[extension](table)), content_type=MEDIA_TYPES[extension])
    filename = export_filename(round_, level, extension)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response
