"""Emails about action plans: a leader's decision to the school's principals, and overdue reminders.

Both are written to the outbox (``audits.outbox``) in the transaction of the change they announce,
and sent by ``app.outbox``. They link to the plan, read signed in; a reminder lists each overdue
action with who is responsible (by role) and when it was due.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import render_template_string

from app.extensions import db
from app.links import public_base_url
from audits.models import ActionPlan, PlanStatus
from audits.outbox import enqueue
from audits.plans.reminders import PrincipalReminder
from audits.plans.roles import responsible_label
from audits.scorecards import school_principals
from audits.vocabulary import count_of

PLAN_DECIDED = "plan_decided"
PLAN_OVERDUE = "plan_overdue"

DECISION_HTML = """\
<p>Hello {{ name }},</p>
<p>{{ sentence }}</p>
{% if comment %}<blockquote>{{ comment }}</blockquote>{% endif %}
<p><a href="{{ link }}">Open the plan</a></p>
"""

REMINDER_HTML = """\
<p>Hello {{ name }},</p>
<p>These actions of your school's action plan are past their due date:</p>
<ul>
{% for line, link in lines %}  <li><a href="{{ link }}">{{ line }}</a></li>
{% endfor %}</ul>
<p>Close each action with what was done (a text, a file or a photo) once it is done.</p>
<p style="color:#666">Touchpoint sends these reminders at most once a school day.</p>
"""


@dataclass(frozen=True)
class PlanEmail:
    """One email: to whom, its subject and its plain-text and HTML bodies."""

    to: str
    subject: str
    text: str
    html: str


def plan_link(base_url: str, plan_id: int) -> str:
    """The absolute link to a plan's page."""
    return f"{base_url}/plans/{plan_id}"


def queue_decision(plan: ActionPlan, comment: str = "") -> int:
    """Write to the outbox the email telling the school's principals the leader's decision; return how
    many emails."""
    link = plan_link(public_base_url(), plan.id)
    approved = plan.status is PlanStatus.APPROVED
    school, round_ = plan.school.name, plan.round.name
    if approved:
        subject = f"Touchpoint: your action plan for {school} is approved"
        sentence = (
            f"The action plan of {school} for {round_} is approved. "
            "Close each action with its evidence once it is done."
        )
    else:
        subject = f"Touchpoint: your action plan for {school} was sent back"
        sentence = (
            f"The action plan of {school} for {round_} was sent back with this comment; "
            "change it and submit it again."
        )
    queued = 0
    for user in school_principals(db.session, {plan.school_id})[plan.school_id]:
        name = user.name or user.email
        text = [f"Hello {name},", "", sentence, ""]
        if comment:
            text += [*(f"> {line}" for line in comment.splitlines()), ""]
        text += ["Open the plan:", link]
        html = render_template_string(DECISION_HTML, name=name, sentence=sentence, comment=comment, link=link)
        enqueue(db.session, PLAN_DECIDED, user.email, subject, "\n".join(text) + "\n", html, plan.round_id)
        queued += 1
    return queued


def reminder_email(reminder: PrincipalReminder, base_url: str) -> PlanEmail:
    """One principal's reminder of their overdue actions."""
    lines = [
        (
            f"{item.school_name}: {item.change} ({responsible_label(item.responsible)}, "
            f"due {item.due_on:%a, %b} {item.due_on.day})",
            plan_link(base_url, item.plan_id),
        )
        for item in reminder.actions
    ]
    text = [
        f"Hello {reminder.name},",
        "",
        "These actions of your school's action plan are past their due date:",
        "",
    ]
    text += [f"  - {line}\n    {link}" for line, link in lines]
    text += [
        "",
        "Close each action with what was done (a text, a file or a photo) once it is done.",
        "Touchpoint sends these reminders at most once a school day.",
    ]
    html = render_template_string(REMINDER_HTML, name=reminder.name, lines=lines)
    subject = f"Touchpoint: {count_of(len(lines), 'action')} of your plan overdue"
    return PlanEmail(reminder.email, subject, "\n".join(text) + "\n", html)
