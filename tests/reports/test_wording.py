"""The words of a scorecard: names kept out of quotes, the choice of quotes, the headline sentence."""

from __future__ import annotations

from datetime import date

from audits.scoring.precision import RankBand, RankStanding
from reports.comments import Candidate, choose, redact
from reports.wording import ordinal, reach_phrase, standing_sentence


def test_redact_removes_titled_names_staff_and_the_auditor() -> None:
    text = (
        "Ms. Rivera and Dr. Mary-Ann O'Neil helped; Pat Morgan was out; Avery Quinn (me) waited. Mr Lee too."
    )
    assert redact(text, ["Pat Morgan"], "Avery Quinn") == (
        "[staff member] and [staff member] helped; [staff member] was out; [auditor] (me) waited. "
        "[staff member] too."
    )
    assert redact("I asked for the principal.", ["Pat Principal"]) == "I asked for the principal."
    long = "word " * 200
    assert redact(long, []).endswith("…") and len(redact(long, [])) <= 321


def test_redact_removes_every_email_address_before_names() -> None:
    text = "The reply went to avery.quinn@shoppers.example, copied to o'neil+office@school.k12.fl.us."
    assert redact(text, [], "Avery Quinn") == (
        "The reply went to [email address], copied to [email address]."
    )


def test_redact_removes_phone_numbers_and_keeps_scores_dates_and_times() -> None:
    text = (
        "Call me back on (904) 555-0199 or 904.555.0198, +1 904 555 0197 ext. 12; the desk is 555-0196 "
        "and the fax 9045550195 x7."
    )
    assert redact(text, []) == (
        "Call me back on [phone number] or [phone number], [phone number]; the desk is [phone number] "
        "and the fax [phone number]."
    )
    kept = "Rated 3-4 of 5 on 2027-02-01 at 10:30; waited 12 minutes, 2 rings, room 101-B, 1,250 students."
    assert redact(kept, []) == kept


def _candidate(
    contact: int, text: str, fraction: float | None, score: float, free: bool = False
) -> Candidate:
    return Candidate(contact, "Phone", date(2027, 2, contact), text, fraction, score, free, 1)


def test_choose_shows_strengths_and_problems_without_repeats() -> None:
    candidates = [
        _candidate(1, "Warm and quick.", 1.0, 95),
        _candidate(1, "Warm and quick!", 1.0, 95),  # the same words: shown once
        _candidate(2, "Kind, named the school.", None, 88, free=True),
        _candidate(3, "Hung up on me.", 0.0, 10),
        _candidate(4, "Could not say which papers.", 0.25, 40),
        _candidate(5, "Rude.", 0.0, 5),
        _candidate(6, "Patient.", 1.0, 90),
        _candidate(7, "Fine.", 0.6, 65),
        _candidate(8, "Lost my message.", 0.0, 30),
    ]
    quotes = choose(candidates)
    assert [quote.text for quote in quotes] == [
        "Warm and quick.",
        "Kind, named the school.",
        "Patient.",
        "Hung up on me.",
        "Rude.",
        "Lost my message.",
    ]  # the three best strengths and the three worst problems, each side in date order
    assert [quote.strength for quote in quotes] == [True, True, True, False, False, False]


def test_choose_fills_up_to_three_when_one_side_is_short() -> None:
    quotes = choose(
        [_candidate(1, "Great.", 1.0, 99), _candidate(2, "Okay.", 0.6, 70), _candidate(3, "Meh.", 0.6, 66)]
    )
    assert len(quotes) == 3


def _exact(rank: int, of: int) -> RankStanding:
    return RankStanding(rank, of, rank, rank, RankBand.EXACT)


def test_standing_sentence() -> None:
    assert standing_sentence("Abess Park", 82.4, 76.1, _exact(1, 12), 4.2) == (
        "Abess Park is in the top quarter of the district: 1st of 12 schools, "
        "6.3 points above the median and up 4.2 points since the last round."
    )
    assert standing_sentence("Arlington", 40.0, 76.1, _exact(12, 12), -3.0) == (
        "Arlington is in the bottom quarter of the district: 12th of 12 schools, "
        "36.1 points below the median and down 3.0 points since the last round."
    )
    assert standing_sentence("Bayview", 70.0, 69.0, _exact(6, 12), None) == (
        "Bayview is 1.0 point above the district median: 6th of 12 schools."
    )
    assert standing_sentence("Solo", 70.0, 70.0, _exact(1, 1), 0.01) == (
        "Solo is at the district median: 1st of 1 school and unchanged since the last round."
    )
    assert standing_sentence("Blank", None, 70.0, None, None).startswith("None of the contacts with Blank")


def test_standing_sentence_gives_the_band_when_the_rank_is_not_exact() -> None:
    # First by score, but its interval overlaps the next two schools': the top quarter, never "1st".
    top = RankStanding(1, 12, 1, 3, RankBand.TOP_QUARTER)
    assert standing_sentence("Abess Park", 82.4, 76.1, top, None) == (
        "Abess Park is 6.3 points above the district median: ranked among the top quarter (1st–3rd of 12)."
    )
    anywhere = RankStanding(12, 12, 1, 12, RankBand.RANGE)
    assert standing_sentence("Alimacani", 50.8, 82.7, anywhere, None) == (
        "Alimacani is 31.9 points below the district median: ranked between 1st and 12th of 12."
    )


def test_reach_phrase_and_ordinals() -> None:
    assert reach_phrase("phone", 2, 3) == "2 of 3 calls reached a person"
    assert reach_phrase("phone", 1, 1) == "1 of 1 call reached a person"
    assert reach_phrase("email", 0, 2) == "0 of 2 emails got a personal reply"
    assert reach_phrase("visit", 1, 1) == "1 of 1 visit was served"
    assert [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "101st", "111th",
    ]  # fmt: skip
