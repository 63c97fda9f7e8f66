"""The PDFs themselves: what they say, that they never change for the same data, and what they refuse."""

from __future__ import annotations

import io
import re

import pypdf
import pypdfium2
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from weasyprint import HTML
from weasyprint.urls import FatalURLFetchingError

from audits.models import Assignment, Channel, Contact
from reports.batch import inputs_hash
from reports.fetcher import AssetFetcher, RefusedURLError, asset_url
from reports.figures import ScorecardData, gather_round
from reports.render import Renderer, identifier_for, score, shared_renderer
from reports.summary import gather_summary
from tests.conftest import SCORECARD_ARTIFACTS
from tests.reports.conftest import RenderedWorld
from tests.reports.pdf_checks import page_texts
from tests.reports.scorecard_helpers import say, scorecard_world

ARTIFACTS = SCORECARD_ARTIFACTS
HOSTILE = '<script>alert(1)</script> & "quotes" \u202eRTL'


def text_of(pdf: bytes) -> str:
    """Every page's text, whitespace collapsed."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def render(card: ScorecardData) -> bytes:
    return shared_renderer().scorecard(card, identifier_for(inputs_hash(card))).pdf


def test_pdf_shows_school_overall_and_district_median(rendered_world: RenderedWorld) -> None:
    card = rendered_world.card()
    text = text_of(rendered_world.pdf())
    assert card.school_name in text
    assert card.overall is not None and card.district_median is not None
    assert f"{card.overall:.1f}" in text
    assert f"District median {card.district_median:.1f}" in text.replace("DISTRICT MEDIAN", "District median")
    assert card.standing in text
    assert "2 of 3 calls reached a person" in text
    assert "Appendix" in text and "Page 1 of" in text


def test_same_figures_give_byte_identical_pdfs(rendered_world: RenderedWorld) -> None:
    card = rendered_world.card()
    first = rendered_world.pdf()  # this process's renderer, which may have rendered other documents
    second = Renderer().scorecard(card, identifier_for(inputs_hash(card))).pdf  # a fresh one
    assert first == second
    assert b"/CreationDate" not in first and b"/ModDate" not in first
    file_id = pypdf.PdfReader(io.BytesIO(first)).trailer["/ID"][0]
    # The identifier is written as a literal string, where a reader takes a bare carriage return for a
    # line feed (PDF 32000-1, 7.3.4.2): compare as a reader sees it, whatever bytes the hash holds.
    expected = identifier_for(inputs_hash(card)).replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    assert file_id.original_bytes.replace(b"\r", b"\n") == expected


def test_pdf_is_tagged_with_language_and_title(rendered_world: RenderedWorld) -> None:
    card = rendered_world.card()
    reader = pypdf.PdfReader(io.BytesIO(rendered_world.pdf()))
    catalog = reader.trailer["/Root"]
    assert bool(catalog["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in catalog
    assert catalog["/Lang"] == "en"
    assert reader.metadata is not None and reader.metadata.title is not None
    assert card.school_name in reader.metadata.title
    assert reader.pdf_header == "%PDF-1.7"


def test_every_page_carries_the_school_name_and_page_number(rendered_world: RenderedWorld) -> None:
    card = rendered_world.card()
    texts = page_texts(rendered_world.pdf())
    pages = len(texts)
    assert pages >= 2
    for number, text in enumerate(texts, start=1):
        assert card.school_name in text
        assert f"Page {number} of {pages}" in text


def test_the_trend_chart_has_a_title_and_the_score_tables_print_every_number(
    rendered_world: RenderedWorld,
) -> None:
    card = rendered_world.card()
    html = shared_renderer().html("scorecard.html", card=card)
    charts = re.findall(r"<svg.*?</svg>", html, flags=re.S)
    assert len(charts) == 1  # the trend; channels and parts of the contact are tables with bars
    assert re.search(r'role="img" aria-labelledby="trend-title"', charts[0])
    assert re.search(r"<title id=\"trend-title\">[^<]+\d+\.\d[^<]*</title>", charts[0])
    for row in [*card.channels, *card.sections]:
        cells = (
            rf"<th scope=\"row\">{re.escape(row.label)}</th>.*?>{score(row.school)}</td>"
            rf"\s*<td class=\"num\">{score(row.district)}</td>"
        )
        assert re.search(cells, html, flags=re.S), row.label


def test_school_without_counted_contacts_gets_a_short_page_that_says_so(
    rendered_world: RenderedWorld,
) -> None:
    card = rendered_world.card(2)
    pdf = rendered_world.pdf(2)
    text = text_of(pdf)
    assert len(pypdf.PdfReader(io.BytesIO(pdf)).pages) == 1
    assert "No counted contacts this round" in text
    assert "<svg" not in shared_renderer().html("scorecard.html", card=card)


def test_a_hostile_school_name_is_printed_as_text(session: Session) -> None:
    built = scorecard_world(session)
    built.schools[0].name = HOSTILE
    session.flush()
    card = gather_round(session, built.round).scorecards[built.schools[0].id]
    html = shared_renderer().html("scorecard.html", card=card)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;quotes&#34;" in html
    text = text_of(render(card))
    assert "<script>alert(1)</script> &" in text
    assert '"quotes"' in text


def test_a_direction_override_stays_inside_the_name_or_comment_that_has_it(session: Session) -> None:
    """U+202E (right-to-left override) reverses its own words, never the sentence around them."""
    built = scorecard_world(session)
    school_a, _, school_c = built.schools
    school_c.name = "\u202eNorth"
    visit = session.scalars(
        select(Contact)
        .join(Assignment)
        .where(Assignment.school_id == school_a.id, Assignment.channel == Channel.VISIT)
    ).one()
    say(visit, "note", "\u202eNobody looked up for ten minutes")
    session.flush()
    cards = gather_round(session, built.round).scorecards
    empty = text_of(render(cards[school_c.id]))
    assert "to htroN was approved and counted during Fall 2026 round, so" in empty
    assert "htroN · Fall 2026 round Page 1 of 1" in empty  # the running footer too
    quoted = text_of(render(cards[school_a.id]))
    assert "\u201csetunim net rof pu dekool ydoboN\u201d" in quoted  # the quote marks stay around it


def test_the_fetcher_serves_only_allow_listed_assets() -> None:
    fetcher = AssetFetcher()
    font = fetcher.fetch(asset_url("fonts/DejaVuSans.ttf"))
    assert font.content_type == "font/ttf"
    assert font.read()[:4] == b"\x00\x01\x00\x00"
    for url in (
        "file:///etc/passwd",
        "FILE:///etc/hostname",
        "http://example.org/logo.png",
        "https://example.org/font.ttf",
        "data:image/png;base64,iVBORw0KGgo=",
        "ftp://example.org/x",
        asset_url("../render.py"),
        asset_url("fonts/missing.ttf"),
    ):
        with pytest.raises(RefusedURLError):
            fetcher.fetch(url)


@pytest.mark.parametrize(
    "source",
    [
        '<img src="file:///etc/hostname" alt="">',
        '<img src="http://127.0.0.1:9/x.png" alt="">',
        '<style>body { background: url("file:///etc/hostname") }</style>',
    ],
)
def test_rendering_stops_at_a_refused_url(source: str) -> None:
    renderer = Renderer()
    with pytest.raises(FatalURLFetchingError) as caught:
        HTML(
            string=f"<html lang=en><title>t</title>{source}<p>x</p></html>", url_fetcher=renderer.fetcher
        ).render(font_config=renderer.font_config)
    assert isinstance(caught.value.__cause__, RefusedURLError)


def test_district_summary_lists_every_school(session: Session) -> None:
    built = scorecard_world(session)
    summary = gather_summary(session, built.round)
    pdf = shared_renderer().district_summary(summary, identifier_for(inputs_hash(summary))).pdf
    text = text_of(pdf)
    for school in built.schools[:2]:
        assert school.name in text
    assert "Ranking of all schools" in text and "Heat map" in text
    assert f"{summary.median:.1f}" in text
    assert "Below the alert threshold" in text
    assert summary.flagged and summary.flagged[0].name in text


def test_page_one_as_png_for_a_human_to_look_at(rendered_world: RenderedWorld) -> None:
    pdf = pypdfium2.PdfDocument(rendered_world.pdf())
    try:
        image = pdf[0].render(scale=2).to_pil()
    finally:
        pdf.close()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    target = ARTIFACTS / "page1.png"
    image.save(target)
    assert image.size == (1224, 1584)  # Letter (612 × 792 points) at 144 dpi
    assert target.stat().st_size > 20_000
