"""Staff files waiting between preview and confirmation: their uploader's alone, intact, not for long."""

from __future__ import annotations

import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

from audits.importers.uploads import MAX_AGE, discard_upload, keep_upload, open_upload, sweep

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DATA = b"email,name,role\nrae@example.org,Rae,reviewer\n"


def keep(folder: Path, owner: int = 7, now: datetime = NOW) -> str:
    return keep_upload(folder, DATA, owner_id=owner, district_id=3, file_name="../staff.csv", now=now)


def test_only_the_uploader_opens_it_and_only_while_it_is_fresh(tmp_path: Path) -> None:
    key = keep(tmp_path)
    waiting = open_upload(tmp_path, key, 7, now=NOW + timedelta(minutes=5))
    assert waiting is not None and waiting.data == DATA and waiting.district_id == 3
    assert stat.S_IMODE((tmp_path / f"{key}.upload").stat().st_mode) & 0o077 == 0
    assert open_upload(tmp_path, key, 8, now=NOW) is None
    assert open_upload(tmp_path, key, 7, now=NOW + MAX_AGE + timedelta(seconds=1)) is None
    assert open_upload(tmp_path, "../" + key[3:], 7, now=NOW) is None
    assert open_upload(tmp_path, "x" * 43, 7, now=NOW) is None


def test_changed_bytes_are_not_opened(tmp_path: Path) -> None:
    key = keep(tmp_path)
    (tmp_path / f"{key}.upload").write_bytes(DATA + b"boss@example.org,Boss,leader\n")
    assert open_upload(tmp_path, key, 7, now=NOW) is None


def test_a_new_upload_replaces_the_uploaders_earlier_one_and_stale_ones_are_swept(tmp_path: Path) -> None:
    first = keep(tmp_path)
    other = keep(tmp_path, owner=8)
    old = keep(tmp_path, owner=9, now=NOW - MAX_AGE - timedelta(minutes=1))
    second = keep(tmp_path)
    assert open_upload(tmp_path, first, 7, now=NOW) is None
    assert open_upload(tmp_path, second, 7, now=NOW) is not None
    assert open_upload(tmp_path, other, 8, now=NOW) is not None
    assert not (tmp_path / f"{old}.upload").exists()
    discard_upload(tmp_path, second)
    assert sorted(path.name for path in tmp_path.iterdir()) == [f"{other}.json", f"{other}.upload"]
    assert sweep(tmp_path, now=NOW + MAX_AGE + timedelta(minutes=1)) == 1
    assert list(tmp_path.iterdir()) == []
