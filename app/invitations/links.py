"""What the invitation and password-reset pages share: following a link to set a password.

The token is in the page's address, so every such answer is kept out of caches and sends no
``Referer``; the token and its hash never appear on a page.
"""

from __future__ import annotations

from flask import flash, make_response, render_template
from flask_login import current_user
from werkzeug.wrappers import Response

from app.auth.session import sign_out
from app.auth.views import complete_sign_in
from app.extensions import db
from app.forms import SetPasswordForm, apply_errors
from audits.account_links import DISTRICT_ACCOUNT_ONLY, check_link, redeem
from audits.errors import DomainError, NotFoundError
from audits.models import LinkPurpose
from audits.sign_ins import SIGNED_OUT

TEMPLATES = {
    LinkPurpose.INVITATION: "invitations/accept.html",
    LinkPurpose.PASSWORD_RESET: "invitations/reset.html",
}
WELCOME = {
    LinkPurpose.INVITATION: "Welcome to Touchpoint: your password is set and you are signed in.",
    LinkPurpose.PASSWORD_RESET: "Your password is changed and you are signed in; other sign-ins have ended.",
}
# The same, when two-step sign-in asks for its step before the person is signed in.
PASSWORD_SET = {
    LinkPurpose.INVITATION: "Welcome to Touchpoint: your password is set. One more step to sign in.",
    LinkPurpose.PASSWORD_RESET: "Your password is changed and other sign-ins have ended. "
    "One more step to sign in.",
}


def _private(page: str, status: int) -> Response:
    response = make_response(page, status)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def link_problem(purpose: LinkPurpose, error: DomainError) -> Response:
    """The friendly page for a link that does not work: 404 when unknown, 410 when spent or expired."""
    status = 404 if isinstance(error, NotFoundError) else 410
    page = render_template(
        "invitations/link_problem.html",
        purpose=purpose,
        reason=error.reason,
        district_account_only=error.reason == DISTRICT_ACCOUNT_ONLY,
    )
    return _private(page, status)


def follow_link(purpose: LinkPurpose, token: str) -> Response:
    """Show the link's set-password form, or set the password, sign the person in and go home."""
    try:
        link = check_link(db.session, token, purpose)
    except DomainError as error:
        return link_problem(purpose, error)
    form = SetPasswordForm()
    if form.is_submitted():
        if form.passwords_agree():
            try:
                user = redeem(db.session, token, purpose, form.password.data or "")
            except DomainError as error:
                db.session.rollback()
                if error.field == "link":
                    return link_problem(purpose, error)
                apply_errors(form, error)
            else:
                if current_user.is_authenticated:
                    sign_out(SIGNED_OUT)  # someone else's sign-in in this browser ends first
                # As any sign-in: a person with two-step sign-in on (or required) gives a code first.
                response = complete_sign_in(user, None)
                flash(WELCOME[purpose] if current_user.is_authenticated else PASSWORD_SET[purpose], "success")
                return response
        page = render_template(TEMPLATES[purpose], form=form, person=link.user)
        return _private(page, 400)
    return _private(render_template(TEMPLATES[purpose], form=form, person=link.user), 200)
