"""Keys made from titles: one rule for a rubric's key, its sections' keys and its items' keys.

A key is the title's words in lower-case ASCII (accents dropped: "Café" gives ``cafe``), with
any numbering in front left out ("2. Greeting" gives ``greeting``), joined by the key's
separator and cut after the last whole word that fits ``MAX_SUGGESTED``. A key already taken
gets the first free ``_2``, ``_3`` … after it. Rubric keys join words with ``-`` (their format,
``audits.rubrics.spec.RUBRIC_KEY``), section and item keys with ``_`` (``PART_KEY``).

The editor suggests the same key as the person types (``app/static/site.js`` follows this
rule exactly), and a key left blank is made from the title with it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection
from enum import StrEnum

# Suggested keys stay short enough to read in a URL, an export's column or a YAML file.
MAX_SUGGESTED = 40
_WORD = re.compile(r"[a-z0-9]+")


class KeySeparator(StrEnum):
    """What joins a key's words: hyphens in rubric keys, underscores in section and item keys."""

    RUBRIC = "-"
    PART = "_"


def suggest_key(title: str, separator: KeySeparator, taken: Collection[str] = ()) -> str:
    """The key for ``title``, not one of ``taken``; ``""`` when the title has no letter or digit to use."""
    text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii").lower()
    words = _WORD.findall(text)
    while words and words[0].isdigit():
        words.pop(0)  # numbering: "1. Greeting", "2) Courtesy"
    if words:
        words[0] = words[0].lstrip("0123456789")  # "2nd try": a key starts with a letter
    key = _join([word for word in words if word], separator, MAX_SUGGESTED)
    if not key or key not in taken:
        return key
    number = 2
    while True:
        suffix = f"{separator}{number}"
        candidate = _join(key.split(separator), separator, MAX_SUGGESTED - len(suffix)) + suffix
        if candidate not in taken:
            return candidate
        number += 1


def _join(words: list[str], separator: str, limit: int) -> str:
    """The words joined by ``separator``, as many whole words as fit ``limit`` (a first longer word cut)."""
    key = ""
    for word in words:
        longer = f"{key}{separator}{word}" if key else word
        if len(longer) > limit:
            return key or word[:limit]
        key = longer
    return key
