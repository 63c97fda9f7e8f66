"""Helpers shared by every form: mapping domain errors onto fields."""

from __future__ import annotations

from flask_wtf import FlaskForm

from audits.errors import DomainError


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
