"""Keys made from titles: one rule for rubric, section and item keys (``audits.keys``)."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from audits.errors import ValidationError
from audits.keys import MAX_SUGGESTED, KeySeparator, suggest_key
from audits.rubrics.editing import add_item, add_section, update_section
from audits.rubrics.spec import PART_KEY, RUBRIC_KEY
from audits.rubrics.versions import create_draft
from audits.rubrics.yamlio import rubric_from_yaml
from tests.audits.rubric_samples import EXAMPLE_YAML


@pytest.mark.parametrize(
    ("title", "part", "rubric"),
    [
        ("Greeting", "greeting", "greeting"),
        ("Phone standard 2027", "phone_standard_2027", "phone-standard-2027"),
        ("  Café & crèche: naïve façade!  ", "cafe_creche_naive_facade", "cafe-creche-naive-facade"),
        ("2. Courtesy", "courtesy", "courtesy"),
        ("1) 2) Answer quality", "answer_quality", "answer-quality"),
        ("2nd attempt", "nd_attempt", "nd-attempt"),
        (
            "Was the caller's question answered?",
            "was_the_caller_s_question_answered",
            "was-the-caller-s-question-answered",
        ),
        ("日本語", "", ""),
        ("", "", ""),
    ],
)
def test_a_key_is_the_titles_words_in_lower_case_ascii(title: str, part: str, rubric: str) -> None:
    assert suggest_key(title, KeySeparator.PART) == part
    assert suggest_key(title, KeySeparator.RUBRIC) == rubric


def test_a_long_title_is_cut_after_the_last_whole_word_that_fits() -> None:
    title = "Did the staff member give their name and role when they answered the phone?"
    key = suggest_key(title, KeySeparator.PART)
    assert key == "did_the_staff_member_give_their_name_and"
    assert len(key) <= MAX_SUGGESTED
    assert suggest_key("x" * 100, KeySeparator.PART) == "x" * MAX_SUGGESTED  # one long word: cut


def test_a_taken_key_gets_the_first_free_number() -> None:
    assert suggest_key("Greeting", KeySeparator.PART, {"greeting"}) == "greeting_2"
    assert suggest_key("Greeting", KeySeparator.PART, {"greeting", "greeting_2"}) == "greeting_3"
    assert suggest_key("Phone standard", KeySeparator.RUBRIC, {"phone-standard"}) == "phone-standard-2"
    long_title = "Did the staff member give their name and role when they answered?"
    taken = {suggest_key(long_title, KeySeparator.PART)}
    numbered = suggest_key(long_title, KeySeparator.PART, taken)
    assert numbered == "did_the_staff_member_give_their_name_2" and len(numbered) <= MAX_SUGGESTED


@pytest.mark.parametrize(
    "title", ["Greeting", "2. Courtesy", "Answer: quality (FAQ)", "A long " * 12, "Ünïcödé ok"]
)
def test_suggested_keys_pass_the_rubric_formats(title: str) -> None:
    assert PART_KEY.match(suggest_key(title, KeySeparator.PART))
    assert RUBRIC_KEY.match(suggest_key(title, KeySeparator.RUBRIC))


def test_a_blank_section_or_item_key_is_made_from_its_title(session: Session) -> None:
    rubric = create_draft(session, rubric_from_yaml(EXAMPLE_YAML))
    section = add_section(session, rubric, "  ", "Service")  # "service" is taken by the example
    assert section.key == "service_2"
    item = add_item(
        session,
        section,
        {"key": "", "prompt": "How courteous was the staff member?", "kind": "yes_no", "points": 1},
    )
    assert item.key == "how_courteous_was_the_staff_member"
    update_section(section, "", "Follow-up")
    assert section.key == "follow_up"
    with pytest.raises(ValidationError) as caught:
        add_section(session, rubric, "", "日本語")
    assert caught.value.problems == [("key", "type a key: the title has no letters to make one from")]
