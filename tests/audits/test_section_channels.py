"""Which channel each rubric section belongs to, so a scorecard can group its sections by channel."""

from __future__ import annotations

from sqlalchemy.orm import Session

from audits.library import load_library
from audits.results.sections import section_channels, section_titles

LIBRARY_KEYS = [
    "greeting", "wait_and_transfers", "courtesy", "response", "tone", "arrival_and_signage",
    "greeting_and_wait", "environment_and_safety", "answer", "language_access",
]  # fmt: skip


def test_library_sections_belong_to_their_channel_and_shared_ones_to_none(session: Session) -> None:
    load_library(session)
    session.flush()
    assert section_channels(session, [*LIBRARY_KEYS, "unknown"]) == {
        "greeting": "phone",
        "wait_and_transfers": "phone",
        "courtesy": "phone",
        "response": "email",
        "tone": "email",
        "arrival_and_signage": "visit",
        "greeting_and_wait": "visit",
        "environment_and_safety": "visit",
        "answer": "",
        "language_access": "",
        "unknown": "",
    }
    assert section_channels(session, []) == {}


def test_library_section_titles_are_distinct(session: Session) -> None:
    """No "Greeting" beside "Greeting and wait": no title's words are all in another title."""
    load_library(session)
    session.flush()
    titles = list(section_titles(session, LIBRARY_KEYS).values())
    assert len(titles) == len(set(titles)) == len(LIBRARY_KEYS)
    words = [
        set(title.casefold().replace(",", "").split()) - {"and", "the", "a", "of", "to", "at"}
        for title in titles
    ]
    for index, first in enumerate(words):
        for second in words[index + 1 :]:
            assert not first <= second and not second <= first, titles
