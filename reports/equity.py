"""Equal service in the reports: the district summary's section and a school's own pair facts.

The district summary prints the round's figures of ``audits.equity`` as the leaders' page does
(the same numbers, already in words); a scorecard prints only its school's own two contacts of
each pair, as facts (``audits.equity.school_pair_facts``): one pair says nothing on its own.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from audits.equity import EquityFigure, equity_figures, pair_facts_by_school
from audits.models import Round


@dataclass(frozen=True)
class EquityRow:
    """One measure of one pair, in words, as the district summary prints it."""

    measure: str
    a: str
    b: str
    difference: str
    interval: str
    p_value: str
    pairs: int
    finding: str
    shown: bool


@dataclass(frozen=True)
class EquityPair:
    """One scenario pair of the round: its members and each measure."""

    title: str
    a_label: str
    b_label: str
    a_words: str  # "English-language requests"
    b_words: str
    rows: list[EquityRow]


@dataclass(frozen=True)
class SchoolPairFacts:
    """A school's own contacts of one pair, as sentences (the scorecard's)."""

    title: str
    sentences: list[str]


def p_value_words(value: float | None) -> str:
    """``0.016``; ``< 0.001``; a dash when there is none."""
    if value is None:
        return "—"
    return "< 0.001" if value < 0.001 else f"{value:.3f}"


def _row(figure: EquityFigure) -> EquityRow:
    return EquityRow(
        measure=figure.measure.label,
        a=f"{figure.value_words(figure.a)} ({figure.a.n})",
        b=f"{figure.value_words(figure.b)} ({figure.b.n})",
        difference=figure.amount(figure.test.difference),
        interval=figure.interval_words,
        p_value=p_value_words(figure.test.p_value),
        pairs=figure.test.pairs,
        finding=figure.finding,
        shown=figure.shown,
    )


def summary_equity(session: Session, round_: Round) -> list[EquityPair]:
    """The district summary's "Equal service" section: every pair of the round, each measure in words."""
    pairs: dict[int, list[EquityFigure]] = {}
    for figure in equity_figures(session, round_):
        pairs.setdefault(figure.pair_id, []).append(figure)
    return [
        EquityPair(
            figures[0].pair_title,
            figures[0].a_label,
            figures[0].b_label,
            figures[0].a_words,
            figures[0].b_words,
            [_row(f) for f in figures],
        )
        for figures in pairs.values()
    ]


def scorecard_pair_facts(
    session: Session, round_: Round, school_ids: set[int] | None = None
) -> dict[int, list[SchoolPairFacts]]:
    """Each school's own contacts of each pair of ``round_`` (of ``school_ids`` when given), as facts."""
    only = next(iter(school_ids)) if school_ids is not None and len(school_ids) == 1 else None
    return {
        school_id: [SchoolPairFacts(fact.pair_title, fact.sentences) for fact in facts]
        for school_id, facts in pair_facts_by_school(session, round_, only).items()
        if school_ids is None or school_id in school_ids
    }
