"""One vocabulary: every channel has one label, and any language code reads as its English name."""

from __future__ import annotations

from datetime import date

import pytest

from audits.models import Channel, Slot
from audits.planning.planner import (
    ChannelQuota,
    PlanAuditor,
    PlanRequest,
    PlanScenario,
    PlanSchool,
    plan_round,
)
from audits.vocabulary import (
    CHANNEL_LABELS,
    CHANNEL_SHORT_LABELS,
    OFFERED_LANGUAGES,
    channel_count,
    channel_label,
    channel_noun,
    count_of,
    language_name,
    language_names,
    plural,
)

MONDAY = date(2027, 2, 1)


def test_every_channel_has_one_label_a_short_form_and_a_noun() -> None:
    assert CHANNEL_LABELS == {
        Channel.PHONE: "Phone call",
        Channel.EMAIL: "Email",
        Channel.VISIT: "Front-office visit",
    }
    assert set(CHANNEL_SHORT_LABELS) == set(Channel)
    for channel in Channel:
        assert channel_label(channel) == channel_label(channel.value) == CHANNEL_LABELS[channel]
        assert channel_noun(channel) == CHANNEL_LABELS[channel].lower()


@pytest.mark.parametrize(
    ("channel", "count", "words"),
    [
        (Channel.PHONE, 1, "1 phone call"),
        (Channel.PHONE, 2, "2 phone calls"),
        (Channel.EMAIL, 0, "0 emails"),
        ("visit", 3, "3 front-office visits"),
    ],
)
def test_a_channel_counts_in_words(channel: str, count: int, words: str) -> None:
    assert channel_count(channel, count) == words


def test_an_unknown_channel_reads_as_it_is() -> None:
    assert channel_label("fax") == "fax"
    assert channel_noun("fax", 2) == "fax"


@pytest.mark.parametrize(
    ("code", "name"),
    [("en", "English"), ("es", "Spanish"), ("vi", "Vietnamese"), ("ht", "Haitian Creole"), ("hmn", "Hmong")],
)
def test_any_language_code_reads_as_its_english_name(code: str, name: str) -> None:
    assert language_name(code) == name


def test_a_code_in_capitals_reads_the_same_and_an_unknown_code_as_it_is() -> None:
    assert language_name("VI") == "Vietnamese"
    assert language_name("qq") == "qq"
    assert language_names(["en", "vi", "qq"]) == "English, Vietnamese, qq"
    assert language_names([]) == ""


def test_forms_offer_the_same_languages_by_their_names() -> None:
    assert list(OFFERED_LANGUAGES)[:2] == ["en", "es"]
    assert list(OFFERED_LANGUAGES.values())[:3] == ["English", "Spanish", "Vietnamese"]
    assert all(name == language_name(code) for code, name in OFFERED_LANGUAGES.items())


def _vietnamese_request(auditors: tuple[PlanAuditor, ...]) -> PlanRequest:
    return PlanRequest(
        schools=(PlanSchool(1, "elementary"),),
        auditors=auditors,
        quotas=(ChannelQuota(Channel.PHONE, 1, (PlanScenario(7, Channel.PHONE, "vi"),)),),
        days=(MONDAY,),
        slots=tuple(Slot),
        seed=1,
    )


def test_the_planner_names_the_language_no_auditor_speaks() -> None:
    plan = plan_round(_vietnamese_request((PlanAuditor(100, frozenset({"en", "es"})),)))
    assert [u.reason for u in plan.unplaced] == ["no auditor speaks Vietnamese"]


def test_the_planner_names_the_language_whose_speakers_all_have_a_conflict() -> None:
    speaker = PlanAuditor(100, frozenset({"en", "vi"}), conflicts=frozenset({1}))
    plan = plan_round(_vietnamese_request((speaker,)))
    assert [u.reason for u in plan.unplaced] == [
        "every Vietnamese-speaking auditor has a conflict with this school"
    ]


def test_a_noun_or_verb_agrees_with_its_count() -> None:
    assert [count_of(n, "school") for n in (0, 1, 2)] == ["0 schools", "1 school", "2 schools"]
    assert [plural(n, "has", "have") for n in (0, 1, 2)] == ["have", "has", "have"]
    # The usual English plurals; an irregular one is given.
    assert [plural(2, word) for word in ("reply", "day", "box", "match", "class", "key")] == [
        "replies", "days", "boxes", "matches", "classes", "keys",
    ]  # fmt: skip
    assert count_of(1, "person", "people") == "1 person" and count_of(3, "person", "people") == "3 people"
    assert plural(1.0, "second") == "second" and plural(1.5, "second") == "seconds"
    # The channel nouns count the same way.
    visits = [channel_count(Channel.VISIT, n) for n in (1, 2)]
    assert visits == ["1 front-office visit", "2 front-office visits"]
