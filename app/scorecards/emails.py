"""The email a principal gets when their school's scorecard is published: what it is and a link.

One email per principal, listing each of their schools' new scorecards with a
link that opens the PDF after sign-in. Nothing about the results is in the
email itself: the scorecard is read signed in, where its opening is recorded.
The emails are written to the outbox in the publication's own transaction and
sent by ``app.outbox``: a broker or SMTP outage delays them, never loses them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from flask import render_template_string

from app.extensions import db
from app.links import public_base_url
from audits.models import Round, Scorecard, User
from audits.outbox import SCORECARDS_PUBLISHED, enqueue
from audits.scorecards import recipients
from audits.vocabulary import plural

log = logging.getLogger(__name__)

HTML = """\
<p>Hello {{ name }},</p>
<p>{{ district }} has published the front-office service
{{ plural(links|length, 'scorecard') }} of {{ round }}:</p>
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
    scorecards = plural(len(links), "scorecard")
    text = [
        f"Hello {name},",
        "",
        f"{round_.district.name} has published the front-office service {scorecards} of {round_.name}:",
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
    subject = f"Touchpoint: your {scorecards} for {round_.name}"
    return PublicationEmail(user.email, subject, "\n".join(text) + "\n", html)


def queue_publication_emails(round_: Round, cards: list[Scorecard]) -> int:
    """Put one email per active principal of ``cards``' schools in the outbox; return how many.

    Called in the publication's transaction, so the emails exist exactly when the
    publication does; ``app.outbox`` sends them. The principals are those the confirmation
    page listed (``audits.scorecards.recipients``).
    """
    emailed = recipients(db.session, cards)
    base_url = public_base_url()
    for recipient in emailed:
        email = build_email(recipient.user, round_, recipient.cards, base_url)
        enqueue(
            db.session,
            SCORECARDS_PUBLISHED,
            email.to,
            email.subject,
            email.text,
            email.html,
            round_id=round_.id,
        )
    log.info(
        "queued emails to %d principals about %d scorecards of round %s", len(emailed), len(cards), round_.id
    )
    return len(emailed)
