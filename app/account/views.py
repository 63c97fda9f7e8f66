"""The account page: who you are, your password, where you are signed in, and your API tokens.

A new token's plaintext is shown once, on the page that answers its creation; only a
hash is kept, so it can never be shown again. Creating a token asks for the password
again. Changing the password, or "sign out everywhere", ends every sign-in of the
person (this browser is signed in afresh after a password change).
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, make_response, redirect, render_template, session, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from app.account.forms import (
    PASSWORD_PREFIX,
    NewTokenForm,
    PasswordForm,
    RevokeTokenForm,
    SignOutEverywhereForm,
)
from app.auth.session import SIGN_IN_KEY, session_policy, sign_in, sign_out
from app.extensions import db
from app.forms import apply_errors
from app.permissions import permission_required
from audits.access import Action
from audits.accounts import change_password
from audits.errors import DomainError
from audits.models import TokenScope
from audits.passwords import verify_password
from audits.sign_ins import SIGNED_OUT_EVERYWHERE, end_every_sign_in, held_by, live_sign_ins
from audits.timeutil import utcnow
from audits.tokens import create_token, find_token, list_tokens, revoke_token

blueprint = Blueprint("account", __name__, url_prefix="/account")


def _page(
    form: NewTokenForm | None = None,
    status: int = 200,
    plaintext: str | None = None,
    password_form: PasswordForm | None = None,
) -> Response:
    sign_ins = live_sign_ins(db.session, current_user, session_policy())
    secret = session.get(SIGN_IN_KEY)
    this_browser = next((s.id for s in sign_ins if isinstance(secret, str) and held_by(s, secret)), None)
    page = render_template(
        "account/show.html",
        form=form or NewTokenForm(formdata=None),
        password_form=password_form or PasswordForm(formdata=None, prefix=PASSWORD_PREFIX),
        revoke_form=RevokeTokenForm(),
        everywhere_form=SignOutEverywhereForm(),
        tokens=list_tokens(db.session, current_user),
        sign_ins=sign_ins,
        this_browser=this_browser,
        plaintext=plaintext,
        now=utcnow(),
    )
    response = make_response(page, status)
    # The page can hold a secret (a new token): keep it out of every cache and the back button.
    response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.route("")
@permission_required(Action.MANAGE_OWN_TOKENS)
def show() -> Response:
    """The signed-in person's account, sign-ins and tokens."""
    return _page()


@blueprint.route("/tokens", methods=["POST"])
@permission_required(Action.MANAGE_OWN_TOKENS)
def create() -> Response:
    """Create a token and show its plaintext this once (the answer is a page, not a redirect)."""
    form = NewTokenForm()
    if not form.validate():
        return _page(form, 400)
    if not verify_password(current_user.password_hash, form.password.data or ""):
        form.password.errors = ["this is not your password"]
        return _page(form, 400)
    try:
        scope, days = TokenScope(form.scope.data), int(form.days.data or 0)
        token, plaintext = create_token(
            db.session, current_user, form.name.data or "", scope=scope, days=days
        )
    except DomainError as error:
        db.session.rollback()
        apply_errors(form, error)
        return _page(form, 400)
    db.session.commit()
    flash(f"Created the token {token.prefix}…. Copy it now: it will not be shown again.", "success")
    return _page(status=201, plaintext=plaintext)


@blueprint.route("/tokens/<int:token_id>/revoke", methods=["POST"])
@permission_required(Action.MANAGE_OWN_TOKENS)
def revoke(token_id: int) -> Response:
    """Revoke one of the person's own tokens; anyone else's is answered as not found."""
    token = find_token(db.session, current_user, token_id)
    if token is None:
        abort(404)
    if not RevokeTokenForm().validate():
        abort(400)
    revoke_token(token, current_user)
    db.session.commit()
    flash(f"Revoked the token {token.prefix}…. Programs using it can no longer sign in.", "success")
    return redirect(url_for("account.show"))


@blueprint.route("/password", methods=["POST"])
@permission_required(Action.MANAGE_OWN_TOKENS)
def password() -> Response:
    """Change the password: every sign-in ends, this browser is signed in again."""
    form = PasswordForm(prefix=PASSWORD_PREFIX)
    if not form.passwords_agree():
        return _page(password_form=form, status=400)
    try:
        change_password(db.session, current_user, form.current_password.data or "", form.password.data or "")
    except DomainError as error:
        db.session.rollback()
        apply_errors(form, error)
        return _page(password_form=form, status=400)
    sign_in(current_user)
    db.session.commit()
    flash("Your password is changed. Every other browser signed in as you is now signed out.", "success")
    return redirect(url_for("account.show"))


@blueprint.route("/sign-out-everywhere", methods=["POST"])
@permission_required(Action.MANAGE_OWN_TOKENS)
def sign_out_everywhere() -> Response:
    """End every sign-in of the person, this one included (API tokens are revoked one by one)."""
    if not SignOutEverywhereForm().validate():
        abort(400)
    end_every_sign_in(db.session, current_user, SIGNED_OUT_EVERYWHERE)
    sign_out(SIGNED_OUT_EVERYWHERE)
    db.session.commit()
    flash("You are signed out everywhere, this browser included.", "info")
    return redirect(url_for("auth.login"))
