"""Every family's words print: quotes in seven scripts are drawn with real glyphs, never boxes."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date

from markupsafe import escape
from sqlalchemy.orm import Session

from reports.batch import inputs_hash
from reports.comments import Quote
from reports.figures import gather_round
from reports.render import direction, identifier_for, isolated, needs_isolation, shared_renderer
from tests.reports.pdf_checks import page_texts, shown_glyphs
from tests.reports.scorecard_helpers import scorecard_world

QUOTES = {
    "Japanese": "受付の方はとても親切で、必要な書類をすぐに教えてくれました。",
    "Chinese": "接电话的老师很有耐心\uff0c告诉我校车的时间。",  # with a full-width comma
    "Vietnamese": "Cô ấy trả lời rất nhanh và chỉ cho tôi giấy tờ cần thiết.",
    "Arabic": "لم يرد أحد على الهاتف بعد ١٢ رنة.",
    "Korean": "직원이 친절하게 안내해 주었습니다.",
    "Hebrew": "המזכירה ענתה מהר ובנימוס.",
    "Latin": "Très aimable ; la réponse était claire, merci à l'accueil.",
}
RIGHT_TO_LEFT = {"Arabic", "Hebrew"}


def _card_saying(session: Session, quotes: list[str]):  # type: ignore[no-untyped-def]
    built = scorecard_world(session)
    card = gather_round(session, built.round).scorecards[built.schools[0].id]
    card.quotes = [
        Quote(text, "Phone call", date(2026, 10, 6), index % 2 == 0) for index, text in enumerate(quotes)
    ]
    return card


def test_quotes_in_seven_scripts_print_with_real_glyphs(session: Session) -> None:
    card = _card_saying(session, list(QUOTES.values()))
    renderer = shared_renderer()
    html = renderer.html("scorecard.html", card=card)
    for script, text in QUOTES.items():
        expected = "rtl" if script in RIGHT_TO_LEFT else "ltr"
        assert direction(text) == expected
        # Right-to-left words are isolated from the quotation marks around them; others need no isolate.
        words = re.escape(str(escape(text)))
        quoted = rf"<bdi>{words}</bdi>" if script in RIGHT_TO_LEFT else words
        assert re.search(rf'<blockquote dir="{expected}">“{quoted}”</blockquote>', html), script
    pdf = renderer.scorecard(card, identifier_for(inputs_hash(card))).pdf

    glyphs = shown_glyphs(pdf)
    assert [font for font, glyph in glyphs if glyph == 0] == []  # no .notdef: no empty box anywhere
    fonts = {font for font, _ in glyphs}
    assert {"Touchpoint-Sans", "Touchpoint-CJK", "Touchpoint-Arabic", "Touchpoint-Hebrew"} <= fonts
    text = "".join(page_texts(pdf)).replace(" ", "")  # a line may break anywhere in Japanese or Chinese
    for script, quote in QUOTES.items():
        if script != "Arabic":
            assert quote.replace(" ", "") in text, script
    # Arabic comes back from the glyphs as shaped, in visual order: every letter is there all the same.
    letters = Counter(QUOTES["Arabic"].replace(" ", ""))
    assert not letters - Counter(text)


def test_the_check_sees_a_box_when_no_bundled_font_has_the_character(session: Session) -> None:
    """A private-use character has no glyph in any font: the check above would catch it."""
    card = _card_saying(session, ["Before \ue000 after", "Fine words", "More fine words"])
    pdf = shared_renderer().scorecard(card, identifier_for(inputs_hash(card))).pdf
    assert [glyph for _, glyph in shown_glyphs(pdf) if glyph == 0]


def test_only_text_that_could_reorder_its_neighbours_is_isolated() -> None:
    """A ``<bdi>`` is an inline box WeasyPrint pays for: left-to-right text goes without one."""
    left_to_right = ["Abess Park", "Señora Díaz ¿qué?", "Ngọc Trần", QUOTES["Japanese"], QUOTES["Korean"]]
    for text in [*left_to_right, "12.5%"]:
        assert not needs_isolation(text), text
    for text in (QUOTES["Arabic"], QUOTES["Hebrew"], "abc\u202edef", "a\u200fb", "x\u2066y", "one\ntwo"):
        assert needs_isolation(text), text
    assert isolated("<b>Abess</b>") == "&lt;b&gt;Abess&lt;/b&gt;"
    assert isolated("\u202eNorth") == "<bdi>\u202eNorth</bdi>"
