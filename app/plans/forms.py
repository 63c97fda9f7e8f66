"""Forms of the action plan pages. Real validation happens in ``audits.plans``."""

from __future__ import annotations

from datetime import date

from flask_wtf.file import FileField
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.widgets import DateInput

from app.forms import SiteForm
from audits.plans.actions import WHOLE_PLAN_LABEL
from audits.plans.roles import RESPONSIBLE_ROLES
from audits.plans.weak import WHOLE_PLAN, Weaknesses

# What the file picker offers first (the content decides what is accepted); photos may come from the camera.
ACCEPT = "image/*,.txt,text/plain,.eml,message/rfc822,audio/*"


class ActionForm(SiteForm):
    """One action: what will change, who by role, by when, what it answers, which coaching tip."""

    # The domain reports a bad choice in its own words, so the selects do not check their choices.
    target = SelectField(
        "What it answers",
        description="One of the weak items of the scorecard, or the plan as a whole.",
        validate_choice=False,
    )
    change = TextAreaField(
        "What will change",
        description="What the school will do differently, in a sentence or two a family would understand.",
        render_kw={"rows": 3},
    )
    responsible = SelectField(
        "Who is responsible",
        description="By role, not by name: the plan outlives staff changes.",
        validate_choice=False,
    )
    due_on = StringField("Due", description="Today or later.", widget=DateInput())
    resource_item_id = SelectField(
        "Training resource (optional)",
        description="A coaching tip from the rubric library to train the staff with.",
        validate_choice=False,
    )

    def offer(self, weak: Weaknesses) -> None:
        """Fill the choices from the school's weak items and the coaching tips offered."""
        self.target.choices = [
            (WHOLE_PLAN, WHOLE_PLAN_LABEL),
            *((item.key, item.label) for item in weak.items),
        ]
        self.responsible.choices = [("", "Choose a role"), *RESPONSIBLE_ROLES.items()]
        self.resource_item_id.choices = [
            ("", "None"),
            *((str(resource.item_id), resource.tip) for resource in weak.resources),
        ]


def parse_day(text: str | None) -> date | None:
    """A day typed as ``YYYY-MM-DD`` (what date inputs send), or ``None`` when empty or unreadable."""
    try:
        return date.fromisoformat((text or "").strip())
    except ValueError:
        return None


def parse_id(text: str | None) -> int | None:
    """A chosen id, or ``None`` for no choice; an unreadable one is ``0``, which nothing has."""
    text = (text or "").strip()
    if not text:
        return None
    return int(text) if text.isdigit() and len(text) < 10 else 0


class SendBackForm(SiteForm):
    """Why a leader sends a plan back."""

    comment = TextAreaField(
        "What to change",
        description="The principal reads this on the plan and in the email telling them.",
        render_kw={"rows": 3},
    )


class CloseActionForm(SiteForm):
    """The evidence an action was done: a text, a file or a photo."""

    evidence_text = TextAreaField(
        "What was done",
        description="For example: the office manager trained the front-desk staff on Jan 12.",
        render_kw={"rows": 3},
    )
    file = FileField(
        "A file or a photo (optional)",
        description="A photo (JPEG or PNG), an email (.eml), a recording or a text file.",
        render_kw={"accept": ACCEPT},
    )


class PlanSettingsForm(SiteForm):
    """The district's rule for closing actions."""

    plan_evidence_required = BooleanField(
        "Require evidence before an action is closed",
        description="Principals must say what was done, or attach a file or a photo, to close an action.",
    )
