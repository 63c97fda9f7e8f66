"""Helpers shared by every form: mapping domain errors onto fields, reading ids from query strings."""

from __future__ import annotations

from typing import Any

from flask import request
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import Field, PasswordField
from wtforms.validators import InputRequired, Length

from audits.errors import DomainError
from audits.ids import is_storable_id
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
