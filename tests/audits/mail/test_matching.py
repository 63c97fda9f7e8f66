"""Matching a fetched message to the contact it answers: thread, reply address, then sender and subject."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from audits.mail.classify import read_message
from audits.mail.matching import Match, MatchRule, SentMail, match_message, plus_token
from tests.audits.mail.messages import SCHOOL, bounce, reply

SENT = datetime(2027, 2, 8, 14, 0, tzinfo=UTC)
FIRST = SentMail(1, "<c1@persona.example>", "k1abc", SCHOOL, "Enrolling my daughter", SENT)
SECOND = SentMail(
    2, "<c2@persona.example>", "k2def", SCHOOL, "Enrolling my daughter", SENT + timedelta(days=1)
)
OTHER = SentMail(3, "<c3@persona.example>", "k3ghi", "main@jefferson.example", "Bus routes", SENT)
SENT_MAIL = [FIRST, SECOND, OTHER]
LATER = SENT + timedelta(days=2)


def test_threading_headers_win_over_everything_else() -> None:
    message = reply(at=LATER, in_reply_to="<c1@persona.example>", to="pat+k2def@persona.example")
    assert match_message(read_message(message.as_bytes()), SENT_MAIL) == Match(1, MatchRule.THREAD)


def test_references_alone_find_the_thread() -> None:
    message = reply(
        at=LATER, references="<elsewhere@x> <c3@persona.example>", sender="main@jefferson.example"
    )
    match = match_message(read_message(message.as_bytes()), SENT_MAIL)
    assert match == Match(3, MatchRule.THREAD) and match.confirmed


def test_the_reply_address_token_identifies_the_contact() -> None:
    message = reply(at=LATER, to="Pat <pat+K2DEF@persona.example>", subject="Your question")
    match = match_message(read_message(message.as_bytes()), SENT_MAIL)
    assert match == Match(2, MatchRule.REPLY_ADDRESS) and match.confirmed


def test_sender_and_subject_suggest_the_latest_contact_for_confirmation() -> None:
    message = reply(at=LATER, to="pat@persona.example", subject="RE: Enrolling my daughter")
    match = match_message(read_message(message.as_bytes()), SENT_MAIL)
    assert match == Match(2, MatchRule.SENDER_SUBJECT)
    assert match is not None and not match.confirmed


def test_sender_and_subject_skip_emails_sent_after_the_reply() -> None:
    message = reply(at=SENT + timedelta(hours=3), subject="Re: Enrolling my daughter")
    assert match_message(read_message(message.as_bytes()), SENT_MAIL) == Match(1, MatchRule.SENDER_SUBJECT)


def test_another_sender_or_subject_matches_nothing() -> None:
    assert (
        match_message(read_message(reply(at=LATER, subject="Re: Lunch menu").as_bytes()), SENT_MAIL) is None
    )
    stranger = reply(at=LATER, sender="someone@else.example")
    assert match_message(read_message(stranger.as_bytes()), SENT_MAIL) is None


def test_a_bounce_matches_by_its_returned_message_then_by_the_failed_address() -> None:
    read = read_message(bounce(SCHOOL, "<c1@persona.example>"))
    assert match_message(read, SENT_MAIL) == Match(1, MatchRule.THREAD)
    read = read_message(bounce(SCHOOL, "<unknown@persona.example>"))
    assert match_message(read, SENT_MAIL) == Match(2, MatchRule.BOUNCED_ADDRESS)


def test_touchpoints_own_tokens_are_read_from_addresses_and_message_ids() -> None:
    token = "0123456789abcdef0123"
    ours = SentMail(4, f"<tp.{token}.a1b2c3@persona.example>", token, SCHOOL, "Bus routes", SENT)
    by_address = reply(at=LATER, to=f"pat+tp.{token}@persona.example", subject="Hello")
    assert match_message(read_message(by_address.as_bytes()), [ours]) == Match(4, MatchRule.REPLY_ADDRESS)
    rewritten = reply(at=LATER, in_reply_to=f"<TP.{token.upper()}.A1B2C3@relay.example>")
    assert match_message(read_message(rewritten.as_bytes()), [ours]) == Match(4, MatchRule.THREAD)


def test_plus_tokens() -> None:
    assert plus_token("pat+ABC@persona.example") == "abc"
    assert plus_token("pat@persona.example") is None
    assert plus_token("pat+@persona.example") is None
    assert plus_token("not an address") is None
