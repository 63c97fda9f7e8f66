"""Flask-Login wiring: a request is signed in only while its server-side sign-in is live.

The session cookie holds the user's id and the secret of their ``SignIn`` row
(``audits.sign_ins``). Signing out, changing the password, being deactivated, an idle
or absolute timeout, or "sign out everywhere" ends the row, and with it every copy of
the cookie. Failed sign-ins are counted by the app's ``SignInThrottle``.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Flask, current_app, request, session
from flask_login import login_user, logout_user

from app.extensions import db, login_manager
from audits.models import User
from audits.sign_ins import SessionPolicy, end_sign_in_of, live_sign_in, start_sign_in
from audits.throttle import SignInThrottle

SIGN_IN_KEY = "sign_in"  # the session key holding the sign-in's secret
THROTTLE = "sign_in_throttle"  # the app extension counting failed sign-ins


def init_login_manager(app: Flask) -> None:
    """Bind Flask-Login to ``app``, load users from their live sign-ins, count failed sign-ins."""
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to see that page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    app.extensions[THROTTLE] = SignInThrottle(app.config["SIGN_IN_THROTTLE_STORAGE"])


def session_policy() -> SessionPolicy:
    """How long a sign-in lasts, from the configuration."""
    return SessionPolicy(
        idle=timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"]),
        longest=timedelta(hours=current_app.config["SESSION_MAX_HOURS"]),
    )


def sign_in_throttle() -> SignInThrottle:
    """The app's count of failed sign-ins."""
    throttle: SignInThrottle = current_app.extensions[THROTTLE]
    return throttle


def client_address() -> str:
    """The client's address (the proxy's ``X-Forwarded-For`` only when ``TRUSTED_PROXIES`` says so)."""
    return request.remote_addr or ""


def sign_in(user: User) -> None:
    """Start a sign-in of ``user`` for this browser (the caller commits)."""
    secret = start_sign_in(db.session, user, request.user_agent.string or "", client_address())
    login_user(user)
    session[SIGN_IN_KEY] = secret
    session.permanent = True


def sign_out(reason: str) -> None:
    """End this browser's sign-in on the server and forget it here (the caller commits)."""
    secret = session.get(SIGN_IN_KEY)
    if isinstance(secret, str):
        end_sign_in_of(db.session, secret, reason)
    logout_user()
    session.clear()


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """The active user of this browser's live sign-in, or ``None`` to treat the request as signed out."""
    secret = session.get(SIGN_IN_KEY)
    if not user_id.isdigit() or not isinstance(secret, str):
        return None
    found = live_sign_in(db.session, secret, int(user_id), session_policy())
    if db.session.dirty:
        db.session.commit()  # when it was last used, or that it timed out
    if found is None:
        return None
    user = db.session.get(User, int(user_id))
    return user if user is not None and user.active else None
