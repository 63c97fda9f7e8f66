"""The account page: who you are, your password, two-step sign-in, where you are signed in, API tokens.

A new token's plaintext is shown once, on the page that answers its creation; only a
hash is kept, so it can never be shown again. Creating a token asks for the password
again. Changing the password, or "sign out everywhere", ends every sign-in of the
person (this browser is signed in afresh after a password change). Two-step sign-in is turned
on from its own page (the key as a QR code and as text, confirmed with a code); the recovery
codes are shown once, on the page that answers; renewing them or turning it off asks for the
password or a code, and it cannot be turned off while it is required.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, session, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from app.account.forms import (
    OFF_PREFIX,
    PASSWORD_PREFIX,
    RENEW_PREFIX,
    AlertsForm,
    NewTokenForm,
    PasswordForm,
    ProofForm,
    RevokeTokenForm,
    SignOutEverywhereForm,
)
from app.auth import two_step as two_step_pages
from app.auth.session import SIGN_IN_KEY, session_policy, sign_in, sign_in_throttle, sign_out
from app.extensions import db
from app.forms import apply_errors
from app.permissions import can, permission_required
from audits import two_step
from audits.access import Action
from audits.accounts import change_password
from audits.alerts import preference_of, set_preference
from audits.errors import ConflictError, DomainError
from audits.models import TokenScope, TwoStepKey
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
    renew_form: ProofForm | None = None,
    off_form: ProofForm | None = None,
) -> Response:
    alerts_form = None
    if can(Action.CHOOSE_ALERTS):
        preference = preference_of(db.session, current_user)
        alerts_form = AlertsForm(
            formdata=None,
            critical_failures=preference.critical_failures,
            weekly_fieldwork=preference.weekly_fieldwork,
        )
    sign_ins = live_sign_ins(db.session, current_user, session_policy())
    secret = session.get(SIGN_IN_KEY)
    this_browser = next((s.id for s in sign_ins if isinstance(secret, str) and held_by(s, secret)), None)
    page = render_template(
        "account/show.html",
        form=form or NewTokenForm(formdata=None),
        password_form=password_form or PasswordForm(formdata=None, prefix=PASSWORD_PREFIX),
        two_step=two_step.status(db.session, current_user, two_step_pages.admins_required()),
        required_reason=two_step.required_reason(current_user),
        renew_form=renew_form or ProofForm(formdata=None, prefix=RENEW_PREFIX),
        off_form=off_form or ProofForm(formdata=None, prefix=OFF_PREFIX),
        alerts_form=alerts_form,
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


@blueprint.route("/alerts", methods=["POST"])
@permission_required(Action.CHOOSE_ALERTS)
def alerts() -> Response:
    """Save which email digests the leader receives (an unticked box is a digest they do not want)."""
    form = AlertsForm()
    if not form.validate():
        abort(400)
    set_preference(
        db.session, current_user, bool(form.critical_failures.data), bool(form.weekly_fieldwork.data)
    )
    db.session.commit()
    chosen = [
        name
        for name, wanted in (
            ("critical failures, once a day", form.critical_failures.data),
            ("fieldwork, once a week", form.weekly_fieldwork.data),
        )
        if wanted
    ]
    flash(
        f"Saved: you receive {' and '.join(chosen)}." if chosen else "Saved: you receive no email digests.",
        "success",
    )
    return redirect(url_for("account.show", _anchor="alerts-heading"))


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


@blueprint.route("/two-step", methods=["GET", "POST"])
@permission_required(Action.MANAGE_OWN_TOKENS)
def two_step_set_up() -> Response:
    """Show a key to scan (kept pending until confirmed), then turn two-step sign-in on with a code.

    The answer to a right code is the page of recovery codes, shown this once.
    """
    if request.method == "GET":
        try:
            key = two_step.pending_key(db.session, current_user)
        except ConflictError:
            db.session.rollback()
            flash("Two-step sign-in is already on.", "info")
            return redirect(url_for("account.show"))
        db.session.commit()
        form = two_step_pages.ConfirmForm(formdata=None)
        return _set_up_page(key, form)
    existing = two_step.key_of(db.session, current_user)
    if existing is None or existing.enabled:
        flash("Two-step sign-in is already on." if existing else "Start again: the key expired.", "error")
        return redirect(url_for("account.show"))
    form = two_step_pages.ConfirmForm()
    if form.validate() and not two_step_pages.held_back(current_user, form.code):
        try:
            codes = two_step.confirm(db.session, current_user, form.code.data or "")
        except DomainError as error:
            two_step_pages.count_wrong(current_user, form, error)
        else:
            sign_in_throttle().code_succeeded(current_user.email)
            db.session.commit()
            flash("Two-step sign-in is on: from now on, signing in asks for a code from your app.", "success")
            return two_step_pages.codes_page(codes, continue_url=url_for("account.show"))
    return _set_up_page(existing, form, two_step_pages.failed_status(form.code))


def _set_up_page(key: TwoStepKey, form: FlaskForm, status: int = 200) -> Response:
    return two_step_pages.set_up_page(
        key, current_user, form, url_for("account.two_step_set_up"), url_for("account.show"), status
    )


@blueprint.route("/two-step/recovery-codes", methods=["POST"])
@permission_required(Action.MANAGE_OWN_TOKENS)
def renew_recovery_codes() -> Response:
    """Replace the recovery codes (the old ones stop working) and show the new ones this once."""
    if not two_step.is_on(db.session, current_user):
        flash("Two-step sign-in is off, so you have no recovery codes.", "error")
        return redirect(url_for("account.show"))
    form = ProofForm(prefix=RENEW_PREFIX)
    if form.validate() and not two_step_pages.held_back(current_user, form.proof):
        try:
            codes = two_step.renew_recovery_codes(db.session, current_user, form.proof.data or "")
        except DomainError as error:
            two_step_pages.count_wrong(current_user, form, error)
        else:
            db.session.commit()
            flash("New recovery codes: the old ones no longer work.", "success")
            return two_step_pages.codes_page(codes, continue_url=url_for("account.show"))
    return _page(renew_form=form, status=two_step_pages.failed_status(form.proof))


@blueprint.route("/two-step/off", methods=["POST"])
@permission_required(Action.MANAGE_OWN_TOKENS)
def two_step_off() -> Response:
    """Turn two-step sign-in off, with the password or a code; never while it is required."""
    if not two_step.is_on(db.session, current_user):
        flash("Two-step sign-in is already off.", "error")
        return redirect(url_for("account.show"))
    form = ProofForm(prefix=OFF_PREFIX)
    if two_step.required(current_user, two_step_pages.admins_required()):
        form.proof.errors = [f"{two_step.required_reason(current_user)}, so it stays on"]
        return _page(off_form=form, status=403)
    if form.validate() and not two_step_pages.held_back(current_user, form.proof):
        try:
            two_step.turn_off(
                db.session, current_user, form.proof.data or "", two_step_pages.admins_required()
            )
        except DomainError as error:
            two_step_pages.count_wrong(current_user, form, error)
        else:
            db.session.commit()
            flash("Two-step sign-in is off: signing in asks for your password only.", "success")
            return redirect(url_for("account.show"))
    return _page(off_form=form, status=two_step_pages.failed_status(form.proof))
