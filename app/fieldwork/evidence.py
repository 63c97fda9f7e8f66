"""Evidence files: the auditor uploads and removes them; everyone who may see the contact opens them.

Files are served through a permission check only, never from a static folder:
with the type decided from their content when stored, ``nosniff``, a safe file
name, and only photos shown inline (everything else downloads).
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, flash, redirect, send_file, url_for
from flask_login import current_user, login_required
from werkzeug.utils import secure_filename
from werkzeug.wrappers import Response

from app.errors import domain_json, status_for, wants_json
from app.extensions import db
from app.fieldwork.display import helpers
from app.fieldwork.forms import EvidenceForm
from app.fieldwork.pages import (
    contact_or_404,
    evidence_folder,
    evidence_or_404,
    form_page,
    max_evidence_bytes,
    timezone_of,
)
from app.permissions import require
from audits.access import Action
from audits.errors import DomainError
from audits.fieldwork.drafts import form_values
from audits.fieldwork.evidence import attach_evidence, evidence_path, remove_evidence
from audits.models import Channel, Evidence, EvidenceKind

blueprint = Blueprint("evidence", __name__)
blueprint.context_processor(helpers)

EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "audio/mpeg": "mp3",
    "audio/mp4": "m4a",
    "audio/x-wav": "wav",
    "audio/wav": "wav",
    "audio/ogg": "ogg",
    "message/rfc822": "eml",
    "text/plain": "txt",
}


def download_name(evidence: Evidence) -> str:
    """A file name safe in any header and file system, its extension matching the real content."""
    stem = secure_filename(Path(evidence.original_name).stem) or f"evidence-{evidence.id}"
    return f"{stem[:80]}.{EXTENSIONS.get(evidence.content_type, 'bin')}"


@blueprint.route("/contacts/<int:contact_id>/evidence", methods=["POST"])
@login_required
def upload(contact_id: int) -> Response | tuple[str, int]:
    """Attach a file to the contact; a refused file is explained next to the upload field.

    A full disk answers 507 with "Storage is full…" next to the field (in the one
    JSON error shape when the request asks for JSON); nothing is stored.
    """
    contact = contact_or_404(contact_id)
    require(Action.RECORD_CONTACTS, contact)
    form = EvidenceForm()
    upload = form.file.data
    problems: list[tuple[str | None, str]]
    status = 400
    if upload is None or not getattr(upload, "filename", ""):
        problems = [("file", "Choose a file to upload: a photo, a recording or an email (.eml).")]
    else:
        limit = max_evidence_bytes()
        try:
            evidence = attach_evidence(
                db.session,
                contact,
                upload.stream.read(limit + 1),
                upload.filename,
                form.label.data or "",
                current_user,
                evidence_folder(),
                limit,
            )
        except DomainError as error:
            db.session.rollback()
            problems, status = error.problems, status_for(error)
            if wants_json():
                return domain_json(error)
        else:
            db.session.commit()
            message = f"Attached {evidence.original_name}."
            if evidence.kind is EvidenceKind.EMAIL and contact.assignment.channel is Channel.EMAIL:
                message += " The reply's time and text are filled in from it: check them below."
            flash(message, "success")
            return redirect(
                url_for("fieldwork.contact_form", assignment_id=contact.assignment_id, _anchor="evidence")
            )
    form.file.errors = [reason for name, reason in problems if name == "file"]
    others = [(name, reason) for name, reason in problems if name != "file"]
    if others:
        form.form_errors.extend(reason for _, reason in others)
    return form_page(contact, form_values(contact, timezone_of(contact)), status=status, upload_form=form)


@blueprint.route("/evidence/<token>")
@login_required
def serve(token: str) -> Response:
    """Send an evidence file to someone who may see its contact."""
    evidence = evidence_or_404(token)
    require(Action.VIEW_CONTACT, evidence)
    return send_evidence(
        evidence_path(evidence, evidence_folder()),
        evidence.content_type,
        inline=evidence.kind is EvidenceKind.IMAGE,
        name=download_name(evidence),
    )


def send_evidence(path: Path, content_type: str, *, inline: bool, name: str) -> Response:
    """Send a stored evidence file (a contact's or a plan's) as untrusted content.

    Only photos open in the page; anything else downloads. The type is the one sniffed when the
    file was stored, never re-guessed (``nosniff``), and a sandboxing policy stops it running.
    """
    if not path.is_file():
        return Response("The file is missing from storage.", status=404, mimetype="text/plain")
    response = send_file(
        path, mimetype=content_type, as_attachment=not inline, download_name=name, conditional=True
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, max-age=600"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox; frame-ancestors 'none'"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@blueprint.route("/evidence/<token>/delete", methods=["POST"])
@login_required
def delete(token: str) -> Response:
    """Remove a file from a contact its auditor can still change."""
    evidence = evidence_or_404(token)
    require(Action.RECORD_CONTACTS, evidence)
    contact = evidence.contact
    name = evidence.original_name
    try:
        remove_evidence(db.session, evidence, current_user, evidence_folder())
    except DomainError as error:
        db.session.rollback()
        flash(f"{name} was not removed: {error.reason}.", "error")
    else:
        db.session.commit()
        flash(f"Removed {name}.", "success")
    return redirect(
        url_for("fieldwork.contact_form", assignment_id=contact.assignment_id, _anchor="evidence")
    )
