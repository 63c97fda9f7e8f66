"""Confirmation pages: a step that emails many people or cannot be taken back is asked first.

The button on the everyday page is a link (GET) to a page that says exactly what will happen,
with counts and lists; its form posts the confirmation field (``confirm=yes``) with the CSRF
token. A POST without that field (an old page's one-click form, a script) does nothing and
leads to the confirmation page instead.
"""

from __future__ import annotations

from flask import flash, redirect, request
from werkzeug.wrappers import Response

FIELD = "confirm"
VALUE = "yes"
NOT_YET = "Nothing has changed yet: read what will happen, then confirm."


def confirmed() -> bool:
    """Whether the posted form is a confirmation page's (it carries ``confirm=yes``)."""
    return request.form.get(FIELD) == VALUE


def ask_first(confirmation_url: str) -> Response:
    """Do nothing; lead to the page that says what the step would do and asks to confirm it."""
    flash(NOT_YET, "info")
    return redirect(confirmation_url)
