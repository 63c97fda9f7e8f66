"""What families heard: choosing three to six auditor comments for a scorecard, with no names in them.

Auditors are trained to describe staff, never to name them (the rubric's
"what families heard" guidance says so), and a reviewer reads every comment
before it counts. As a second line of defence this module removes what it can
recognise: every email address (an auditor's own, a persona's, a staff member's),
every phone number (a callback number can be the auditor's own phone), a
title followed by a name ("Ms. Rivera", "Dr. O'Neil", "la maestra Ruiz", "Sra. Díaz"), the school's
principal's name,
and the auditor's own name (as written, capitalised: "the principal" stays when the
principal is called Pat Principal). It cannot recognise every name, so
the choice favours the free-text impressions written for the principal.

Choice: comments are sorted into strengths (the item or contact scored well)
and problems (it scored badly; a free-text impression of a contact that failed a
critical item is a problem whatever its score); up to three of each are taken,
worst problems and best strengths first, one per contact where possible,
duplicates dropped, so the page shows both sides whenever both exist. A school
below the district median, or with a critical failure, gets no more strengths
than problems (so never a strength alone), its problems printed first and those
of its critical-failure contacts before the others. Each quote keeps the channel,
day and appendix number of its own contact.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

MAX_LENGTH = 320
PER_SIDE = 3
MINIMUM = 3
STAFF = "[staff member]"
AUDITOR = "[auditor]"
EMAIL = "[email address]"
PHONE = "[phone number]"
# An email address: whoever it belongs to, it names a person (or the auditor's persona).
EMAIL_ADDRESS = re.compile(r"[\w.%+'-]+@[\w-]+(?:\.[\w-]+)+")
# A phone number as people write them: "(904) 555-0199", "904.555.0199", "+1 904 555 0199",
# "555-0199", "9045550199", with an optional extension. Scores ("3-4"), dates ("2027-02-01")
# and times are too short or shaped differently.
PHONE_NUMBER = re.compile(
    r"(?<![\w+])(?:\+?\d{1,3}[\s.-]?)?"
    r"(?:(?:\(\d{3}\)\s?|\d{3}[\s.-])?\d{3}[\s.-]\d{4}|\d{10})"
    r"(?:\s?(?:x|ext\.?)\s?\d{1,5})?(?!\w)",
    re.IGNORECASE,
)
# A courtesy title, then one to three capitalised words: "Ms. Rivera", "Mrs Mary-Ann O'Neil", "Dr. Lee";
# in Spanish too, where titles are often lower case and surnames accented or joined by "de":
# "Señora Díaz", "la maestra Ruiz", "el señor Pérez", "Sra. Díaz", "don Ángel", "Dra. de la Cruz".
UPPER = "A-ZÀ-ÖØ-ÞĀ-Ž"  # capitals of Latin-1 and Latin Extended-A: Á, É, Ñ, Ó, Ú, Ü, Č…
NAME_WORD = rf"[{UPPER}][\w'\u2019\-]*"
SPANISH_TITLES = (
    r"se[ñn]or(?:it)?a|se[ñn]or|sra|srta|sr|dra|doñ?a|don|lic|profa?|"
    r"maestr[ao]|profesora?|directora?|subdirectora?|secretari[ao]|enfermer[ao]|consejer[ao]|conserje"
)
TITLED_NAME = re.compile(
    rf"(?:\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Coach|Principal|Nurse)|(?<!\w)(?i:{SPANISH_TITLES}))\.?\s+"
    rf"(?:de\s+(?:la\s+|los\s+)?|del\s+)?(?:[{UPPER}]\.|{NAME_WORD})"  # an initial keeps its full stop
    rf"(?:\s+(?:de\s+(?:la\s+)?|del\s+|y\s+)?{NAME_WORD}){{0,2}}",
)
STRENGTH_FRACTION = 0.75
PROBLEM_FRACTION = 0.5
STRENGTH_SCORE = 75.0
PROBLEM_SCORE = 60.0


@dataclass(frozen=True)
class Quote:
    """One comment as printed: the words, its own contact's channel, day and appendix number, and its tone."""

    text: str
    channel: str
    day: date | None
    strength: bool
    tone: int = 0  # +1 a strength, -1 a problem, 0 neither
    ref: int = 0  # the contact's number in the appendix

    @property
    def label(self) -> str:
        """``What worked``, ``What needs work`` or ``Also noted``."""
        return {1: "What worked", -1: "What needs work"}.get(self.tone, "Also noted")

    @property
    def kind(self) -> str:
        """How it is marked on the scorecard and the portal: ``strength``, ``problem`` or ``noted``."""
        return "strength" if self.strength else "problem" if self.tone < 0 else "noted"


@dataclass(frozen=True)
class Candidate:
    """A comment before choosing: its text, where it came from, and how the contact or item scored."""

    contact_id: int
    channel: str
    day: date | None
    text: str
    fraction: float | None
    contact_score: float | None
    free_text: bool
    position: int
    ref: int = 0
    critical_failure: bool = False  # the contact failed a critical item

    @property
    def tone(self) -> int:
        """+1 a strength, -1 a problem, 0 neither: by the item's fraction (free text: the contact's
        critical failure, else its score)."""
        if not self.free_text and self.fraction is not None:
            if self.fraction >= STRENGTH_FRACTION:
                return 1
            return -1 if self.fraction <= PROBLEM_FRACTION else 0
        if self.critical_failure:
            return -1
        if self.contact_score is None:
            return 0
        if self.contact_score >= STRENGTH_SCORE:
            return 1
        return -1 if self.contact_score < PROBLEM_SCORE else 0

    @property
    def weight(self) -> float:
        """How telling the comment is on its side (lower sorts first)."""
        score = self.contact_score if self.contact_score is not None else 50.0
        return score if self.tone < 0 else -score


def _names(text: str) -> list[str]:
    """The words of a person's name worth removing: the full name and each part of 3+ letters."""
    words = [word for word in re.split(r"\s+", text.strip()) if len(word.strip(".")) >= 3]
    return [text.strip(), *words] if text.strip() else []


def redact(text: str, staff_names: list[str], auditor_name: str = "") -> str:
    """``text`` without email addresses, phone numbers, titled names, staff names and the auditor's name,
    tidied and cut."""
    cleaned = TITLED_NAME.sub(STAFF, PHONE_NUMBER.sub(PHONE, EMAIL_ADDRESS.sub(EMAIL, text)))
    for names, mark in ((staff_names, STAFF), ([auditor_name], AUDITOR)):
        for name in sorted({part for full in names for part in _names(full)}, key=len, reverse=True):
            cleaned = re.sub(rf"(?<!\w){re.escape(name)}(?!\w)", mark, cleaned)
    cleaned = " ".join(cleaned.split())
    if len(cleaned) > MAX_LENGTH:
        cleaned = cleaned[:MAX_LENGTH].rsplit(" ", 1)[0].rstrip(",;:") + "…"
    return cleaned


def choose(candidates: list[Candidate], problems_first: bool = False) -> list[Quote]:
    """Three to six quotes (fewer only if fewer exist): problems and strengths, distinct, one per contact.

    With ``problems_first`` (a school below the district median or with a critical failure)
    there are never more strengths than problems, the problems come first and those of
    critical-failure contacts lead them.
    """
    unique: dict[str, Candidate] = {}
    for candidate in candidates:
        key = re.sub(r"\W+", " ", candidate.text.casefold()).strip()
        if key and key not in unique:
            unique[key] = candidate
    order = sorted(
        unique.values(),
        key=lambda c: (
            problems_first and not c.critical_failure,
            c.weight,
            not c.free_text,
            c.day or date.min,
            c.contact_id,
            c.position,
        ),
    )
    problems = _spread([c for c in order if c.tone < 0], PER_SIDE)
    strengths = _spread([c for c in order if c.tone > 0], len(problems) if problems_first else PER_SIDE)
    chosen = problems + strengths
    if len(chosen) < MINIMUM:
        rest = [c for c in order if c not in chosen and (c.tone <= 0 or not problems_first)]
        chosen += _spread(rest, MINIMUM - len(chosen))
    side = 1 if problems_first else -1
    chosen.sort(key=lambda c: (side * c.tone, c.day or date.min, c.contact_id, c.position))
    return [Quote(c.text, c.channel, c.day, c.tone > 0, c.tone, c.ref) for c in chosen]


def _spread(candidates: list[Candidate], limit: int) -> list[Candidate]:
    """Up to ``limit`` candidates, one per contact first, then any."""
    picked: list[Candidate] = []
    contacts: set[int] = set()
    for candidate in candidates:
        if len(picked) < limit and candidate.contact_id not in contacts:
            picked.append(candidate)
            contacts.add(candidate.contact_id)
    for candidate in candidates:
        if len(picked) < limit and candidate not in picked:
            picked.append(candidate)
    return picked
