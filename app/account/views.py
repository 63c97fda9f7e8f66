"""The account page: name, email and role, and the person's API tokens (create, revoke).

A new token's plaintext is shown once, on the page that answers its creation;
only a hash is kept, so it can never be shown again.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, make_response, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from app.account.forms import NewTokenForm, RevokeTokenForm
from app.extensions import db
from app.forms import apply_errors
from app.permissions import permission_required
from audits.access import Action
from audits.errors import DomainError
from audits.tokens import create_token, find_token, list_tokens, revoke_token

blueprint = Blueprint("account", __name__, url_prefix="/account")


def _page(form: NewTokenForm, status: int = 200, plaintext: str | None = None) -> Response:
    page = render_template(
        "account/show.html",
        form=form,
        revoke_form=RevokeTokenForm(),
        tokens=list_tokens(db.session, current_user),
        plaintext=plaintext,
    )
    response = make_response(page, status)
    # The page can hold a secret (a new token): keep it out of every cache and the back button.
    response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.route("")
@permission_required(Action.MANAGE_OWN_TOKENS)
def show() -> Response:
    """The signed-in person's account and tokens."""
    return _page(NewTokenForm(formdata=None))


@blueprint.route("/tokens", methods=["POST"])
@permission_required(Action.MANAGE_OWN_TOKENS)
def create() -> Response:
    """Create a token and show its plaintext this once (the answer is a page, not a redirect)."""
    form = NewTokenForm()
    if not form.validate():
        return _page(form, 400)
    try:
        token, plaintext = create_token(db.session, current_user, form.name.data or "")
    except DomainError as error:
        db.session.rollback()
        apply_errors(form, error)
        return _page(form, 400)
    db.session.commit()
    flash(f"Created the token {token.prefix}…. Copy it now: it will not be shown again.", "success")
    return _page(NewTokenForm(formdata=None), 201, plaintext)


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
