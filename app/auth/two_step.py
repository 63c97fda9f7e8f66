"""The second step of signing in: a code from the person's app, or setting the app up first.

``complete_sign_in`` (every way of signing in ends there) does not sign in a person who has
two-step sign-in on, or for whom it is required: it remembers in the session only that the
first step was passed (whose, when, where to go next) and sends them here. They are not
signed in until they give a code (``/login/two-step``) or, required but not yet set up, scan
a key, confirm it with a code and see their recovery codes (``/login/two-step/set-up``). The
first step counts for five minutes (fifteen while setting up: finding the app takes a
while); after that, or after "Cancel" (the sign-in page forgets it), they start again.
Nothing of it reaches any other page: Flask-Login knows nobody until ``sign_in``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

import segno
from flask import Blueprint, current_app, flash, make_response, redirect, render_template, session, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from markupsafe import Markup
from werkzeug.wrappers import Response
from wtforms import Field, StringField
from wtforms.validators import Length

from app.auth.session import sign_in, sign_in_throttle
from app.extensions import db
from app.forms import SiteForm, apply_errors
from audits import two_step
from audits.errors import ConflictError, DomainError, ValidationError
from audits.models import TwoStepKey, User
from audits.throttle import wait_words
from audits.timeutil import utcnow

blueprint = Blueprint("two_step", __name__, url_prefix="/login/two-step")

PENDING_KEY = "two_step_pending"  # the session key of a first step passed
CODE_MINUTES = 5
SET_UP_MINUTES = 15
TOO_LATE = "That took too long: sign in again."


class Stage(StrEnum):
    """Where a person is in the second step."""

    CODE = "code"  # two-step sign-in is on: enter a code
    SET_UP = "set_up"  # required but not set up: scan the key, confirm it
    CODES_SHOWN = "codes_shown"  # set up: the recovery codes are on screen, "I have saved these"


@dataclass(frozen=True)
class Pending:
    """A first step passed: whose, since when, at which stage, where to go afterwards."""

    user: User
    stage: Stage
    since: datetime
    next_url: str

    @property
    def expires_at(self) -> datetime:
        """When the first step stops counting."""
        minutes = CODE_MINUTES if self.stage is Stage.CODE else SET_UP_MINUTES
        return self.since + timedelta(minutes=minutes)


def admins_required() -> bool:
    """Whether this installation requires two-step sign-in of administrators without a district."""
    return bool(current_app.config.get("ADMIN_TWO_STEP_REQUIRED", False))


def stage_for(user: User) -> Stage | None:
    """The second step ``user`` must pass before being signed in, or ``None`` when there is none."""
    if two_step.is_on(db.session, user):
        return Stage.CODE
    if two_step.required(user, admins_required()):
        return Stage.SET_UP
    return None


def begin(user: User, stage: Stage, next_url: str, now: datetime | None = None) -> Response:
    """Remember that ``user`` passed the first step (``next_url`` already checked) and go to ``stage``."""
    session[PENDING_KEY] = {
        "user": user.id,
        "stage": stage.value,
        "since": (now or utcnow()).isoformat(),
        "next": next_url,
    }
    return redirect(url_for("two_step.set_up" if stage is Stage.SET_UP else "two_step.code"))


def forget() -> None:
    """Forget any first step passed in this browser."""
    session.pop(PENDING_KEY, None)


def pending(now: datetime | None = None) -> Pending | None:
    """The first step this browser passed, if it still counts (an expired one is forgotten)."""
    data = session.get(PENDING_KEY)
    if not isinstance(data, dict):
        return None
    try:
        user = db.session.get(User, int(data["user"]))
        found = Pending(
            user=user,  # type: ignore[arg-type]
            stage=Stage(data["stage"]),
            since=datetime.fromisoformat(data["since"]),
            next_url=str(data["next"]),
        )
        if found.since.tzinfo is None:
            raise ValueError("a naive moment")
    except (KeyError, TypeError, ValueError):
        forget()
        return None
    if found.user is None or not found.user.active or (now or utcnow()) >= found.expires_at:
        forget()
        return None
    return found


def _restart(message: str = TOO_LATE) -> Response:
    forget()
    flash(message, "info")
    return redirect(url_for("auth.login"))


def _current() -> Pending | Response:
    """The first step passed in this browser, or the way back to the sign-in page."""
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    if PENDING_KEY not in session:
        return redirect(url_for("auth.login"))  # never started here: nothing to say
    found = pending()
    return _restart() if found is None else found


def _private(page: str, status: int = 200) -> Response:
    response = make_response(page, status)
    response.headers["Cache-Control"] = "no-store"  # a secret or codes: no cache, no back button
    return response


def qr_svg(uri: str) -> Markup:
    """The QR code of ``uri`` as inline SVG (no script, no image request), titled for screen readers."""
    svg = segno.make(uri, error="m").svg_inline(
        scale=4,
        border=4,
        omitsize=True,  # a viewBox: the page's style sizes it
        dark="#000",
        light="#fff",
        title="QR code of your two-step sign-in key",
        svgclass="qr",
    )
    # segno's own markup, holding only the otpauth address it encoded: safe as it is.
    return Markup(svg.replace("<svg ", '<svg role="img" ', 1))


class CodeForm(SiteForm):
    """A code from the app, or a recovery code."""

    code = StringField(
        "Code",
        description="The 6 digits your authenticator app shows for Touchpoint, "
        "or one of your recovery codes.",
        validators=[Length(max=64, message="a code is 6 digits, a recovery code 16 characters")],
        render_kw={"autocomplete": "one-time-code", "autocapitalize": "characters", "spellcheck": "false"},
    )


class ConfirmForm(SiteForm):
    """The first code of a key being set up."""

    code = StringField(
        "Code from your app",
        description="After scanning, your app shows a 6-digit code for Touchpoint "
        "that changes every 30 seconds.",
        validators=[Length(max=64, message="the code is 6 digits")],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"},
    )


def set_up_page(
    key: TwoStepKey, user: User, form: ConfirmForm, action: str, cancel: str, status: int = 200
) -> Response:
    """The page that shows ``key`` (QR code and text) and asks for its first code."""
    page = render_template(
        "two_step/set_up.html",
        form=form,
        qr=qr_svg(two_step.provisioning_uri(key, user)),
        secret=two_step.grouped(key.secret),
        action=action,
        cancel=cancel,
        signing_in=not current_user.is_authenticated,
        required=two_step.required(user, admins_required()),
        reason=two_step.required_reason(user) if two_step.required(user, admins_required()) else "",
    )
    return _private(page, status)


def codes_page(codes: list[str], action: str | None = None, continue_url: str | None = None) -> Response:
    """The page that shows new recovery codes, once; "I have saved these" posts to ``action`` (signing
    in) or links to ``continue_url``."""
    page = render_template(
        "two_step/recovery_codes.html", codes=codes, action=action, continue_url=continue_url
    )
    return _private(page)


TOO_MANY = "Too many wrong codes."


def held_back(user: User, field: Field) -> bool:
    """Whether ``user``'s wrong codes make them wait now; if so, say how long next to ``field``."""
    wait = sign_in_throttle().code_wait_seconds(user.email)
    if wait:
        field.errors = [f"{TOO_MANY} Wait {wait_words(wait)} and try again."]
    return bool(wait)


def failed_status(field: Field) -> int:
    """The status of a refused code: 429 while the throttle holds the person back, else 400."""
    return 429 if field.errors and str(field.errors[0]).startswith(TOO_MANY) else 400


def count_wrong(user: User, form: FlaskForm, error: DomainError) -> None:
    """Undo the attempt, count a wrong code against ``user`` and show why next to the field."""
    db.session.rollback()
    if isinstance(error, ValidationError):
        sign_in_throttle().code_failed(user.email)
    apply_errors(form, error)


def _signed_in(found: Pending) -> Response:
    forget()
    found.user.last_login_at = utcnow()  # the sign-in is complete now, not at its first step
    sign_in(found.user)
    db.session.commit()
    return redirect(found.next_url)


def _page_for(found: Pending) -> Response | None:
    """Send the person to their stage's page when they opened another."""
    if found.stage is Stage.SET_UP:
        return redirect(url_for("two_step.set_up"))
    if found.stage is Stage.CODE:
        return redirect(url_for("two_step.code"))
    return None


def _recovery_code_used(user: User) -> str:
    left = two_step.status(db.session, user).recovery_codes_left
    if two_step.required(user, admins_required()):
        lost = "ask an administrator or your district leader to reset your two-step sign-in"
    else:
        lost = "turn two-step sign-in off and on again on your account page"
    return f"You signed in with a recovery code; {left} of them left. If your phone is lost, {lost}."


@blueprint.route("", methods=["GET", "POST"])
def code() -> Response:
    """Ask for a code from the app (or a recovery code); a right one signs the person in."""
    found = _current()
    if not isinstance(found, Pending):
        return found
    if found.stage is not Stage.CODE:
        return _page_for(found) or _restart()
    form = CodeForm()
    status = 200
    if form.is_submitted():
        if form.validate() and not held_back(found.user, form.code):
            try:
                method = two_step.check_code(db.session, found.user, form.code.data or "")
            except ConflictError:
                db.session.rollback()
                return _restart("Two-step sign-in was changed for your account: sign in again.")
            except DomainError as error:
                count_wrong(found.user, form, error)
            else:
                sign_in_throttle().code_succeeded(found.user.email)
                if method is two_step.Method.RECOVERY_CODE:
                    flash(_recovery_code_used(found.user), "info")
                return _signed_in(found)
        status = failed_status(form.code)
    page = render_template("auth/two_step.html", form=form, user=found.user, expires_at=found.expires_at)
    return _private(page, status)


@blueprint.route("/set-up", methods=["GET", "POST"])
def set_up() -> Response:
    """Required but not set up: show a key, confirm it with a code, then show the recovery codes."""
    found = _current()
    if not isinstance(found, Pending):
        return found
    if found.stage is not Stage.SET_UP:
        return _page_for(found) or _restart()
    try:
        key = two_step.pending_key(db.session, found.user)
    except ConflictError:  # set up meanwhile, in another browser
        db.session.rollback()
        return _restart("Two-step sign-in is on for your account now: sign in again.")
    db.session.commit()
    form = ConfirmForm()
    status = 200
    if form.is_submitted():
        if form.validate() and not held_back(found.user, form.code):
            try:
                codes = two_step.confirm(db.session, found.user, form.code.data or "")
            except DomainError as error:
                count_wrong(found.user, form, error)
            else:
                sign_in_throttle().code_succeeded(found.user.email)
                db.session.commit()
                begin(found.user, Stage.CODES_SHOWN, found.next_url)
                return codes_page(codes, url_for("two_step.done"))
        status = failed_status(form.code)
    return set_up_page(key, found.user, form, url_for("two_step.set_up"), url_for("auth.login"), status)


@blueprint.route("/done", methods=["POST"])
def done() -> Response:
    """The recovery codes are saved: sign the person in."""
    found = _current()
    if not isinstance(found, Pending):
        return found
    if found.stage is not Stage.CODES_SHOWN:
        return _page_for(found) or _restart()
    flash("Two-step sign-in is on: from now on, signing in asks for a code from your app.", "success")
    return _signed_in(found)
