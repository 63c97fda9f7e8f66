"""Phone numbers, stored in E.164 form (``+19042201260``) so auditors and Twilio can dial them."""

from __future__ import annotations

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, ValidationResult

from audits.errors import ValidationError

# Values NCES and CCD files use for "no value": empty, dagger, en or em dash, hyphen,
# N (not applicable) and M (missing).
MISSING_MARKERS = frozenset({"", "\u2020", "\u2013", "\u2014", "-", "N", "M"})

_LENGTH_REASONS = {
    ValidationResult.IS_POSSIBLE_LOCAL_ONLY: "has no area code",
    ValidationResult.TOO_SHORT: "has too few digits",
    ValidationResult.TOO_LONG: "has too many digits",
    ValidationResult.INVALID_LENGTH: "has the wrong number of digits",
    ValidationResult.INVALID_COUNTRY_CODE: "has an unknown country code",
}


def is_missing(raw: str | None) -> bool:
    """Whether ``raw`` is blank or one of the markers directory files use for a missing value."""
    return raw is None or raw.strip().upper() in MISSING_MARKERS


def normalise_phone(raw: str | None, region: str = "US") -> str | None:
    """Return ``raw`` as an E.164 number, or ``None`` when it is blank or marked missing.

    ``region`` is the country assumed for numbers written without a ``+`` country
    code. An extension (``ext. 12``) is dropped, as E.164 has none. Raises
    :class:`~audits.errors.ValidationError` on the ``phone`` field when ``raw`` is
    not a valid phone number.
    """
    if raw is None or is_missing(raw):
        return None
    text = raw.strip()
    try:
        number = phonenumbers.parse(text, region)
    except NumberParseException as error:
        raise ValidationError(
            "phone", f"{_shorten(text)!r} is not a phone number ({_parse_reason(error)})"
        ) from None
    length = phonenumbers.is_possible_number_with_reason(number)
    if length in _LENGTH_REASONS:
        raise ValidationError("phone", f"{_shorten(text)!r} {_LENGTH_REASONS[length]}")
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(
            "phone", f"{_shorten(text)!r} is not a valid phone number (no such area code or exchange)"
        )
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def format_phone(e164: str | None) -> str:
    """Show a US E.164 number as ``(904) 220-1260``; others as stored."""
    if not e164:
        return ""
    if e164.startswith("+1") and len(e164) == 12:
        return f"({e164[2:5]}) {e164[5:8]}-{e164[8:]}"
    return e164


def _parse_reason(error: NumberParseException) -> str:
    """Explain in a few words why ``phonenumbers`` could not parse a value."""
    return {
        NumberParseException.INVALID_COUNTRY_CODE: "unknown country code",
        NumberParseException.TOO_SHORT_NSN: "too few digits",
        NumberParseException.TOO_SHORT_AFTER_IDD: "too few digits",
        NumberParseException.TOO_LONG: "too long",
    }.get(error.error_type, "no digits where a number should be")


def _shorten(text: str, limit: int = 40) -> str:
    """Cut ``text`` to ``limit`` characters so error messages stay readable."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
