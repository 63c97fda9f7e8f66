"""Inline SVG charts for the PDFs: a trend line and a histogram (scores by channel and by part of
the contact are tables with bars, ``templates/reports/scorecard.html``, cheaper to lay out).

Every chart carries a ``<title>`` (its alternative text, listing every number)
and prints its numbers beside the marks, and it reads in black and white: the
school is solid near-black, the district a light grey with a dark outline or a
dashed line, and a legend says which is which. All text is escaped here.
Scores run on a fixed 0–100 axis, so a small gap never looks like a large one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from markupsafe import Markup, escape

INK = "#14213d"
GREY = "#c9ced6"
OUTLINE = "#4a4f57"
GRID = "#d8dbe0"
FONT_FAMILY = "Touchpoint Sans"
WIDTH = 540


@dataclass(frozen=True)
class TrendMark:
    """One round on the trend line."""

    label: str
    day: date
    value: float | None
    reference: float | None


def _n(value: float | None) -> str:
    return "no score" if value is None else f"{value:.1f}"


def _clamp(value: float) -> float:
    return max(0.0, min(value, 100.0))


def _svg(chart_id: str, title: str, height: float, body: list[str]) -> Markup:
    """The chart's root: font and ink set once here and inherited (fewer attributes, faster printing)."""
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'aria-labelledby="{chart_id}-title" viewBox="0 0 {WIDTH} {height:g}" '
        f'preserveAspectRatio="xMinYMin meet" font-family="{FONT_FAMILY}" font-size="8.5" fill="{INK}">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
    )
    svg = head + "".join(body) + "</svg>"
    # Not escaped on purpose: every text in ``body`` went through ``_text`` (escaped) and the title
    # through ``escape``; the rest is numbers formatted here. One string keeps 1,000 scorecards fast.
    return Markup(svg)  # nosec B704


def _text(x: float, y: float, content: str, size: float = 8.5, anchor: str = "", bold: bool = False) -> str:
    extra = (f' font-size="{size:g}"' if size != 8.5 else "") + (f' text-anchor="{anchor}"' if anchor else "")
    extra += ' font-weight="bold"' if bold else ""
    return f'<text x="{x:.1f}" y="{y:.1f}"{extra}>{escape(content)}</text>'


def _path(d: list[str], fill: str = "none", stroke: str = "", width: float = 0, dash: str = "") -> str:
    """Many shapes as one ``<path>`` (one SVG element instead of one per bar or line)."""
    if not d:
        return ""
    extra = f' stroke="{stroke}" stroke-width="{width:g}"' if stroke else ""
    extra += f' stroke-dasharray="{dash}"' if dash else ""
    return f'<path d="{" ".join(d)}" fill="{fill}"{extra}/>'


def _box(x: float, y: float, width: float, height: float) -> str:
    return f"M{x:.1f} {y:.1f}h{width:.2f}v{height:.2f}h{-width:.2f}z"


def legend(lines: bool = False, school: str = "This school", reference: str = "District median") -> Markup:
    """The key above a chart, in HTML (cheaper to print than SVG text): solid school, grey/dashed district."""
    kind = "line" if lines else "bar"
    # Not escaped on purpose: both names go through ``escape``; ``kind`` is one of two words.
    return Markup(  # nosec B704
        f'<p class="legend legend-{kind}"><span class="swatch swatch-school"></span>{escape(school)}'
        f'<span class="swatch swatch-district"></span>{escape(reference)}</p>'
    )


def trend_line(chart_id: str, marks: Sequence[TrendMark], school: str = "This school") -> Markup:
    """The school's overall per round (solid, numbers above) and the district median (dashed, below)."""
    left, right, top, bottom, height = 95.0, WIDTH - 60.0, 12.0, 112.0, 142.0
    ticks = [(tick, bottom - (bottom - top) * tick / 100) for tick in (0, 50, 100)]
    body = [_path([f"M{left - 40:.1f} {y:.1f}H{right + 40:.1f}" for _, y in ticks], stroke=GRID, width=0.5)]
    body += [_text(left - 46, y + 3, str(tick), 7, "end") for tick, y in ticks]
    count = len(marks)
    step = (right - left) / max(count - 1, 1)

    def x_of(index: int) -> float:
        return left + step * index if count > 1 else (left + right) / 2

    def y_of(value: float) -> float:
        return bottom - (bottom - top) * _clamp(value) / 100

    for series, colour, width, dash in (("reference", OUTLINE, 1.2, "4 2"), ("value", INK, 2.0, "")):
        points = [(x_of(i), y_of(v)) for i, m in enumerate(marks) if (v := getattr(m, series)) is not None]
        if len(points) > 1:
            line = "M" + "L".join(f"{x:.1f} {y:.1f}" for x, y in points)
            body.append(_path([line], stroke=colour, width=width, dash=dash))
    squares, dots, described = [], [], []
    for index, mark in enumerate(marks):
        x = x_of(index)
        # The higher of the two numbers sits above its point, the lower one below: they never collide.
        school_above = mark.reference is None or (mark.value is not None and mark.value >= mark.reference)
        if mark.reference is not None:
            y = y_of(mark.reference)
            squares.append(_box(x - 2.5, y - 2.5, 5, 5))
            body.append(_text(x, y + 12 if school_above else y - 6, _n(mark.reference), 7.5, "middle"))
        if mark.value is not None:
            y = y_of(mark.value)
            dots.append(f"M{x - 3.5:.1f} {y:.1f}a3.5 3.5 0 1 0 7 0a3.5 3.5 0 1 0 -7 0z")
            body.append(_text(x, y - 7 if school_above else y + 14, _n(mark.value), 8.5, "middle", bold=True))
        body += [
            _text(x, height - 14, mark.label, 7.5, "middle"),
            _text(x, height - 4, f"{mark.day:%b %Y}", 7, "middle"),
        ]
        described.append(
            f"{mark.label} ({mark.day:%B %Y}): {_n(mark.value)}, district median {_n(mark.reference)}"
        )
    body += [_path(squares, fill=GREY, stroke=OUTLINE, width=1), _path(dots, fill=INK)]
    title = f"Overall score by round, {school.lower()} and the district median: " + "; ".join(described) + "."
    return _svg(chart_id, title, height, body)


def histogram(chart_id: str, subject: str, bins: Sequence[tuple[str, int]]) -> Markup:
    """Vertical bars of counts (schools per score band), each count printed above its bar."""
    left, right, top, bottom, height = 30.0, WIDTH - 10.0, 16.0, 120.0, 140.0
    highest = max((count for _, count in bins), default=0) or 1
    width = (right - left) / max(len(bins), 1)
    body, columns = [_path([f"M{left:.1f} {bottom:.1f}H{right:.1f}"], stroke=OUTLINE, width=0.75)], []
    for index, (label, count) in enumerate(bins):
        x = left + index * width
        bar = (bottom - top) * count / highest
        if count:
            columns.append(_box(x + 4, bottom - bar, width - 8, bar))
        body.append(_text(x + width / 2, bottom - bar - 3, str(count), 8.5, "middle", bold=True))
        body.append(_text(x + width / 2, bottom + 12, label, 7.5, "middle"))
    body.append(_path(columns, fill=INK))
    title = f"{subject}: " + "; ".join(f"{label}: {count}" for label, count in bins) + "."
    return _svg(chart_id, title, height, body)
