"""A staff file kept between its preview and its confirmation.

The people page shows what a staff file would do before anything is saved; the file waits in
a folder (``STORAGE_DIR/staff-imports``) under a random name (``secrets.token_urlsafe(32)``,
``<key>.upload``) beside a note (``<key>.json``) of who uploaded it, for which district, its
name and its SHA-256. Only its uploader can open it again, for ``MAX_AGE``; confirming removes
it, each person has one waiting file at most (a new upload replaces theirs), and every upload
sweeps away stale ones. Keeping the file spares people choosing it twice (a file of hundreds
of rows does not fit in a session cookie), and the digest makes sure the bytes confirmed are
the bytes previewed. Files are written whole (``write_file``) and readable by the app only.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from audits.storage import write_file
from audits.timeutil import utcnow

FOLDER = "staff-imports"
MAX_AGE = timedelta(hours=2)
_KEY = re.compile(r"^[A-Za-z0-9_-]{43}$")


@dataclass(frozen=True)
class WaitingUpload:
    """An uploaded file waiting to be confirmed, and what its note says about it."""

    key: str
    owner_id: int
    district_id: int
    file_name: str
    created_at: datetime
    data: bytes


def _paths(folder: Path, key: str) -> tuple[Path, Path]:
    return folder / f"{key}.upload", folder / f"{key}.json"


def keep_upload(
    folder: Path, data: bytes, *, owner_id: int, district_id: int, file_name: str, now: datetime | None = None
) -> str:
    """Keep ``data`` for its uploader and district; return the key that opens it again.

    Removes the uploader's earlier waiting file and every stale one first.
    """
    now = now or utcnow()
    sweep(folder, now, owner_id=owner_id)
    key = secrets.token_urlsafe(32)
    upload, note = _paths(folder, key)
    write_file(upload, data, mode=0o600)
    content = {
        "owner_id": owner_id,
        "district_id": district_id,
        "file_name": file_name[:200],
        "created_at": now.isoformat(),
        "sha256": hashlib.sha256(data).hexdigest(),
    }
    write_file(note, json.dumps(content).encode(), mode=0o600)
    return key


def open_upload(folder: Path, key: str, owner_id: int, now: datetime | None = None) -> WaitingUpload | None:
    """The file kept under ``key`` if ``owner_id`` uploaded it, it is not stale and its bytes are
    intact; ``None`` otherwise (whoever asks cannot tell which)."""
    if not _KEY.match(key):
        return None
    upload, note = _paths(folder, key)
    try:
        content = json.loads(note.read_text())
        data = upload.read_bytes()
        created_at = datetime.fromisoformat(content["created_at"])
        waiting = WaitingUpload(
            key,
            int(content["owner_id"]),
            int(content["district_id"]),
            str(content["file_name"]),
            created_at,
            data,
        )
        digest = str(content["sha256"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if waiting.owner_id != owner_id or (now or utcnow()) - created_at > MAX_AGE:
        return None
    if hashlib.sha256(data).hexdigest() != digest:
        return None
    return waiting


def discard_upload(folder: Path, key: str) -> None:
    """Remove the file kept under ``key`` and its note (nothing happens when they are gone)."""
    if _KEY.match(key):
        for path in _paths(folder, key):
            path.unlink(missing_ok=True)


def sweep(folder: Path, now: datetime | None = None, owner_id: int | None = None) -> int:
    """Remove every stale waiting file (and those of ``owner_id``); return how many went."""
    now = now or utcnow()
    if not folder.is_dir():
        return 0
    removed = 0
    for note in folder.glob("*.json"):
        try:
            content = json.loads(note.read_text())
            stale = now - datetime.fromisoformat(content["created_at"]) > MAX_AGE
            mine = owner_id is not None and content.get("owner_id") == owner_id
        except (OSError, ValueError, KeyError, TypeError):
            stale, mine = True, False
        if stale or mine:
            discard_upload(folder, note.stem)
            removed += 1
    return removed
