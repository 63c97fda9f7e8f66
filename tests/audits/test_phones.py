"""Phone numbers are stored in E.164 form; directory missing-markers mean "no phone"."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from audits.errors import ValidationError
from audits.phones import normalise_phone

# Real area codes, from several states and both ends of the country.
AREA_CODES = [
    "201",
    "212",
    "305",
    "312",
    "406",
    "415",
    "503",
    "512",
    "602",
    "617",
    "713",
    "808",
    "904",
    "907",
]

FORMATS = [
    "({area}){exchange}-{line}",
    "({area}) {exchange}-{line}",
    "{area}-{exchange}-{line}",
    "{area}.{exchange}.{line}",
    "{area}{exchange}{line}",
    "1-{area}-{exchange}-{line}",
    "+1 {area} {exchange} {line}",
    "  {area} {exchange} {line}  ",
]

us_numbers = st.tuples(
    st.sampled_from(AREA_CODES),
    st.integers(200, 999).map(str),
    st.integers(0, 9999).map(lambda n: f"{n:04d}"),
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("(904)220-1260", "+19042201260"),
        ("5124142004", "+15124142004"),
        ("(904) 220-1260", "+19042201260"),
        ("+1 904 220 1260", "+19042201260"),
        ("904.220.1260 ext. 12", "+19042201260"),
        ("+44 20 7946 0958", "+442079460958"),
    ],
)
def test_valid_numbers_become_e164(raw: str, expected: str) -> None:
    assert normalise_phone(raw) == expected


def test_region_applies_to_numbers_without_country_code() -> None:
    assert normalise_phone("020 7946 0958", region="GB") == "+442079460958"


@pytest.mark.parametrize("raw", ["", "   ", "\u2020", "\u2013", "-", "N", "M", None])
def test_missing_markers_mean_no_phone(raw: str | None) -> None:
    assert normalise_phone(raw) is None


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("555-1234", "'555-1234' has no area code"),
        ("12", "'12' has too few digits"),
        ("123-456-7890", "'123-456-7890' is not a valid phone number (no such area code or exchange)"),
        ("call the office", "'call the office' is not a phone number (no digits where a number should be)"),
        ("+999 1234567", "'+999 1234567' is not a phone number (unknown country code)"),
    ],
)
def test_impossible_numbers_are_refused_with_a_reason(raw: str, reason: str) -> None:
    with pytest.raises(ValidationError) as caught:
        normalise_phone(raw)
    assert caught.value.problems == [("phone", reason)]


def test_a_very_long_value_is_shortened_in_the_message() -> None:
    with pytest.raises(ValidationError) as caught:
        normalise_phone("9" * 300)
    assert caught.value.field == "phone"
    assert len(caught.value.reason) < 100


@given(us_numbers, st.sampled_from(FORMATS))
def test_any_valid_us_number_round_trips_whatever_its_format(
    number: tuple[str, str, str], template: str
) -> None:
    area, exchange, line = number
    raw = template.format(area=area, exchange=exchange, line=line)
    assert normalise_phone(raw) == f"+1{area}{exchange}{line}"


@given(us_numbers)
def test_normalising_is_idempotent(number: tuple[str, str, str]) -> None:
    e164 = normalise_phone("".join(number))
    assert e164 is not None
    assert normalise_phone(e164) == e164


@given(st.text(max_size=40))
def test_any_text_gives_none_e164_or_a_phone_validation_error(raw: str) -> None:
    outcome: str | ValidationError | None
    try:
        outcome = normalise_phone(raw)
    except ValidationError as error:
        outcome = error
    if isinstance(outcome, ValidationError):
        assert outcome.field == "phone"
    else:
        assert outcome is None or (outcome.startswith("+") and outcome[1:].isdigit())
