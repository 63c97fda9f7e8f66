"""The account page's forms. Real validation happens in ``audits.tokens``."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import Length

from audits.tokens import MAX_NAME


class NewTokenForm(FlaskForm):
    """Name a new API token."""

    name = StringField(
        "Token name",
        description="What the token is for, so you can tell your tokens apart, e.g. “nightly export”.",
        validators=[Length(max=MAX_NAME)],
        render_kw={"maxlength": MAX_NAME},
    )


class RevokeTokenForm(FlaskForm):
    """Revoke one token (the form carries only the CSRF token)."""
