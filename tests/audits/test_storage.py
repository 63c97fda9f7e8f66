"""Files are written whole or not at all; a full disk says so and leaves nothing behind."""

from __future__ import annotations

import errno
from pathlib import Path
from typing import BinaryIO

import pytest

from audits import storage
from audits.errors import StorageFullError
from audits.storage import STORAGE_FULL, is_storage_full, write_file


def fill_half_then_run_out(handle: BinaryIO, content: object) -> None:
    """A disk that takes a few bytes, then is full."""
    handle.write(b"%PDF-half")
    raise OSError(errno.ENOSPC, "No space left on device")


def test_a_file_appears_whole_under_its_name_with_no_temporary_left(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "folder" / "card.pdf"
    assert write_file(target, b"%PDF-1.7 whole") == target
    assert target.read_bytes() == b"%PDF-1.7 whole"
    write_file(target, lambda handle: handle.write(b"streamed"))
    assert target.read_bytes() == b"streamed"
    assert sorted(path.name for path in target.parent.iterdir()) == ["card.pdf"]


def test_a_full_disk_keeps_the_old_file_and_removes_the_partial_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "card.pdf"
    target.write_bytes(b"before")
    monkeypatch.setattr(storage, "fill", fill_half_then_run_out)
    with pytest.raises(StorageFullError) as raised:
        write_file(target, b"after", field="file")
    assert raised.value.problems == [("file", STORAGE_FULL)]
    assert STORAGE_FULL == "Storage is full: the file was not saved; tell your administrator"
    assert target.read_bytes() == b"before"
    assert [path.name for path in tmp_path.iterdir()] == ["card.pdf"]
    assert is_storage_full(raised.value) and is_storage_full(OSError(errno.EDQUOT, "quota"))


def test_other_write_errors_propagate_and_clean_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(handle: BinaryIO, content: object) -> None:
        handle.write(b"x")
        raise OSError(errno.EIO, "I/O error")

    monkeypatch.setattr(storage, "fill", broken)
    with pytest.raises(OSError, match="I/O error"):
        write_file(tmp_path / "x.bin", b"data")
    assert list(tmp_path.iterdir()) == []
