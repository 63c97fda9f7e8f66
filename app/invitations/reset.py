"""Forgotten passwords: ask for a reset link by email, then follow it to choose a new password.

"Forgot your password?" answers the same page, with the same status, in about the same time,
whether the address belongs to an active account, a switched-off one or no one: the email goes
out only to an active account, and only a few times per address and per client
(``SignInThrottle.allow_reset_email``). A person whose district signs in without passwords gets
no link: the email tells them to use the district account button instead. Following the link
sets the password, which ends every other sign-in, and signs the person in.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, current_app, render_template
from sqlalchemy import select
from werkzeug.wrappers import Response

from app.auth.session import client_address, sign_in_throttle
from app.extensions import db
from app.invitations.forms import ForgotPasswordForm
from app.invitations.links import follow_link
from app.invitations.mail import queue_district_account_reminder, queue_reset
from app.outbox import kick_outbox
from audits.account_links import issue_link
from audits.models import LinkPurpose, User
from audits.passwords import spend_equal_time
from audits.sign_in_policy import password_sign_in_allowed

blueprint = Blueprint("password", __name__, url_prefix="/password")


@blueprint.route("/forgot", methods=["GET", "POST"])
def forgot() -> tuple[str, int]:
    """Ask for a reset link; the answer never tells whether the address has an account."""
    form = ForgotPasswordForm()
    if not form.validate_on_submit():
        return render_template("invitations/forgot.html", form=form), 400 if form.errors else 200
    email = (form.email.data or "").strip().lower()
    # The same hashing work on every path, so the time taken does not tell accounts apart.
    spend_equal_time(email)
    if sign_in_throttle().allow_reset_email(email, client_address()):
        user = db.session.scalar(select(User).where(User.email == email))
        if user is not None and user.active and not password_sign_in_allowed(user):
            # No link: a password their district does not accept would be of no use to them.
            queue_district_account_reminder(user)
            db.session.commit()
            kick_outbox()
        elif user is not None and user.active:
            lifetime = timedelta(minutes=current_app.config["PASSWORD_RESET_MINUTES"])
            link, plaintext = issue_link(db.session, user, LinkPurpose.PASSWORD_RESET, lifetime=lifetime)
            queue_reset(user, plaintext, link.expires_at)
            db.session.commit()
            kick_outbox()
    return render_template("invitations/forgot_sent.html"), 200


@blueprint.route("/reset/<token>", methods=["GET", "POST"])
def reset(token: str) -> Response:
    """Choose a new password through the link; every other sign-in ends and this browser is signed in."""
    return follow_link(LinkPurpose.PASSWORD_RESET, token)
