"""Which sent email a fetched message answers: by thread, by reply address, then by sender and subject.

Three rules, tried in order, the first that finds one contact wins:

1. **Thread**: a Message-ID in ``In-Reply-To`` or ``References`` (or, for a bounce, in the
   returned original) is the Message-ID Touchpoint sent for the contact.
2. **Reply address**: the message was delivered to the contact's reply address
   (``persona+TOKEN@…``; the token is the contact's).
3. **Sender and subject**: the message comes from the school's email address and its subject
   is the sent subject with a reply prefix (``Re: …``). Mail programs that drop threading
   headers and reply to the bare address still land here, but so could an unrelated message,
   so this match is only a suggestion: the auditor confirms it (or says it is not this contact).

A bounce matches by the thread of the returned original, else by the failed address being the
school's email (the most recent email sent to it before the bounce).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from audits.mail.addresses import token_in_address, token_in_message_id
from audits.mail.classify import MessageKind, ReadMessage, normalise_subject


class MatchRule(StrEnum):
    """How a message was matched to a contact."""

    THREAD = "thread"
    REPLY_ADDRESS = "reply_address"
    SENDER_SUBJECT = "sender_subject"
    BOUNCED_ADDRESS = "bounced_address"

    @property
    def needs_confirmation(self) -> bool:
        """Whether the auditor must confirm the match before it counts."""
        return self is MatchRule.SENDER_SUBJECT

    @property
    def label(self) -> str:
        """The rule in an auditor's words."""
        return {
            MatchRule.THREAD: "Answers the sent email (its threading headers)",
            MatchRule.REPLY_ADDRESS: "Sent to the contact's reply address",
            MatchRule.SENDER_SUBJECT: "From the school's address with the sent subject (please confirm)",
            MatchRule.BOUNCED_ADDRESS: "Returned from the school's address",
        }[self]


@dataclass(frozen=True)
class SentMail:
    """What was sent for one contact, as matching needs it."""

    contact_id: int
    message_id: str
    reply_token: str
    school_email: str
    subject: str
    sent_at: datetime


@dataclass(frozen=True)
class Match:
    """The contact a message belongs to and the rule that said so."""

    contact_id: int
    rule: MatchRule

    @property
    def confirmed(self) -> bool:
        """Whether the match counts without the auditor's confirmation."""
        return not self.rule.needs_confirmation


def plus_token(address: str) -> str | None:
    """The contact's token in a reply address: ``local+tp.TOKEN@domain`` (as sent), else any ``+tag``."""
    found = token_in_address(address)
    if found is not None:
        return found
    local, at, _ = address.rpartition("@")
    if not at or "+" not in local:
        return None
    token = local.split("+", 1)[1].strip().lower()
    return token or None


def match_message(message: ReadMessage, sent: Sequence[SentMail]) -> Match | None:
    """The contact ``message`` answers among the emails ``sent``, by the first rule that finds one."""
    by_id = {mail.message_id.strip().lower(): mail for mail in sent if mail.message_id}
    by_token = {mail.reply_token.lower(): mail for mail in sent if mail.reply_token}
    for message_id in message.thread_ids:
        found = by_id.get(message_id.strip().lower())
        if found is None and (token := token_in_message_id(message_id)) is not None:
            found = by_token.get(token)  # our Message-ID, rewritten on the way (case, a relay's domain)
        if found is not None:
            return Match(found.contact_id, MatchRule.THREAD)
    for address in message.recipients:
        token = plus_token(address)
        if token is not None and token in by_token:
            return Match(by_token[token].contact_id, MatchRule.REPLY_ADDRESS)
    if message.kind is MessageKind.BOUNCE:
        failed = {address.lower() for address in message.bounced}
        latest = _latest(mail for mail in sent if mail.school_email.lower() in failed)
        return Match(latest.contact_id, MatchRule.BOUNCED_ADDRESS) if latest else None
    subject = normalise_subject(message.subject)
    if message.sender and subject:
        latest = _latest(
            mail
            for mail in sent
            if mail.school_email.lower() == message.sender.lower()
            and normalise_subject(mail.subject) == subject
            and (message.sent_at is None or mail.sent_at <= message.sent_at)
        )
        if latest is not None:
            return Match(latest.contact_id, MatchRule.SENDER_SUBJECT)
    return None


def _latest(candidates: Iterable[SentMail]) -> SentMail | None:
    return max(candidates, key=lambda mail: (mail.sent_at, mail.contact_id), default=None)
