"""Forms of the appeal pages: the principal's query, and the reviewer's decision with its corrected answer.

The decision form's answer field fits the item queried: yes/no, the scale's points, the options,
a number, or (for an answer worked out from a recorded fact) the fact itself: the rings, the
seconds, the transfers, whether a name was given, when the reply arrived. ``correction`` turns
what was typed into the domain's ``Correction``; the domain says what does not fit.
"""

from __future__ import annotations

from typing import Any

from wtforms import BooleanField, Field, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import DateTimeLocalInput, NumberInput

from app.forms import SiteForm
from audits.appeals.decisions import Correction, fact_field
from audits.appeals.filing import MAX_EVIDENCE, MAX_REASON
from audits.fieldwork.drafts import parse_local
from audits.fieldwork.entry import TIMING_TYPES
from audits.models import ItemKind, RubricItem

NA = "na"
YES_NO = [SelectChoice("yes", "Yes"), SelectChoice("no", "No")]
# What a corrected fact is called on the form.
FACT_LABELS = {
    "rings": "Corrected number of rings before a person answered",
    "hold_seconds": "Corrected longest hold, in seconds",
    "transfers": "Corrected number of transfers",
    "staff_gave_name": "Did the staff member give their name?",
    "reply_at": "Corrected time the reply arrived",
    "greeted_seconds": "Corrected seconds until someone greeted the visitor",
    "wait_seconds": "Corrected total wait, in seconds",
}


class AppealForm(SiteForm):
    """A principal's query of one answer: why it is wrong, and what shows it."""

    reason = TextAreaField(
        "Why is this answer wrong?",
        description="Say what happened on your side. A reviewer who did not approve this contact reads it.",
        render_kw={"rows": 5, "maxlength": MAX_REASON},
    )
    evidence = TextAreaField(
        "What shows it (optional)",
        description="For example: an entry of your phone log, the time your reply was sent, a sign-in sheet. "
        "Leave out students' and families' names.",
        render_kw={"rows": 3, "maxlength": MAX_EVIDENCE},
    )


class DecisionForm(SiteForm):
    """A reviewer's decision; ``value`` (and ``na``) are added to fit the item (``decision_form``)."""

    outcome = RadioField(
        "Decision",
        choices=[
            SelectChoice("upheld", "Upheld: the answer was wrong, correct it"),
            SelectChoice("not_upheld", "Not upheld: the answer stands"),
        ],
        validate_choice=False,
    )
    reason = TextAreaField(
        "Reason",
        description="The principal reads this, whatever you decide.",
        render_kw={"rows": 4, "maxlength": MAX_REASON},
    )


def _number(label: str, description: str, whole: bool) -> StringField:
    attrs: dict[str, Any] = {
        "min": 0,
        "step": 1 if whole else "any",
        "inputmode": "numeric" if whole else "decimal",
    }
    return StringField(label, description=description, widget=NumberInput(), render_kw=attrs)


def value_field(item: RubricItem, words: str) -> Field | None:
    """The unbound field for ``item``'s corrected answer (``None``: an appeal cannot correct it).

    ``words`` says what the answer is worked out from, for an item scored from a fact.
    """
    field = fact_field(item)
    if field == "outcome":
        return None
    if field is not None:
        hint = (
            f"Only when you uphold the appeal. This answer is worked out from {words}; correcting it "
            "corrects every answer worked out from it."
        )
        label = FACT_LABELS.get(field, f"Corrected {words}")
        kind = TIMING_TYPES[field]
        if kind is bool:
            return RadioField(label, choices=YES_NO, description=hint, validate_choice=False)
        if field == "reply_at":
            return StringField(
                label, description=hint + " In the district's time.", widget=DateTimeLocalInput()
            )
        return _number(label, hint, whole=True)
    na = [SelectChoice(NA, "N/A: does not apply")] if item.allow_na else []
    label = "Corrected answer"
    only = "Only when you uphold the appeal: the answer the contact should have recorded."
    if item.kind is ItemKind.YES_NO:
        return RadioField(label, choices=YES_NO + na, description=only, validate_choice=False)
    if item.kind is ItemKind.SCALE:
        top = item.scale_max or 0
        points = [
            SelectChoice(str(p), f"{p}" + (f": {item.point_label(p)}" if item.point_label(p) else ""))
            for p in range(top + 1)
        ]
        return RadioField(label, choices=points + na, description=only, validate_choice=False)
    if item.kind is ItemKind.CHOICE:
        options = [SelectChoice(str(o["label"]), str(o["label"])) for o in item.options or []]
        return RadioField(label, choices=options + na, description=only, validate_choice=False)
    return _number(label, f"{only} A number of at least 0.", whole=False)


def decision_form(item: RubricItem, words: str, **kwargs: Any) -> DecisionForm:
    """The decision form for an appeal on ``item``, with the answer field that fits it."""

    class ItemDecisionForm(DecisionForm):
        pass

    field = value_field(item, words)
    if field is not None:
        ItemDecisionForm.value = field  # type: ignore[attr-defined]
        if item.kind is ItemKind.TIMING and item.allow_na and fact_field(item) is None:
            ItemDecisionForm.na = BooleanField("Does not apply (N/A)")  # type: ignore[attr-defined]
    return ItemDecisionForm(**kwargs)


def _number_value(text: str) -> int | float | str:
    """A typed number as a number (a whole one as an int); anything else as typed, for the domain."""
    try:
        number = float(text)
    except ValueError:
        return text
    return int(number) if number.is_integer() and abs(number) < 10**15 else number


def correction(form: DecisionForm, item: RubricItem, timezone: str) -> Correction | None:
    """What the reviewer typed as the corrected answer (``None`` when nothing was given)."""
    if "value" not in form:
        return None
    text = (form["value"].data or "").strip()
    if "na" in form and form["na"].data:
        return Correction(na=True)
    if not text:
        return None
    if text == NA:
        return Correction(na=True)
    field = fact_field(item)
    if field == "reply_at":
        try:
            return Correction(parse_local(text, timezone))
        except (ValueError, OverflowError):
            return Correction(text)
    if (field is not None and TIMING_TYPES[field] is bool) or (
        field is None and item.kind is ItemKind.YES_NO
    ):
        return Correction({"yes": True, "no": False}.get(text, text))
    if field is not None or item.kind is ItemKind.TIMING:
        return Correction(_number_value(text))
    if item.kind is ItemKind.SCALE:
        return Correction(int(text) if text.isascii() and text.isdigit() and len(text) < 6 else text)
    return Correction(text)
