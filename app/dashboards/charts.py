"""Geometry of the small inline SVG charts; the templates draw them and print every number."""

from __future__ import annotations

from dataclasses import dataclass

from audits.results.overview import HistogramBin

# Histogram of school scores.
HIST_WIDTH, HIST_HEIGHT = 640, 250
HIST_LEFT, HIST_RIGHT, HIST_TOP, HIST_BOTTOM = 16, 16, 28, 52
# Trend line.
TREND_STEP, TREND_HEIGHT = 110, 210
TREND_LEFT, TREND_RIGHT, TREND_TOP, TREND_BOTTOM = 64, 48, 24, 44


@dataclass(frozen=True)
class Bar:
    """One histogram bar with where its count and label go."""

    x: float
    y: float
    width: float
    height: float
    count: int
    label: str
    middle: float


@dataclass(frozen=True)
class HistogramChart:
    """A histogram of school overall scores with the alert threshold marked."""

    width: int
    height: int
    bars: list[Bar]
    baseline: float
    left: float
    right: float
    threshold: float
    threshold_x: float

    @property
    def total(self) -> int:
        """Schools counted."""
        return sum(bar.count for bar in self.bars)


def histogram_chart(bins: list[HistogramBin], threshold: float) -> HistogramChart:
    """Lay out ``bins`` left to right (0 to 100), bar heights relative to the fullest bin."""
    plot_width = HIST_WIDTH - HIST_LEFT - HIST_RIGHT
    plot_height = HIST_HEIGHT - HIST_TOP - HIST_BOTTOM
    baseline = HIST_HEIGHT - HIST_BOTTOM
    slot = plot_width / max(len(bins), 1)
    tallest = max((b.count for b in bins), default=0) or 1
    bars = []
    for index, b in enumerate(bins):
        height = round(plot_height * b.count / tallest, 1)
        x = HIST_LEFT + index * slot
        bars.append(
            Bar(
                round(x + 3, 1),
                baseline - height,
                round(slot - 6, 1),
                height,
                b.count,
                b.label,
                round(x + slot / 2, 1),
            )
        )
    return HistogramChart(
        width=HIST_WIDTH,
        height=HIST_HEIGHT,
        bars=bars,
        baseline=baseline,
        left=HIST_LEFT,
        right=HIST_WIDTH - HIST_RIGHT,
        threshold=threshold,
        threshold_x=round(HIST_LEFT + plot_width * min(max(threshold, 0.0), 100.0) / 100, 1),
    )


@dataclass(frozen=True)
class TrendDot:
    """One round on the trend line."""

    x: float
    y: float
    score: float
    label: str
    current: bool


@dataclass(frozen=True)
class TrendChart:
    """A school's overall score across rounds, on a fixed 0–100 scale."""

    width: int
    height: int
    dots: list[TrendDot]
    left: float
    right: float
    gridlines: list[tuple[float, int]]
    threshold: float
    threshold_y: float

    @property
    def points(self) -> str:
        """The polyline's ``points`` attribute."""
        return " ".join(f"{dot.x},{dot.y}" for dot in self.dots)


def _short(name: str, length: int = 16) -> str:
    return name if len(name) <= length else name[: length - 1].rstrip() + "…"


def trend_chart(points: list[tuple[str, float, bool]], threshold: float) -> TrendChart:
    """Lay out ``(round name, score, is current round)`` points, oldest first, on a 0–100 scale."""
    width = max(TREND_LEFT + TREND_RIGHT + TREND_STEP * max(len(points) - 1, 1), 320)
    plot_height = TREND_HEIGHT - TREND_TOP - TREND_BOTTOM
    baseline = TREND_HEIGHT - TREND_BOTTOM

    def y_of(score: float) -> float:
        return round(baseline - plot_height * min(max(score, 0.0), 100.0) / 100, 1)

    step = (width - TREND_LEFT - TREND_RIGHT) / max(len(points) - 1, 1)
    dots = [
        TrendDot(round(TREND_LEFT + index * step, 1), y_of(score), score, _short(name), current)
        for index, (name, score, current) in enumerate(points)
    ]
    return TrendChart(
        width=width,
        height=TREND_HEIGHT,
        dots=dots,
        left=TREND_LEFT - 24,
        right=width - TREND_RIGHT + 8,
        gridlines=[(y_of(value), value) for value in (0, 50, 100)],
        threshold=threshold,
        threshold_y=y_of(threshold),
    )
