"""Each module here gets one hostile app and world (``start_hostile``), a fresh client per test.

A module changes the app's settings with ``HOSTILE_SETTINGS`` (a dict of config values),
or overrides ``hostile`` or ``client`` itself when it needs more.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient

from tests.app.hostile_world import Hostile, HostileWorld, fresh, start_hostile


@pytest.fixture(scope="module")
def hostile(
    database_template: str, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[Hostile]:
    """The module's app and hostile world, built once and emptied afterwards."""
    folder = tmp_path_factory.mktemp(request.module.__name__.rsplit(".", 1)[-1])
    yield from start_hostile(database_template, folder, **getattr(request.module, "HOSTILE_SETTINGS", {}))


@pytest.fixture
def client(hostile: Hostile) -> Iterator[FlaskClient]:
    """A signed-out client on a world restored to its baseline."""
    yield from fresh(hostile)


@pytest.fixture
def world(hostile: Hostile) -> HostileWorld:
    """The ids and values of the hostile world."""
    return hostile.world
