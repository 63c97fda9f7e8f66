"""The demo's scorecards as a principal gets them: short, never a near-empty page, parts of the contact
grouped by channel under names no reader can mix up, and the lowest-ranked school's page 1 showing its
biggest problem with the day and time of every attempt (kept as a PNG beside page 2)."""

from __future__ import annotations

from pathlib import Path

import pypdfium2
from sqlalchemy.orm import Session

from audits.demo import load_demo
from reports.batch import inputs_hash
from reports.figures import ScorecardData, gather_round
from reports.render import day, identifier_for, shared_renderer
from reports.sections import confusable
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


def _assert_sections_grouped_and_told_apart(card: ScorecardData, text: str) -> None:
    """The parts of the contact come channel by channel, each channel's under its heading, the shared ones
    last, and no two names on the card are alike (the library's "Greeting" beside "Greeting and wait")."""
    order = ["Phone call", "Email", "Front-office visit", ""]
    channels = [row.channel for row in card.sections]
    assert channels == sorted(channels, key=order.index), card.school_name
    assert any(channels), card.school_name  # the library's sections belong to their channel
    for heading in dict.fromkeys(channels):
        assert (heading or "Every channel").upper() in text, (card.school_name, heading)
    labels = [row.label for row in card.sections]
    for index, first in enumerate(labels):
        for second in labels[index + 1 :]:
            assert not confusable(first, second), (card.school_name, first, second)


def test_every_demo_scorecard_fits_three_pages_and_no_page_is_near_empty(
    session: Session, tmp_path: Path
) -> None:
    demo = load_demo(session, today=TEST_TODAY, evidence_dir=tmp_path)
    session.flush()
    assert demo.earlier is not None
    renderer = shared_renderer()
    scored: list[tuple[ScorecardData, bytes, list[str]]] = []
    for round_ in (demo.earlier, demo.round):
        for card in gather_round(session, round_).scorecards.values():
            pdf = renderer.scorecard(card, identifier_for(inputs_hash(card))).pdf
            texts = page_texts(pdf)
            label = f"{card.school_name}, {card.round_name}"
            assert 1 <= len(texts) <= MAX_PAGES, (label, len(texts))
            assert all(len(text) >= MIN_PAGE_TEXT for text in texts), (label, [len(t) for t in texts])
            assert card.school_name in texts[0]
            if card.has_contacts:
                scored.append((card, pdf, texts))
                # Red, amber and green never speak alone: each verdict is written out on page 1.
                assert any(word in texts[0] for word in VERDICTS), label
                _assert_sections_grouped_and_told_apart(card, " ".join(texts))
    assert len(scored) >= 12
    typical = sorted(len(texts) for _, _, texts in scored)[len(scored) // 2]
    assert typical <= 2, "a typical school's scorecard is two pages"

    # The lowest-ranked school of the closed round, page 1 and 2, for a person to look at: page 1 shows
    # its biggest problem with the day and local time of every attempt behind it.
    closed = [entry for entry in scored if entry[0].round_id == demo.earlier.id and entry[0].rank]
    lowest, pdf, texts = max(closed, key=lambda entry: (entry[0].rank or 0, entry[0].school_name))
    problem = lowest.biggest_problem
    assert problem is not None and problem.records, lowest.school_name
    assert "Your biggest problem" in texts[0] and problem.label in texts[0]
    attempts = [attempt for record in problem.records for attempt in record.attempts]
    assert attempts
    for attempt in attempts:
        assert f"{attempt.weekday}, {day(attempt.day)} {attempt.time} {attempt.happened}" in texts[0], attempt
    saved = _save_pages(pdf, "demo-lowest", 2)
    assert [path.name for path in saved] == ["demo-lowest-page1.png", "demo-lowest-page2.png"]
    assert all(path.stat().st_size > 50_000 for path in saved)
    highest, pdf, _ = min(closed, key=lambda entry: (entry[0].rank or 0, entry[0].school_name))
    assert highest.rank == 1
    _save_pages(pdf, "demo-highest", 2)
