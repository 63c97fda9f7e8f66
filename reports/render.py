"""HTML and PDF for scorecards: a Jinja environment of its own and WeasyPrint, set up once per process.

``reports`` never imports the web layer, so it builds its own autoescaping Jinja
environment on ``templates/reports/``. A ``Renderer`` keeps what is worth
reusing across a batch: the environment, one WeasyPrint ``FontConfiguration``,
the parsed stylesheets (their ``@font-face`` fonts are loaded once) and the
allow-listing URL fetcher. PDFs are tagged (PDF/UA-1), their structure tree
completed where WeasyPrint leaves gaps (``reports.pdfua``), carry no creation or
modification date and take a stable identifier from their inputs, so the same
figures always give the same bytes.

What WeasyPrint is given is kept lean, as it costs time per box and per element
(about a quarter of a second a scorecard): the template's indentation is dropped
beside block-level tags (``compact``), text is isolated in a ``<bdi>`` only when
it could reorder its neighbours (``needs_isolation``), and the district summary's
rules live in a stylesheet of their own.

The filters say what colour cannot say alone: ``status`` turns a score into a
red, amber or green verdict against the district's standard with a word and a
shape, ``width`` sizes a score's bar, and ``direction`` gives a family's words
the direction of their first letter (what ``dir="auto"`` means; WeasyPrint reads
only ``ltr`` and ``rtl``).
"""

from __future__ import annotations

import hashlib
import re
import time
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import weasyprint
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from audits.vocabulary import SHARED_SECTIONS, count_of, plural
from reports import charts
from reports.fetcher import ASSETS_DIR, AssetFetcher, asset_url
from reports.pdfua import complete_structure

TEMPLATES_DIR = Path(__file__).resolve().parents[1] / "templates" / "reports"
PDF_VARIANT = "pdf/ua-1"
MINUS = "\u2212"


def score(value: float | None) -> str:
    """A score as printed everywhere: one decimal, or a dash when there is none."""
    return "—" if value is None else f"{value:.1f}"


def change(value: float | None) -> str:
    """A change in points with its sign (``+4.2``, a true minus for a fall, ``0.0``); else a dash."""
    if value is None:
        return "—"
    text = f"{abs(value):.1f}"
    if text == "0.0":
        return text
    return f"+{text}" if value > 0 else f"{MINUS}{text}"


def day(value: date | None) -> str:
    """``Feb 3, 2027``."""
    return "—" if value is None else f"{value:%b} {value.day}, {value:%Y}"


def short_day(value: date | None) -> str:
    """``Feb 3``."""
    return "—" if value is None else f"{value:%b} {value.day}"


def span(first: date, last: date) -> str:
    """``Jan 11 – Mar 5, 2027`` (the year once when both days share it)."""
    if first.year == last.year:
        return f"{short_day(first)} – {day(last)}"
    return f"{day(first)} – {day(last)}"


# Bidirectional classes that can never move a word of left-to-right text: letters written left to
# right, European digits and their signs, marks, spaces and other neutrals. Text made of these alone
# lays out the same with or without an isolate around it in a left-to-right line.
_LEFT_TO_RIGHT_SAFE = frozenset({"L", "EN", "ES", "ET", "CS", "NSM", "BN", "S", "WS", "ON"})


def needs_isolation(text: str) -> bool:
    """Whether ``text`` holds anything that could reorder the words around it: right-to-left letters,
    Arabic digits, a direction mark, embedding, override or isolate, or a paragraph separator."""
    if text.isascii():
        return not text.isprintable()  # a line or paragraph separator among control characters
    return any(unicodedata.bidirectional(character) not in _LEFT_TO_RIGHT_SAFE for character in text)


def isolated(text: str) -> Markup:
    """``text``, escaped, in a ``<bdi>`` when it needs one: right-to-left words or a stray direction
    override (U+202E) in a name or a comment cannot reorder the words printed around it.

    Text that cannot reorder anything (``needs_isolation``) is printed as it is: each ``<bdi>`` is an
    inline box of its own, and inline boxes are what a line costs WeasyPrint most to lay out."""
    if not needs_isolation(str(text)):
        return Markup("%s") % text
    return Markup("<bdi>%s</bdi>") % text


def direction(text: str) -> str:
    """``rtl`` when the first strong letter of ``text`` is Arabic, Hebrew or another right-to-left script,
    else ``ltr`` (the rule of HTML's ``dir="auto"``)."""
    for character in text:
        kind = unicodedata.bidirectional(character)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return "ltr"


@dataclass(frozen=True)
class Status:
    """A verdict against the standard: its colour class, its word and a shape that reads in grey too."""

    key: str  # "meets", "near", "below", "none": the CSS class, red/amber/green
    word: str
    mark: str


# A score's verdict against the district's standard (its alert threshold, the line "Your biggest
# problem" measures from): at or above it meets it; less than NEAR_WITHIN points below it is near it;
# further below is below it. A measure with a limit (rings, hold, reply time, reach) meets it or not.
NEAR_WITHIN = 10.0
DEFAULT_STANDARD = 70.0
MEETS = Status("meets", "Meets", "●")
NEAR = Status("near", "Near", "▲")
BELOW = Status("below", "Below", "■")
UNSCORED = Status("none", "No score", "–")


def status(value: float | bool | None, standard: float = DEFAULT_STANDARD) -> Status:
    """The verdict of a score (0–100) against ``standard``, or of a measure that meets its limit or not."""
    if value is None:
        return UNSCORED
    if isinstance(value, bool):
        return MEETS if value else BELOW
    if value >= standard:
        return MEETS
    return NEAR if value >= standard - NEAR_WITHIN else BELOW


def near_from(standard: float) -> float:
    """The lowest score still near ``standard``."""
    return max(standard - NEAR_WITHIN, 0.0)


def width(value: float | None) -> str:
    """A score as a CSS width (``56.6%``), held to 0–100, for the bars of a table."""
    return "0%" if value is None else f"{max(0.0, min(value, 100.0)):.1f}%"


def by_channel(rows: list[Any]) -> list[tuple[str, list[Any]]]:
    """Section rows grouped under their channel's label (``row.channel``), in the order they come, the
    sections every channel shares ("" or no channel) last; one untitled group when no row names a channel."""
    if not any(getattr(row, "channel", "") for row in rows):
        return [("", list(rows))]
    groups: dict[str, list[Any]] = {}
    for row in rows:
        groups.setdefault(getattr(row, "channel", "") or "", []).append(row)
    shared = groups.pop("", [])
    return [*groups.items(), *([(SHARED_SECTIONS, shared)] if shared else [])]


def trend_mark(point: Any, width: int = 22) -> charts.TrendMark:
    """A ``TrendPoint`` as a mark of the trend chart, its round name shortened to fit."""
    label = point.round_name if len(point.round_name) <= width else point.round_name[: width - 1] + "…"
    return charts.TrendMark(label, point.first_day, point.school, point.district)


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=select_autoescape(["html"], default_for_string=True, default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        score=score,
        change=change,
        day=day,
        short_day=short_day,
        trend_mark=trend_mark,
        isolated=isolated,
        direction=direction,
        status=status,
        by_channel=by_channel,
        width=width,
        count_of=count_of,
    )
    env.globals.update(
        plural=plural,
        span=span,
        charts=charts,
        asset_url=asset_url,
        near_from=near_from,
        near_within=NEAR_WITHIN,
    )
    return env


@cache
def render_version() -> str:
    """A hash of all but the figures that shapes a PDF: templates, styles, code, fonts, WeasyPrint."""
    digest = hashlib.sha256(f"weasyprint {weasyprint.__version__}\n{PDF_VARIANT}\n".encode())
    package = Path(__file__).resolve().parent
    files = [
        *sorted(TEMPLATES_DIR.rglob("*")),
        package / "render.py",
        package / "charts.py",
        package / "fetcher.py",
        package / "pdfua.py",
        *sorted(ASSETS_DIR.rglob("*")),
    ]
    for path in files:
        if path.is_file():
            digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


# Elements whose neighbouring whitespace never prints: blocks, table parts, list items, the head.
_BLOCK_TAGS = frozenset({
    "html", "head", "body", "meta", "title", "header", "section", "div", "table", "thead", "tbody", "tr",
    "th", "td", "ul", "ol", "li", "p", "h1", "h2", "h3", "h4", "dl", "dt", "dd", "figure", "figcaption",
    "blockquote",
})  # fmt: skip
_TAG_GAP = re.compile(r"(<(/?)([a-zA-Z][a-zA-Z0-9]*)[^<>]*>)(\s+)(?=<(/?)([a-zA-Z][a-zA-Z0-9]*))")


def compact(html: str) -> str:
    """``html`` without the whitespace between a block-level tag and the next or previous tag.

    That whitespace never prints (a line never starts or ends with a collapsible space, and
    whitespace between blocks or table cells makes no box), yet WeasyPrint parses it, builds
    anonymous boxes for it and throws them away again; whitespace between two inline elements or
    inside text, which does print, is kept. (A line break kept by ``white-space: pre-line`` is never
    beside a block-level tag in these templates.)"""

    def gap(match: re.Match[str]) -> str:
        if match.group(3).lower() in _BLOCK_TAGS or match.group(6).lower() in _BLOCK_TAGS:
            return match.group(1)
        return match.group(0)

    return _TAG_GAP.sub(gap, html)


@dataclass(frozen=True)
class Rendered:
    """A PDF and how long its two halves took: templating (HTML) and WeasyPrint (layout and PDF)."""

    pdf: bytes
    html_seconds: float
    pdf_seconds: float


class Renderer:
    """Turns figures into HTML, and HTML into PDF, reusing fonts and stylesheets across documents."""

    def __init__(self) -> None:
        self.env = _environment()
        self.fetcher = AssetFetcher()
        self.font_config = FontConfiguration()
        self._stylesheets: dict[str, CSS] = {}

    def stylesheet(self, name: str) -> CSS:
        """The parsed stylesheet ``templates/reports/<name>``, parsed once with the shared fonts."""
        if name not in self._stylesheets:
            self._stylesheets[name] = CSS(
                string=(TEMPLATES_DIR / name).read_text(encoding="utf-8"),
                font_config=self.font_config,
                url_fetcher=self.fetcher,
            )
        return self._stylesheets[name]

    def html(self, template: str, **context: Any) -> str:
        """Render ``template`` (a file of ``templates/reports/``) with ``context``, compacted."""
        return compact(self.env.get_template(template).render(**context))

    def pdf(self, html: str, stylesheets: str | tuple[str, ...], identifier: bytes) -> bytes:
        """Lay ``html`` out with ``stylesheets`` (in that order) and write a tagged, dateless PDF with
        ``identifier``, its structure tree completed for PDF/UA."""
        names = (stylesheets,) if isinstance(stylesheets, str) else stylesheets
        document = HTML(string=html, url_fetcher=self.fetcher).render(
            font_config=self.font_config,
            stylesheets=[self.stylesheet(name) for name in names],
            pdf_variant=PDF_VARIANT,
        )
        document.metadata.created = None
        document.metadata.modified = None
        # Uncompressed: complete_structure deflates it as it rewrites it, faster than WeasyPrint would.
        pdf = document.write_pdf(pdf_variant=PDF_VARIANT, pdf_identifier=identifier, uncompressed_pdf=True)
        return complete_structure(pdf)

    def render(
        self, template: str, stylesheets: str | tuple[str, ...], identifier: bytes, **context: Any
    ) -> Rendered:
        """HTML then PDF, timing each half."""
        started = time.perf_counter()
        html = self.html(template, **context)
        templated = time.perf_counter()
        pdf = self.pdf(html, stylesheets, identifier)
        return Rendered(pdf, templated - started, time.perf_counter() - templated)

    def scorecard(self, data: Any, identifier: bytes) -> Rendered:
        """One school's scorecard (``reports.figures.ScorecardData``)."""
        return self.render("scorecard.html", "scorecard.css", identifier, card=data)

    def district_summary(self, data: Any, identifier: bytes) -> Rendered:
        """A round's district summary (``reports.summary.DistrictSummary``)."""
        return self.render(
            "district_summary.html", ("scorecard.css", "district_summary.css"), identifier, summary=data
        )


@cache
def shared_renderer() -> Renderer:
    """This process's renderer, created on first use and reused by every later document."""
    return Renderer()


def identifier_for(inputs_hash: str) -> bytes:
    """The PDF file identifier: the first 16 bytes of the inputs hash, so it is stable for the same inputs."""
    return bytes.fromhex(inputs_hash)[:16]
