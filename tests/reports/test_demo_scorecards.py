"""The demo's scorecards as a principal gets them: short, never a near-empty page, page 1 kept as a PNG."""

from __future__ import annotations

from pathlib import Path

import pypdfium2
from sqlalchemy.orm import Session

from audits.demo import load_demo
from reports.batch import inputs_hash
from reports.figures import ScorecardData, gather_round
from reports.render import Renderer, identifier_for
from tests.conftest import SCORECARD_ARTIFACTS, TEST_TODAY
from tests.reports.pdf_checks import page_texts

ARTIFACTS = SCORECARD_ARTIFACTS
MAX_PAGES = 3
MIN_PAGE_TEXT = 200
VERDICTS = ("Meets", "Near", "Below")


def _save_pages(pdf: bytes, name: str, pages: int) -> list[Path]:
    document = pypdfium2.PdfDocument(pdf)
    saved = []
    try:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        for index in range(min(pages, len(document))):
            target = ARTIFACTS / f"{name}-page{index + 1}.png"
            document[index].render(scale=2).to_pil().save(target)
            saved.append(target)
    finally:
        document.close()
    return saved


def test_every_demo_scorecard_fits_three_pages_and_no_page_is_near_empty(
    session: Session, tmp_path: Path
) -> None:
    demo = load_demo(session, today=TEST_TODAY, evidence_dir=tmp_path)
    session.flush()
    assert demo.earlier is not None
    renderer = Renderer()
    scored: list[tuple[ScorecardData, bytes]] = []
    for round_ in (demo.earlier, demo.round):
        for card in gather_round(session, round_).scorecards.values():
            pdf = renderer.scorecard(card, identifier_for(inputs_hash(card))).pdf
            texts = page_texts(pdf)
            label = f"{card.school_name}, {card.round_name}"
            assert 1 <= len(texts) <= MAX_PAGES, (label, len(texts))
            assert all(len(text) >= MIN_PAGE_TEXT for text in texts), (label, [len(t) for t in texts])
            assert card.school_name in texts[0]
            if card.has_contacts:
                scored.append((card, pdf))
                # Red, amber and green never speak alone: each verdict is written out on page 1.
                assert any(word in texts[0] for word in VERDICTS), label
    assert len(scored) >= 12
    typical = sorted(len(page_texts(pdf)) for _, pdf in scored)[len(scored) // 2]
    assert typical <= 2, "a typical school's scorecard is two pages"

    # The lowest-ranked school of the closed round, page 1 and 2, for a person to look at.
    closed = [(card, pdf) for card, pdf in scored if card.round_id == demo.earlier.id and card.rank]
    _, pdf = max(closed, key=lambda pair: (pair[0].rank or 0, pair[0].school_name))
    saved = _save_pages(pdf, "demo-lowest", 2)
    assert [path.name for path in saved] == ["demo-lowest-page1.png", "demo-lowest-page2.png"]
    assert all(path.stat().st_size > 50_000 for path in saved)
    highest, pdf = min(closed, key=lambda pair: (pair[0].rank or 0, pair[0].school_name))
    assert highest.rank == 1
    _save_pages(pdf, "demo-highest", 2)
