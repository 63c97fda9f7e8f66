"""Uploaded school files waiting for their preview to be confirmed.

A file is previewed first and saved only when the person confirms; between the two
requests its bytes wait under ``STORAGE_DIR/pending-imports``, named by the person's id
and a random token, so nobody else can confirm (or read) it. Confirming removes it;
files older than a day are removed whenever another one is stashed.
"""

from __future__ import annotations

import re
import secrets
import time
from pathlib import Path

from flask import current_app

from audits.models import User
from audits.storage import write_file

FOLDER = "pending-imports"
MAX_AGE_SECONDS = 86_400
_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,40}")


def _folder() -> Path:
    return Path(current_app.config["STORAGE_DIR"]) / FOLDER


def _path(user: User, token: str) -> Path | None:
    if not _TOKEN.fullmatch(token or ""):
        return None
    return _folder() / f"{user.id}-{token}"


def stash(user: User, data: bytes) -> str:
    """Keep ``data`` for ``user`` until confirmed; return its token."""
    folder = _folder()
    folder.mkdir(parents=True, exist_ok=True)
    cutoff = time.time() - MAX_AGE_SECONDS
    for old in folder.iterdir():
        if old.is_file() and old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)
    token = secrets.token_urlsafe(18)
    write_file(folder / f"{user.id}-{token}", data, mode=0o600)
    return token


def load(user: User, token: str) -> bytes | None:
    """The bytes ``user`` stashed under ``token``, or ``None`` when gone (confirmed, too old, not theirs)."""
    path = _path(user, token)
    if path is None or not path.is_file():
        return None
    return path.read_bytes()


def discard(user: User, token: str) -> None:
    """Forget a stashed file."""
    path = _path(user, token)
    if path is not None:
        path.unlink(missing_ok=True)


def clean_file_name(name: str | None) -> str:
    """An uploaded file's own name, without folders, at most 255 characters."""
    return Path(name or "").name[:255]
