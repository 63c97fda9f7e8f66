"""Closing an action with its evidence: a text, a file or a photo, or both.

Files go through the fieldwork's evidence checks (``audits.fieldwork.evidence``): the type is told
from the content, photos are re-encoded without their metadata, HTML and programs are refused;
they are stored under a random name in the folder the caller names (``EVIDENCE_DIR/plans``) and
served by a random token. A district may require evidence before an action is closed
(``District.plan_evidence_required``). Closing the plan's last open action closes the plan.
Everything flushes; the caller commits.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from audits.errors import ConflictError, ValidationError
from audits.fieldwork.evidence import sniff, strip_image_metadata
from audits.models import EvidenceKind, PlanAction, PlanEventKind, PlanEvidence, User
from audits.plans.actions import summary
from audits.plans.workflow import CLOSABLE, record, take_step
from audits.storage import write_file
from audits.timeutil import utcnow

MAX_EVIDENCE_TEXT = 4000
FOLDER = "plans"  # under EVIDENCE_DIR


@dataclass(frozen=True)
class Upload:
    """A file picked to show an action was done: its bytes and the name it had."""

    data: bytes
    filename: str


@dataclass(frozen=True)
class ActionClosing:
    """What the principal gives to close an action: what was done, and a file or photo."""

    text: str = ""
    upload: Upload | None = None


def plan_evidence_folder(evidence_dir: Path) -> Path:
    """Where action plans' evidence files live, inside the evidence folder."""
    return evidence_dir / FOLDER


def store_plan_evidence(
    action: PlanAction, upload: Upload, user: User, folder: Path, max_bytes: int
) -> PlanEvidence:
    """Check, clean and store a file for ``action`` (refused files raise on ``file``, nothing stored)."""
    if len(upload.data) > max_bytes:
        raise ValidationError("file", f"the file is larger than the {max_bytes // (1024 * 1024)} MB limit")
    sniffed = sniff(upload.data)
    data = upload.data
    if sniffed.kind is EvidenceKind.IMAGE:
        data = strip_image_metadata(data, sniffed.content_type)
    storage_name = secrets.token_hex(16)
    write_file(folder / storage_name, data)  # a full disk: StorageFullError on "file", nothing stored
    evidence = PlanEvidence(
        token=secrets.token_urlsafe(24),
        kind=sniffed.kind,
        original_name=Path(upload.filename or "upload").name[:255],
        content_type=sniffed.content_type,
        size=len(data),
        storage_name=storage_name,
        uploaded_by_id=user.id,
    )
    action.files.append(evidence)
    return evidence


def close_action(
    session: Session,
    action: PlanAction,
    closing: ActionClosing,
    actor: User,
    folder: Path,
    max_bytes: int,
    now: datetime | None = None,
) -> PlanAction:
    """Close an action of an approved plan with its evidence; the last one closes the plan."""
    plan = action.plan
    if plan.status not in CLOSABLE:
        raise ConflictError(
            "status", f"the plan is {plan.status.label.lower()}; actions are closed once it is approved"
        )
    if action.closed:
        raise ConflictError("status", "this action is already closed")
    text = closing.text.strip()
    if len(text) > MAX_EVIDENCE_TEXT:
        raise ValidationError(
            "evidence_text", f"keep it to {MAX_EVIDENCE_TEXT:,} characters (it has {len(text):,})"
        )
    if plan.school.district.plan_evidence_required and not text and closing.upload is None:
        raise ValidationError(
            "evidence_text",
            "your district asks for evidence before an action is closed: say what was done, "
            "or attach a file or a photo",
        )
    now = now or utcnow()
    stored = None
    if closing.upload is not None:
        stored = store_plan_evidence(action, closing.upload, actor, folder, max_bytes)
    action.evidence_text = text
    action.closed_at = now
    action.closed_by_id = actor.id
    detail = summary(action)
    if stored is not None:
        detail += f"\nEvidence: {stored.original_name}"
    record(plan, PlanEventKind.ACTION_CLOSED, actor, now, detail=detail, action=action)
    if all(other.closed for other in plan.actions):
        take_step(plan, PlanEventKind.CLOSED, actor, now=now)
    session.flush()
    return action


def evidence_path(evidence: PlanEvidence, folder: Path) -> Path:
    """Where a plan evidence file is stored."""
    return folder / evidence.storage_name
