"""Sign in and sign out."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from app.auth import two_step
from app.auth.forms import LoginForm
from app.auth.session import client_address, sign_in, sign_in_throttle, sign_out
from app.extensions import db
from app.forms import apply_errors
from audits.accounts import authenticate
from audits.errors import DomainError
from audits.models import User
from audits.sign_ins import SIGNED_OUT

blueprint = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    """Return ``target`` if it is a path on this site, else the home page."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
            return target
    return url_for("home.index")


def complete_sign_in(user: User, next_url: str | None) -> Response:
    """``user`` has proved who they are (password, district account): sign them in and send them on.

    Every way of signing in ends here, so that two-step sign-in applies to all: a person with
    it on, or for whom it is required, is not signed in yet but sent to its step
    (``app.auth.two_step``), which signs them in.
    """
    stage = two_step.stage_for(user)
    if stage is not None:
        response = two_step.begin(user, stage, _safe_next(next_url))
        db.session.commit()  # what the first step recorded (when they last signed in)
        return response
    two_step.forget()
    sign_in(user)
    db.session.commit()
    return redirect(_safe_next(next_url))


@blueprint.route("/login", methods=["GET", "POST"])
def login() -> str | Response:
    """Show the sign-in form and sign the person in."""
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
        two_step.forget()  # "Cancel" on the second step, or a new start: the first step passed counts no more
    if form.validate_on_submit():
        email, password = form.email.data or "", form.password.data or ""
        try:
            user = authenticate(
                db.session,
                email,
                password,
                sign_in_throttle(),
                client_address(),
                district_account=current_app.config["OIDC_PROVIDER_NAME"],
            )
        except DomainError as error:
            db.session.commit()  # keep the recorded failure
            apply_errors(form, error)
            return render_template("auth/login.html", form=form), 401
        return complete_sign_in(user, form.next.data)
    status = 400 if form.errors else 200
    return render_template("auth/login.html", form=form), status


@blueprint.route("/logout", methods=["POST"])
@login_required
def logout() -> Response:
    """Sign the person out: this browser's sign-in ends on the server, so its cookie stops working."""
    sign_out(SIGNED_OUT)
    db.session.commit()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))
