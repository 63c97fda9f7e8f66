"""Flask-Login wiring: how a session cookie becomes a ``User``."""

from __future__ import annotations

from flask import Flask

from app.extensions import db, login_manager
from audits.models import User


def init_login_manager(app: Flask) -> None:
    """Bind Flask-Login to ``app`` and load users from the database."""
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to see that page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Return the active user with ``user_id``, or ``None`` to sign the session out."""
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    return user if user is not None and user.active else None
