"""Writing files whole or not at all: a temporary name beside the target, renamed once complete.

Every stored file goes through ``write_file`` (evidence uploads, scorecard PDFs,
the district summary, exports, batch progress, call recordings): the bytes go to
``.<name>.<random>.tmp`` in the target's folder, are flushed to disk, and only
then take the target's name, so a reader never sees half a file and a full disk
leaves nothing behind. A failed write removes its temporary file; a full disk
(``ENOSPC``, or a quota: ``EDQUOT``) is reported as ``StorageFullError``, with the
message people see; any other ``OSError`` propagates unchanged.
"""

from __future__ import annotations

import errno
import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from audits.errors import StorageFullError

STORAGE_FULL = "Storage is full: the file was not saved; tell your administrator"
# errno values that mean "no room left": the disk, or the user's quota.
FULL = {errno.ENOSPC, errno.EDQUOT}
TEMPORARY_SUFFIX = ".tmp"

# Fills an open binary file; ``write_file`` takes bytes or one of these (to stream a large file).
Writer = Callable[[BinaryIO], object]


def is_storage_full(error: BaseException) -> bool:
    """Whether ``error`` (or what caused it) says the disk or the quota is full."""
    while error is not None:
        if isinstance(error, StorageFullError):
            return True
        if isinstance(error, OSError) and error.errno in FULL:
            return True
        error = error.__cause__ or error.__context__  # type: ignore[assignment]
    return False


def temporary_name(target: Path) -> Path:
    """A fresh temporary name beside ``target`` (hidden, so listings and orphan checks know it)."""
    return target.with_name(f".{target.name}.{secrets.token_hex(4)}{TEMPORARY_SUFFIX}")


def fill(handle: BinaryIO, content: bytes | Writer) -> None:
    """Put ``content`` into ``handle``: the one place stored bytes are written (tests make it fail here)."""
    if isinstance(content, bytes | bytearray | memoryview):
        handle.write(content)
    else:
        content(handle)


def write_file(target: Path, content: bytes | Writer, field: str | None = "file", mode: int = 0o644) -> Path:
    """Store ``content`` at ``target`` whole or not at all; return ``target``.

    The file is created with permissions ``mode`` (less the umask). Raises
    ``StorageFullError`` (on ``field``) when the disk is full; the temporary
    file is removed whatever went wrong, and ``target`` keeps what it held before.
    """
    target = Path(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = temporary_name(target)
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        with os.fdopen(descriptor, "wb") as handle:
            try:
                fill(handle, content)
                handle.flush()
                os.fsync(handle.fileno())
            except BaseException:
                handle.close()
                temporary.unlink(missing_ok=True)
                raise
        try:
            os.replace(temporary, target)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
    except OSError as error:
        if error.errno in FULL:
            raise StorageFullError(field, STORAGE_FULL) from error
        raise
    return target
