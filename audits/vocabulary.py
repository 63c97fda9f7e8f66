"""The words for channels and languages, and a noun or verb that agrees with a count, in one place:
pages, PDFs, calendar feeds, emails and commands use these.

A channel has one label ("Phone call", "Email", "Front-office visit"), a short
form for the heads of tables with a column per channel ("Phone", "Email",
"Visit") and a noun to count with ("2 phone calls"). A language is an ISO 639
code; its English name comes from the Unicode CLDR through Babel, so any code a
district or an auditor has reads as a name ("vi" is "Vietnamese"). Forms offer
``OFFERED_LANGUAGES``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache

from babel import Locale

from audits.models import Channel

# Keyed by the channel (a ``StrEnum``), so its plain value finds the same entry.
CHANNEL_LABELS: dict[str, str] = {
    Channel.PHONE: "Phone call",
    Channel.EMAIL: "Email",
    Channel.VISIT: "Front-office visit",
}
# Where a column per channel leaves no room for the label.
CHANNEL_SHORT_LABELS: dict[str, str] = {
    Channel.PHONE: "Phone",
    Channel.EMAIL: "Email",
    Channel.VISIT: "Visit",
}
# The label as a noun in a sentence: singular and plural.
CHANNEL_NOUNS: dict[str, tuple[str, str]] = {
    Channel.PHONE: ("phone call", "phone calls"),
    Channel.EMAIL: ("email", "emails"),
    Channel.VISIT: ("front-office visit", "front-office visits"),
}

# The group of rubric sections that rubrics of several channels share ("The answer").
SHARED_SECTIONS = "Every channel"

# The languages a scenario or an auditor can be given, in the order forms list them.
OFFERED_LANGUAGE_CODES = ("en", "es", "vi", "zh", "ar", "ht", "pt", "ru", "ko", "so", "tl", "fr")


def channel_label(channel: str) -> str:
    """``Phone call``, ``Email``, ``Front-office visit``; an unknown value as it is."""
    return CHANNEL_LABELS.get(channel, str(channel))


def plural(count: float, singular: str, plural_form: str | None = None) -> str:
    """The word that goes with ``count``: ``singular`` for exactly one, else ``plural_form``.

    Without a plural form, the usual English one: ``school`` → ``schools``, ``reply`` →
    ``replies``, ``box`` → ``boxes``. Verbs agree the same way: ``plural(n, "has", "have")``.
    """
    if count == 1:
        return singular
    if plural_form is not None:
        return plural_form
    if singular.endswith(("s", "x", "z", "ch", "sh")):
        return singular + "es"
    if singular.endswith("y") and singular[-2:-1] not in ("a", "e", "i", "o", "u", ""):
        return singular[:-1] + "ies"
    return singular + "s"


def count_of(count: int, singular: str, plural_form: str | None = None) -> str:
    """A number with its noun: ``1 school``, ``0 schools``, ``3 replies``; ``plural`` chooses the word."""
    return f"{count} {plural(count, singular, plural_form)}"


def channel_noun(channel: str, count: int = 1) -> str:
    """The channel counted in a sentence: ``phone call``, ``2 front-office visits`` (no number for one)."""
    singular, plural_form = CHANNEL_NOUNS.get(channel, (str(channel), str(channel)))
    return plural(count, singular, plural_form)


def channel_count(channel: str, count: int) -> str:
    """``1 phone call``, ``3 emails``, ``0 front-office visits``."""
    return f"{count} {channel_noun(channel, count)}"


@cache
def _english_language_names() -> Mapping[str, str]:
    return Locale("en").languages


def language_name(code: str) -> str:
    """The English name of an ISO 639 language code (``vi``: ``Vietnamese``); an unknown code as it is."""
    names = _english_language_names()
    return names.get(code) or names.get(code.strip().lower()) or code


def is_known_language(code: str) -> bool:
    """Whether ``code`` is an ISO 639 language code the Unicode CLDR has a name for (``en``, ``vi``)."""
    text = code.strip().lower()
    return 2 <= len(text) <= 3 and text.isalpha() and text in _english_language_names()


def language_names(codes: Iterable[str]) -> str:
    """Language codes as a list of names: ``English, Spanish``."""
    return ", ".join(language_name(code) for code in codes)


# What forms offer: code → English name.
OFFERED_LANGUAGES: dict[str, str] = {code: language_name(code) for code in OFFERED_LANGUAGE_CODES}
