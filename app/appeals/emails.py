"""The email a principal gets when their appeal is decided: the outcome, the reason, a link.

Written to the outbox in the decision's own transaction (``audits.outbox``), sent by
``app.outbox``. It names the contact by its number on the scorecard, its channel and day,
never the auditor, nor the reviewer who decided.
"""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from flask import render_template_string

from app.extensions import db
from app.links import public_base_url
from audits.appeals.answers import appendix_ref
from audits.appeals.decisions import item_of
from audits.appeals.window import published_scorecard
from audits.models import Appeal, AppealOutcome
from audits.outbox import enqueue
from audits.vocabulary import channel_label

APPEAL_DECIDED = "appeal_decided"

HTML = """\
<p>Hello {{ name }},</p>
<p>Your query of an answer on the {{ round }} scorecard of {{ school }} has been decided:
<strong>{{ outcome }}</strong>.</p>
<ul>
  <li>Contact: {{ contact }}</li>
  <li>Question: {{ prompt }}</li>
  <li>Answer you queried: {{ queried }}</li>
  {% if corrected %}<li>Corrected answer: {{ corrected }}</li>{% endif %}
</ul>
<p>Reason: {{ reason }}</p>
<p>{{ after }}</p>
<p><a href="{{ link }}">See the appeal in Touchpoint</a></p>
"""


@dataclass(frozen=True)
class DecisionEmail:
    """One principal's email about one decided appeal."""

    to: str
    subject: str
    text: str
    html: str


def build_decision_email(appeal: Appeal, base_url: str) -> DecisionEmail:
    """Write the email telling the principal who filed ``appeal`` how it was decided."""
    contact = appeal.contact
    assignment = contact.assignment
    card = published_scorecard(db.session, assignment.school, assignment.round)
    ref = appendix_ref(db.session, card, contact.id) if card is not None else None
    zone = ZoneInfo(assignment.round.district.timezone)
    day = contact.started_at.astimezone(zone).date() if contact.started_at else None
    described = channel_label(assignment.channel.value) + (
        f" on {day:%B} {day.day}, {day.year}" if day else ""
    )
    contact_words = f"#{ref}, {described}" if ref else described
    upheld = appeal.outcome is AppealOutcome.UPHELD
    outcome = "upheld" if upheld else "not upheld"
    after = (
        "The answer is corrected and every figure of your scorecard now includes the correction; "
        "the scorecard says it changed on appeal."
        if upheld
        else "The answer stands, and so does your scorecard."
    )
    name = appeal.filed_by.name or appeal.filed_by.email
    prompt = item_of(appeal).prompt
    link = f"{base_url}/appeals/{appeal.id}"
    text = [
        f"Hello {name},",
        "",
        f"Your query of an answer on the {assignment.round.name} scorecard of {assignment.school.name} "
        f"has been decided: {outcome}.",
        "",
        f"  Contact: {contact_words}",
        f"  Question: {prompt}",
        f"  Answer you queried: {appeal.queried_answer}",
        *([f"  Corrected answer: {appeal.corrected_answer}"] if upheld else []),
        "",
        f"Reason: {appeal.decision_reason}",
        "",
        after,
        "",
        f"See the appeal in Touchpoint: {link}",
    ]
    html = render_template_string(
        HTML,
        name=name,
        round=assignment.round.name,
        school=assignment.school.name,
        outcome=outcome,
        contact=contact_words,
        prompt=prompt,
        queried=appeal.queried_answer,
        corrected=appeal.corrected_answer if upheld else "",
        reason=appeal.decision_reason,
        after=after,
        link=link,
    )
    subject = f"Touchpoint: your appeal on {assignment.school.name}'s scorecard was {outcome}"
    return DecisionEmail(appeal.filed_by.email, subject, "\n".join(text) + "\n", html)


def queue_decision_email(appeal: Appeal) -> bool:
    """Put the decision's email to the principal who filed ``appeal`` in the outbox (in the decision's
    transaction); ``False`` when their account is switched off and nobody is emailed."""
    if not appeal.filed_by.active:
        return False
    email = build_decision_email(appeal, public_base_url())
    round_id = appeal.contact.assignment.round_id
    enqueue(db.session, APPEAL_DECIDED, email.to, email.subject, email.text, email.html, round_id=round_id)
    return True
