"""Forms of the rubric editor. Real validation happens in ``audits.rubrics``.

The item form speaks the rubric format: ``item_data`` builds the mapping
``audits.rubrics.spec.parse_item`` reads, and ``apply_item_errors`` puts the
format's paths (``bands``, ``bands[1]``, ``options[0].fraction``) back on the
rows they came from.
"""

from __future__ import annotations

import math
import re
from typing import Any

from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, FieldList, Form, FormField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import StopValidation
from wtforms.widgets import NumberInput

from app.forms import ErrorLink, SiteForm, summary_line
from audits.errors import DomainError
from audits.models import Channel, CriticalPolicy, ItemKind, RubricItem, TimingUnit
from audits.rubrics.facts import facts_of
from audits.vocabulary import CHANNEL_LABELS

POLICY_LABELS = {
    CriticalPolicy.FLAG: "Flag the contact (the score stands)",
    CriticalPolicy.ZERO: "Score the whole contact 0",
}
KIND_LABELS = {
    ItemKind.YES_NO: "Yes / No",
    ItemKind.SCALE: "Scale (0 to a maximum)",
    ItemKind.CHOICE: "Choice between options",
    ItemKind.TIMING: "Timing (rings, seconds, minutes, hours)",
    ItemKind.TEXT: "Text (notes, not scored)",
}
UNIT_LABELS = {
    TimingUnit.RINGS: "rings",
    TimingUnit.SECONDS: "seconds",
    TimingUnit.MINUTES: "minutes",
    TimingUnit.BUSINESS_HOURS: "business hours",
}
# The facts an item can be scored from (``audits.rubrics.facts``), as the editor offers them.
FACT_LABELS = {
    "reached": "The outcome: yes when the contact reached a person",
    "rings": "The rings before a person answered",
    "hold_seconds": "The longest hold",
    "transfers": "The number of transfers (the options stand for 0, 1, 2 … transfers)",
    "staff_gave_name": "Whether the staff member gave their name",
    "reply_hours": "The business hours until the reply",
    "greeted_seconds": "The time until the visitor was greeted",
    "wait_seconds": "The visitor's total wait",
}


def choices(labels: dict[Any, str]) -> list[SelectChoice]:
    """Select options from a mapping of enum members (or plain values) to labels."""
    return [SelectChoice(getattr(value, "value", value), label) for value, label in labels.items()]


ROWS = 6  # blank option and band rows offered at least
ROW_GROUPS = ("options", "bands")
ROW_NOUNS = {"options": "Option", "bands": "Band"}
_ROW_LINK = re.compile(r"^(options|bands)-\d+-")
_ROW_PATH = re.compile(r"^(options|bands)\[(\d+)\](?:\.(\w+))?$")
# One line of a scale's point labels: "3 = polite but bare" (or "3: …", "3 - …").
_POINT_LINE = re.compile(r"^\s*(\d{1,3})\s*[=:\-–]\s*(\S.*)$")
_ROW_REASONS = {
    "must be a pair [upper_bound, fraction] of numbers": "enter an upper bound and a fraction, both numbers",
}


def point_labels(text: str) -> dict[int, str]:
    """The point labels typed one per line ("0 = rude or hostile") as ``{0: "rude or hostile"}``.

    A line that does not read that way is left out (``ItemForm.validate_labels`` reports it); a point
    typed twice keeps its last words.
    """
    labels: dict[int, str] = {}
    for line in text.splitlines():
        match = _POINT_LINE.match(line)
        if match:
            labels[int(match.group(1))] = match.group(2).strip()
    return labels


def parse_number(text: str | None) -> int | float | str | None:
    """Read a typed number; ``None`` when blank, the text itself when it is not a number.

    Handing the text on lets the domain say, in its own words, what a number must be.
    """
    text = (text or "").strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        return text
    if not math.isfinite(value):
        return text
    return int(value) if value.is_integer() else value


def number_text(value: float | None) -> str:
    """Show a stored number as people type it: ``5`` rather than ``5.0``."""
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else str(value)


class RubricForm(SiteForm):
    """A new rubric: what identifies it, and how it scores."""

    key = StringField(
        "Key",
        description="Made from the name as you type: lower-case letters, digits and hyphens, e.g. "
        "phone-standard. Change it if you like; it never changes once the rubric exists.",
    )
    name = StringField("Name")
    channel = SelectField(
        "Channel", choices=choices(CHANNEL_LABELS), validate_choice=False, default=Channel.PHONE.value
    )
    critical_policy = SelectField(
        "When a critical item is failed",
        choices=choices(POLICY_LABELS),
        validate_choice=False,
        default=CriticalPolicy.FLAG.value,
    )
    description = TextAreaField("Description", render_kw={"rows": 3})


class DetailsForm(SiteForm):
    """A draft's name, critical policy and description (key and channel never change)."""

    name = StringField("Name")
    critical_policy = SelectField(
        "When a critical item is failed", choices=choices(POLICY_LABELS), validate_choice=False
    )
    description = TextAreaField("Description", render_kw={"rows": 3})


class SectionForm(SiteForm):
    """A section's key and title."""

    key = StringField(
        "Section key",
        description="Made from the title as you type: lower-case letters, digits and _, starting with a "
        "letter, e.g. greeting. Change it if you like.",
    )
    title = StringField("Title")


class OptionRow(Form):
    """One answer of a choice item."""

    label = StringField("Label")
    fraction = StringField("Fraction", widget=NumberInput(step="any", min=0, max=1))


class BandRow(Form):
    """One band of a timing item: answers up to ``bound`` earn ``fraction``."""

    bound = StringField("Up to", widget=NumberInput(step="any", min=0))
    fraction = StringField("Fraction", widget=NumberInput(step="any", min=0, max=1))


class ItemForm(SiteForm):
    """Every field an item of any kind can have; the page shows those of the chosen kind."""

    section = SelectField("Section", validate_choice=False)
    key = StringField(
        "Key",
        description="Made from the question as you type: lower-case letters, digits and _, starting with "
        "a letter; unique in the rubric. Change it if you like.",
    )
    prompt = TextAreaField("Question", render_kw={"rows": 2})
    guidance = TextAreaField(
        "Guidance for the auditor", description="How to judge the answer.", render_kw={"rows": 4}
    )
    tip = TextAreaField(
        "Coaching tip",
        description="Shown to the school on its scorecard when the item is missed.",
        render_kw={"rows": 2},
    )
    points = StringField(
        "Points", description="What a full answer earns.", widget=NumberInput(step="any", min=0)
    )
    critical = BooleanField("Critical: failing it triggers the rubric's critical policy")
    allow_na = BooleanField("Allow N/A: the auditor may mark that it does not apply")
    max = StringField(
        "Highest answer",
        description="Answers run from 0 to this whole number; the item earns answer ÷ highest.",
        widget=NumberInput(step=1, min=1),
    )
    labels = TextAreaField(
        "What the points mean",
        description="One line per point, e.g. 0 = rude or hostile. Auditors see the words beside each "
        "point; a point without a line shows its number alone.",
        render_kw={"rows": 6},
    )
    unit = SelectField(
        "Measured in", choices=choices({"": "Choose a unit", **UNIT_LABELS}), validate_choice=False
    )
    fact = SelectField(
        "Scored from what the auditor records",
        description="The item then asks nothing: its answer follows from the contact's outcome or timings.",
        validate_choice=False,
    )
    options = FieldList(FormField(OptionRow), min_entries=ROWS)
    bands = FieldList(FormField(BandRow), min_entries=ROWS)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.group_errors: dict[str, list[str]] = {}
        self.row_errors: dict[str, dict[int, list[str]]] = {}
        self._rows: dict[str, list[int]] = {group: [] for group in ROW_GROUPS}

    def offer_facts(self, channel: Channel, kind: ItemKind) -> bool:
        """Offer the facts of ``channel`` that can score an item of ``kind``; whether there are any."""
        fitting = [fact.name for fact in facts_of(channel) if fact.kind is kind]
        self.fact.choices = [SelectChoice("", "Nothing: the auditor answers it")] + [
            SelectChoice(name, FACT_LABELS.get(name, name)) for name in fitting
        ]
        return bool(fitting)

    def add_blank_rows(self) -> None:
        """Offer at least ``ROWS`` rows and two blank ones after what is filled in."""
        for group in (self.options, self.bands):
            while len(group.entries) < max(ROWS, len(group.object_data or []) + 2):
                group.append_entry()

    def item_data(self, kind: ItemKind) -> dict[str, Any]:
        """The item mapping in the format's field names; blank option and band rows are left out."""
        data: dict[str, Any] = {
            "key": (self.key.data or "").strip(),
            "prompt": (self.prompt.data or "").strip(),
            "kind": kind.value,
            "guidance": (self.guidance.data or "").strip(),
            "tip": (self.tip.data or "").strip(),
            "allow_na": bool(self.allow_na.data),
        }
        if kind is not ItemKind.TEXT:
            data["points"] = parse_number(self.points.data)
            data["critical"] = bool(self.critical.data)
            data["fact"] = self.fact.data or None
        if kind is ItemKind.SCALE:
            data["max"] = parse_number(self.max.data)
            labels = point_labels(self.labels.data or "")
            if labels:
                data["labels"] = labels
        elif kind is ItemKind.CHOICE:
            data["options"] = [
                {"label": (row["label"].data or "").strip(), "fraction": parse_number(row["fraction"].data)}
                for row in self._filled("options", ("label", "fraction"))
            ]
        elif kind is ItemKind.TIMING:
            data["unit"] = self.unit.data or None
            data["bands"] = [
                [parse_number(row["bound"].data), parse_number(row["fraction"].data)]
                for row in self._filled("bands", ("bound", "fraction"))
            ]
        return data

    def validate_labels(self, field: TextAreaField) -> None:
        """Each line of the point labels reads "3 = polite but bare"."""
        for number, line in enumerate((field.data or "").splitlines(), start=1):
            if line.strip() and not _POINT_LINE.match(line):
                raise StopValidation(
                    f"write line {number} as a point, = and its words, e.g. 3 = polite but bare"
                )

    def _filled(self, group: str, names: tuple[str, ...]) -> list[Form]:
        """The rows of ``group`` with anything typed in, remembering where each came from."""
        rows = []
        self._rows[group] = []
        for position, entry in enumerate(getattr(self, group).entries):
            if any((entry.form[name].data or "").strip() for name in names):
                self._rows[group].append(position)
                rows.append(entry.form)
        return rows

    def apply_item_errors(self, error: DomainError) -> None:
        """Put each problem next to its field, its option or band row, or above the form."""
        for path, reason in error.problems:
            match = _ROW_PATH.match(path or "")
            if match:
                group, index, name = match.group(1), int(match.group(2)), match.group(3)
                rows = self._rows[group]
                if index < len(rows):
                    row = getattr(self, group).entries[rows[index]].form
                    if name in row._fields:
                        row[name].errors = [*row[name].errors, reason]
                    else:
                        self.row_errors.setdefault(group, {}).setdefault(rows[index], []).append(
                            _ROW_REASONS.get(reason, reason)
                        )
                    continue
                self.group_errors.setdefault(group, []).append(reason)
            elif path in ROW_GROUPS:
                self.group_errors.setdefault(path, []).append(reason)
            elif path and path in self._fields and path != "csrf_token":
                field = self._fields[path]
                field.errors = [*field.errors, reason]
            else:
                self.form_errors.append(f"{path}: {reason}" if path else reason)

    def error_links(self) -> list[ErrorLink]:
        """The item form's summary: its fields, then each option or band row's problems, linked to the row."""
        links = [link for link in super().error_links() if not _ROW_LINK.match(link[0] or "")]
        for group in ROW_GROUPS:
            rows = getattr(self, group)
            noun = ROW_NOUNS[group]
            links += [
                (rows.id, summary_line(noun + "s", reason)) for reason in self.group_errors.get(group, [])
            ]
            for position, entry in enumerate(rows.entries):
                first = next(iter(entry.form))
                for reason in self.row_errors.get(group, {}).get(position, []):
                    links.append((first.id, summary_line(f"{noun} {position + 1}", reason)))
                for inner in entry.form:
                    label = f"{noun} {position + 1}, {inner.label.text.lower()}"
                    links += [(inner.id, summary_line(label, reason)) for reason in inner.errors]
        return links

    @property
    def has_errors(self) -> bool:
        """Whether any field, row or group has a problem to show."""
        rows = (entry.form.errors for group in ROW_GROUPS for entry in getattr(self, group).entries)
        return bool(self.errors or self.group_errors or self.row_errors or any(rows))


def item_form_data(item: RubricItem) -> dict[str, Any]:
    """The item form's values for a stored item."""
    return {
        "section": str(item.section_id),
        "key": item.key,
        "prompt": item.prompt,
        "guidance": item.guidance,
        "tip": item.tip,
        "points": number_text(item.points) if item.kind is not ItemKind.TEXT else "",
        "critical": item.critical,
        "allow_na": item.allow_na,
        "max": number_text(item.scale_max),
        "labels": "\n".join(
            f"{point} = {text}" for point, text in enumerate(item.scale_labels or []) if text
        ),
        "unit": item.unit.value if item.unit else "",
        "fact": item.fact or "",
        "options": [
            {"label": str(option["label"]), "fraction": number_text(float(option["fraction"]))}
            for option in item.options or []
        ],
        "bands": [
            {"bound": number_text(bound), "fraction": number_text(fraction)}
            for bound, fraction in item.bands or []
        ],
    }


class ImportForm(SiteForm):
    """Upload of a rubric YAML file."""

    file = FileField(
        "Rubric file (YAML)",
        description="A file in the rubric format, e.g. one downloaded from a version page.",
        validators=[FileRequired("Choose a YAML file to import.")],
    )
    publish = BooleanField("Publish at once (otherwise it is saved as a draft to review first)")
