"""Grade codes (``PK``, ``KG``, ``01``..``12``) and the school level NCES derives from a grade span."""

from __future__ import annotations

from audits.models import Level

# Each grade code with its position: PK before KG before 01..12.
GRADE_ORDER: dict[str, int] = {"PK": -1, "KG": 0} | {f"{n:02d}": n for n in range(1, 13)}

_ALIASES = {"K": "KG", "PREK": "PK", "PRE-K": "PK"}

# Codes NCES uses for "no single grade": ungraded, adult education, not applicable, missing.
NON_GRADE_CODES = frozenset({"", "UG", "AE", "N", "M", "\u2020", "\u2013", "\u2014", "-"})


def normalise_grade(code: str | None) -> str | None:
    """Return ``code`` as ``PK``, ``KG`` or ``01``..``12``, or ``None`` when it is no such grade.

    ``K`` is read as ``KG`` and ``1``..``12`` gain a leading zero; ungraded (``UG``),
    adult education (``AE``), missing markers and anything unrecognised give ``None``.
    """
    if code is None:
        return None
    text = code.strip().upper()
    text = _ALIASES.get(text, text)
    if text.isdigit() and len(text) <= 2 and 1 <= int(text) <= 12:
        return f"{int(text):02d}"
    return text if text in GRADE_ORDER else None


def is_grade_code(code: str | None) -> bool:
    """Whether ``code`` is a grade or one of the codes NCES uses for "no single grade"."""
    return code is None or code.strip().upper() in NON_GRADE_CODES or normalise_grade(code) is not None


def level_for_grades(low: str | None, high: str | None) -> Level:
    """Return the school level NCES assigns to a school serving grades ``low`` to ``high``.

    Elementary: low grade PK..03 and high grade PK..08. Middle: low 04..07 and high
    04..09. High: low 07..12 and high 12. Anything else, including a missing or
    ungraded end or a span that runs backwards, is ``Level.OTHER``.
    """
    low_code, high_code = normalise_grade(low), normalise_grade(high)
    if low_code is None or high_code is None:
        return Level.OTHER
    first, last = GRADE_ORDER[low_code], GRADE_ORDER[high_code]
    if first > last:
        return Level.OTHER
    if first <= 3 and last <= 8:
        return Level.ELEMENTARY
    if 4 <= first <= 7 and 4 <= last <= 9:
        return Level.MIDDLE
    if first >= 7 and last == 12:
        return Level.HIGH
    return Level.OTHER


def grades_between(low: str | None, high: str | None) -> tuple[str, ...]:
    """Every grade code from ``low`` to ``high`` inclusive, in order; empty when either is unknown."""
    low_code, high_code = normalise_grade(low), normalise_grade(high)
    if low_code is None or high_code is None:
        return ()
    first, last = GRADE_ORDER[low_code], GRADE_ORDER[high_code]
    return tuple(code for code, position in GRADE_ORDER.items() if first <= position <= last)


def grade_span_words(codes: tuple[str, ...] | list[str]) -> str:
    """``("PK", …, "05")`` as ``PK–05``; one grade as itself; none as ``unknown grades``."""
    if not codes:
        return "unknown grades"
    ordered = sorted(codes, key=GRADE_ORDER.__getitem__)
    return ordered[0] if len(ordered) == 1 else f"{ordered[0]}–{ordered[-1]}"


_ORDINALS_EN = (
    "first", "second", "third", "fourth", "fifth", "sixth",
    "seventh", "eighth", "ninth", "tenth", "eleventh", "twelfth",
)  # fmt: skip
_ORDINALS_ES = (
    "primer", "segundo", "tercer", "cuarto", "quinto", "sexto",
    "séptimo", "octavo", "noveno", "décimo", "undécimo", "duodécimo",
)  # fmt: skip


def grade_words(code: str, language: str = "en") -> str:
    """How a parent names grade ``code``: ``seventh grade``, ``kindergarten``; in Spanish ``séptimo grado``.

    Languages other than English and Spanish get the English words.
    """
    grade = normalise_grade(code)
    if grade is None:
        raise ValueError(f"not a grade: {code!r}")
    spanish = language == "es"
    if grade == "PK":
        return "prekínder" if spanish else "pre-kindergarten"
    if grade == "KG":
        return "kínder" if spanish else "kindergarten"
    number = int(grade) - 1
    return f"{_ORDINALS_ES[number]} grado" if spanish else f"{_ORDINALS_EN[number]} grade"
