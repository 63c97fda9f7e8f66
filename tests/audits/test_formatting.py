"""One way to write a share as a percentage, on pages and in PDFs alike."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from audits.formatting import percent


@pytest.mark.parametrize(
    ("fraction", "digits", "shown"),
    [
        (0.75, 1, "75%"),
        (0.725, 1, "72.5%"),
        (1, 1, "100%"),
        (0, 1, "0%"),
        (0.12345, 1, "12.3%"),
        (11 / 12, 0, "92%"),
        (0.5, 0, "50%"),
    ],
)
def test_a_share_reads_as_a_percentage(fraction: float, digits: int, shown: str) -> None:
    assert percent(fraction, digits) == shown


def test_nothing_to_score_reads_as_a_dash() -> None:
    assert percent(None) == "—"


@given(st.floats(min_value=0, max_value=1))
def test_whole_percentages_round_as_the_pages_always_did(fraction: float) -> None:
    assert percent(fraction, 0) == f"{fraction * 100:.0f}%"
