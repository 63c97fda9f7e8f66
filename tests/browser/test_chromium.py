"""The browser tests need Debian's Chromium: without it they fail and say what to install."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.conftest import CHROMIUM, chromium_executable


def test_missing_chromium_fails_with_what_to_install(tmp_path: Path) -> None:
    """A missing browser is a failure naming the package, never a skip or a download."""
    with pytest.raises(pytest.fail.Exception, match=r"missing: .*apt-get install chromium"):
        chromium_executable(tmp_path / "chromium")


def test_chromium_is_installed() -> None:
    """This machine has the browser the other tests drive."""
    assert chromium_executable() == CHROMIUM
