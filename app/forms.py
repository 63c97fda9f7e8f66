"""Helpers shared by every form: mapping domain errors onto fields, reading ids from query strings."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from flask import request
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import Field, FieldList, FormField, PasswordField
from wtforms.validators import InputRequired, Length

from audits.errors import DomainError
from audits.ids import is_storable_id
from audits.keys import KeySeparator
from audits.passwords import MAX_LENGTH, MIN_LENGTH


class SiteForm(FlaskForm):
    """Every form of the site: Flask-WTF's, with its CSRF token rendered without an ``id``.

    A page often holds several forms (the account page has five): each token's ``id="csrf_token"``
    would repeat, which HTML forbids. Nothing refers to the token by ``id``.
    """

    class Meta(FlaskForm.Meta):
        """Flask-WTF's settings; only how the CSRF token renders differs."""

        def render_field(self, field: Field, render_kw: dict[str, Any]) -> Markup:
            """Render ``field``; the CSRF token without an ``id``."""
            if field.type == "CSRFTokenField":
                render_kw = {**render_kw, "id": False}
            return Markup(super().render_field(field, render_kw))

    def error_links(self) -> list[ErrorLink]:
        """Every problem of the form for its error summary: ``(field id, sentence)``, in the form's order.

        Problems of the whole form (and of fields with no visible input) have no field id.
        """
        links: list[ErrorLink] = [(None, reason) for reason in self.form_errors]
        for field in self:
            links.extend(field_error_links(field))
        return links


# One line of an error summary: the id of the field it links to (none for the whole form), and the text.
ErrorLink = tuple[str | None, str]
# Reasons that continue the field's label as a sentence: "Name" + "is required".
_CONTINUES_LABEL = ("is ", "are ", "must ", "cannot ", "can't ", "should ", "has ", "needs ")


def summary_line(label: str, reason: str) -> str:
    """How a field's problem reads in an error summary, as one sentence that names the field.

    A reason that is a sentence of its own ("This is a PDF. Attach a photo …") stands alone;
    one that continues the label reads on from it ("Name is required"); any other follows it
    ("Key: use lower-case letters …").
    """
    reason = reason.strip()
    if not label or reason[:1].isupper():
        return reason
    if reason.startswith(_CONTINUES_LABEL):
        return f"{label} {reason}"
    if label.endswith(("?", ":", ".")):
        return f"{label} {reason[:1].upper()}{reason[1:]}"
    return f"{label}: {reason}"


def field_error_links(field: Field, label: str | None = None) -> list[ErrorLink]:
    """The summary lines of one field's problems, linked to its input; rows of a list by number."""
    if isinstance(field, FieldList):
        links: list[ErrorLink] = []
        for number, entry in enumerate(field.entries, start=1):
            links.extend(field_error_links(entry, f"{field.label.text} {number}"))
        return links
    if isinstance(field, FormField):
        return [
            link
            for inner in field.form
            for link in field_error_links(inner, f"{label or field.label.text}, {inner.label.text.lower()}")
        ]
    text = label if label is not None else field.label.text
    visible = field.type not in ("CSRFTokenField", "HiddenField")
    return [(field.id if visible else None, summary_line(text, reason)) for reason in field.errors]


def apply_errors(form: FlaskForm, error: DomainError) -> None:
    """Attach each ``(field, reason)`` of ``error`` to the matching form field.

    Problems for fields the form does not have, or for the whole input, go to
    ``form.form_errors`` and are shown above the form. A field that already
    failed the form's own checks keeps that one message.
    """
    for field_name, reason in error.problems:
        field = form._fields.get(field_name) if field_name else None
        if field is None:
            form.form_errors.append(reason)
        elif not field.errors:
            field.errors = [reason]


def suggest_key_from(key: Field, title: Field, separator: KeySeparator, taken: Iterable[str] = ()) -> None:
    """Have the page suggest ``key`` from what is typed in ``title`` (``site.js``, by ``audits.keys``' rule).

    ``taken`` are the keys the suggestion must not be (the rubric's other sections' keys …).
    """
    key.render_kw = {
        **(key.render_kw or {}),
        "data-key-from": title.id,
        "data-key-separator": separator.value,
        "data-keys-taken": json.dumps(sorted(set(taken))),
        "autocapitalize": "none",
        "spellcheck": "false",
    }


def id_arg(name: str) -> int | None:
    """The id in the query argument ``name`` (``?round=12``): ``None`` when absent or not a number.

    A number no row can have (``-7``, twenty digits) becomes ``0``, which matches nothing: handed
    to a query as it is, a twenty-digit number overflows the database driver.
    """
    value = request.args.get(name, type=int)
    if value is None:
        return None
    return value if is_storable_id(value) else 0


def seen_revision() -> int | None:
    """The revision of the record the submitting page showed (its hidden ``revision`` input), if any."""
    return request.form.get("revision", type=int)


class SetPasswordForm(SiteForm):
    """A new password, twice: for an invitation, a reset, and (with the current one) the account page."""

    password = PasswordField(
        "New password",
        description=f"At least {MIN_LENGTH} characters; not a common password. A passphrase of a few "
        "unrelated words is easy to remember.",
        validators=[InputRequired("enter a new password"), Length(max=MAX_LENGTH)],
        render_kw={"autocomplete": "new-password", "minlength": MIN_LENGTH},
    )
    confirm = PasswordField(
        "New password again",
        validators=[InputRequired("enter the new password again")],
        render_kw={"autocomplete": "new-password"},
    )

    def passwords_agree(self) -> bool:
        """Validate, and put "they differ" next to the second field when the two differ."""
        if self.validate() and self.password.data != self.confirm.data:
            self.confirm.errors = ["the two new passwords differ"]
        return not self.errors
