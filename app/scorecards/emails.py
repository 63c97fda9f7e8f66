"""The email a principal gets when their school's scorecard is published: what it is and a link.

One email per principal, listing each of their schools' new scorecards with a
link that opens the PDF after sign-in. Nothing about the results is in the
email itself: the scorecard is read signed in, where its opening is recorded.
A failed email is logged and the others still go out. ``send_scorecard_emails_task``
(``touchpoint.send_scorecard_emails``) sends them from a worker.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass

from celery import shared_task
from flask import current_app, render_template_string
from sqlalchemy import select

from app.extensions import db
from app.mail import send_message
from audits.models import Round, Scorecard, User
from audits.scorecards import school_principals

log = logging.getLogger(__name__)

HTML = """\
<p>Hello {{ name }},</p>
<p>{{ district }} has published the front-office service
scorecard{{ 's' if links|length != 1 }} of {{ round }}:</p>
<ul>
{% for school, link in links %}  <li><a href="{{ link }}">{{ school }}</a></li>
{% endfor %}</ul>
<p>Each scorecard shows how families were served when they phoned, emailed and visited,
with three things to do next. You will also find it on your
<a href="{{ home }}">Touchpoint home page</a>.</p>
"""


@dataclass(frozen=True)
class PublicationEmail:
    """One principal's email."""

    to: str
    subject: str
    text: str
    html: str


def scorecard_link(base_url: str, card: Scorecard) -> str:
    """The absolute link to a scorecard's PDF."""
    return f"{base_url}/scorecards/{card.token}.pdf"


def build_email(user: User, round_: Round, cards: list[Scorecard], base_url: str) -> PublicationEmail:
    """Write ``user``'s email about ``cards`` of ``round_``."""
    links = [(card.school.name, scorecard_link(base_url, card)) for card in cards]
    name = user.name or user.email
    plural = "s" if len(links) != 1 else ""
    text = [
        f"Hello {name},",
        "",
        f"{round_.district.name} has published the front-office service scorecard{plural} of {round_.name}:",
        "",
        *(f"  - {school}: {link}" for school, link in links),
        "",
        "Each scorecard shows how families were served when they phoned, emailed and visited,",
        "with three things to do next. You will also find it on your Touchpoint home page:",
        f"{base_url}/",
    ]
    html = render_template_string(
        HTML,
        name=name,
        district=round_.district.name,
        round=round_.name,
        links=links,
        home=f"{base_url}/",
    )
    subject = f"Touchpoint: your scorecard{plural} for {round_.name}"
    return PublicationEmail(user.email, subject, "\n".join(text) + "\n", html)


def send_publication_emails(round_id: int, scorecard_ids: list[int]) -> int:
    """Email every active principal of the given scorecards' schools; return how many emails went out."""
    round_ = db.session.get(Round, round_id)
    if round_ is None or not scorecard_ids:
        return 0
    cards = list(db.session.scalars(select(Scorecard).where(Scorecard.id.in_(scorecard_ids))))
    cards = [card for card in cards if card.published_at is not None]  # unpublished meanwhile: no email
    principals = school_principals(db.session, {card.school_id for card in cards})
    per_user: dict[int, list[Scorecard]] = defaultdict(list)
    users: dict[int, User] = {}
    for card in sorted(cards, key=lambda c: c.school.name):
        for user in principals.get(card.school_id, []):
            users[user.id] = user
            per_user[user.id].append(card)
    base_url = current_app.config["PUBLIC_BASE_URL"]
    sent = 0
    for user_id, user_cards in per_user.items():
        email = build_email(users[user_id], round_, user_cards, base_url)
        try:
            send_message(email.to, email.subject, email.text, email.html)
        except Exception:  # one bad address or SMTP hiccup must not stop the others
            log.exception("could not email scorecard link to principal %s", user_id)
            continue
        sent += 1
    log.info("emailed %d principals about %d published scorecards of round %s", sent, len(cards), round_id)
    return sent


@shared_task(name="touchpoint.send_scorecard_emails")
def send_scorecard_emails_task(round_id: int, scorecard_ids: list[int]) -> int:
    """Email the principals of the given (newly published) scorecards; returns the emails sent."""
    return send_publication_emails(round_id, scorecard_ids)
