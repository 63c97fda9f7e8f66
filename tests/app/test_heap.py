"""The serving process leaves its start-up objects out of garbage collection, and still collects the rest."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import weakref
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.heap import freeze_startup_objects

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def thawed() -> Iterator[None]:
    """Undo the freeze after the test, so the rest of the suite collects as usual."""
    yield
    gc.unfreeze()


class Node:
    """A tiny object that can sit in a reference cycle."""

    def __init__(self) -> None:
        self.other: Node | None = None


def test_freeze_leaves_startup_objects_out_and_still_collects_new_garbage(thawed: None) -> None:
    kept = {"a startup object": [1, 2, 3]}
    frozen = freeze_startup_objects()
    assert frozen == gc.get_freeze_count() > 0
    assert not any(obj is kept for obj in gc.get_objects())  # frozen objects are no longer tracked
    first, second = Node(), Node()
    first.other, second.other = second, first  # a cycle only the collector can free
    watcher = weakref.ref(first)
    del first, second
    gc.collect()
    assert watcher() is None


@pytest.mark.parametrize("entry", ["wsgi", "worker"])
def test_the_entry_points_freeze_after_building_the_app(entry: str, tmp_path: Path) -> None:
    """gunicorn (``wsgi``) and Celery (``worker``) processes start with the app's objects frozen."""
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'entry.db'}",
        "TOUCHPOINT_ENV": "development",
    }
    script = f"import gc, {entry}; print(gc.get_freeze_count())"
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert int(result.stdout.split()[-1]) > 10_000
