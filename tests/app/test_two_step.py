"""Two-step sign-in through the real pages: set up on the account page, codes at sign-in,
recovery codes, replays, the throttle, the pending first step, the district's requirement,
and an administrator's reset. Codes are computed with pyotp from the key the page shows."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta

import pyotp
import pytest
from flask import Flask, g
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from app.auth.two_step import PENDING_KEY
from audits import audit_log
from audits.account_links import issue_link
from audits.models import AuditEntry, District, LinkPurpose, RecoveryCode, Role, TwoStepKey, User
from audits.timeutil import utcnow
from tests.conftest import PASSWORD, AuthActions

KEY = re.compile(r'id="two-step-key">([A-Z2-7 ]+)</code>')
RECOVERY = re.compile(r"<code>([2-9A-HJ-NP-Z]{4}(?:-[2-9A-HJ-NP-Z]{4}){3})</code>")


def secret_shown(page: str) -> str:
    """The key the set-up page shows as text (grouped in fours), without its spaces."""
    found = KEY.search(page)
    assert found, "no key on the page"
    assert re.fullmatch(r"([A-Z2-7]{4} )+[A-Z2-7]{1,4}", found.group(1)), found.group(1)
    return found.group(1).replace(" ", "")


def fresh_code(session: Session, user: User, secret: str) -> str:
    """A code the app would show that was not used yet: this step's, or the next one after the last used."""
    session.expire_all()
    key = session.scalar(select(TwoStepKey).where(TwoStepKey.user_id == user.id))
    totp = pyotp.TOTP(secret)
    step = totp.timecode(utcnow())
    if key is not None and key.last_used_step is not None:
        step = max(step, key.last_used_step + 1)
    return totp.generate_otp(step)


def text(response: TestResponse) -> str:
    return response.get_data(as_text=True)


def signed_in(client: FlaskClient) -> bool:
    """Whether the client's session is signed in, asked of a page that needs a sign-in."""
    g.pop("_login_user", None)
    return client.get("/account").status_code == 200


def other_code(code: str) -> str:
    """A 6-digit code that is not ``code`` (nor, but by a one-in-a-million chance, a neighbour step's)."""
    return f"{(int(code) + 500_000) % 1_000_000:06d}"


def enrol(client: FlaskClient, session: Session, auth: AuthActions, user: User) -> tuple[str, list[str]]:
    """Turn two-step sign-in on through the account page; return the key and the recovery codes shown."""
    auth.sign_in(user)
    secret = secret_shown(text(client.get("/account/two-step")))
    response = client.post("/account/two-step", data={"code": fresh_code(session, user, secret)})
    assert response.status_code == 200, text(response)
    codes = RECOVERY.findall(text(response))
    assert len(codes) == 10
    auth.logout()
    g.pop("_login_user", None)
    return secret, codes


def password_step(client: FlaskClient, email: str, next_url: str = "") -> TestResponse:
    g.pop("_login_user", None)
    return client.post("/login", data={"email": email, "password": PASSWORD, "next": next_url})


@pytest.fixture
def district(make_district: Callable[..., District]) -> District:
    return make_district("Duval")


@pytest.fixture
def auditor(make_user: Callable[..., User], district: District) -> User:
    return make_user(Role.AUDITOR, district, name="Ada Auditor", email="ada@example.org")


def test_turning_it_on_from_the_account_page(
    client: FlaskClient, session: Session, auth: AuthActions, auditor: User
) -> None:
    auth.sign_in(auditor)
    account = text(client.get("/account"))
    assert "Two-step sign-in" in account and "Turn on two-step sign-in" in account
    page = client.get("/account/two-step")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    html = text(page)
    assert (
        '<svg role="img" viewBox=' in html and "<title>QR code of your two-step sign-in key</title>" in html
    )
    assert "<script" not in html.split("<main", 1)[-1]
    secret = secret_shown(html)
    # The page opened again shows the same pending key: nothing is on yet.
    assert secret_shown(text(client.get("/account/two-step"))) == secret
    key = session.scalar(select(TwoStepKey).where(TwoStepKey.user_id == auditor.id))
    assert key is not None and key.enabled_at is None and key.secret == secret

    wrong = client.post("/account/two-step", data={"code": "12345"})
    assert wrong.status_code == 400
    assert re.search(r'id="code-error">the code is the 6 digits your app shows', text(wrong))
    other = pyotp.TOTP(pyotp.random_base32()).now()
    wrong = client.post("/account/two-step", data={"code": other})
    assert wrong.status_code == 400 and "this code is not right" in text(wrong)
    session.expire_all()
    assert session.get(TwoStepKey, key.id).enabled_at is None  # type: ignore[union-attr]

    shown = client.post("/account/two-step", data={"code": fresh_code(session, auditor, secret)})
    assert shown.status_code == 200 and shown.headers["Cache-Control"] == "no-store"
    codes = RECOVERY.findall(text(shown))
    assert len(set(codes)) == 10 and "shown only this once" in text(shown)
    assert 'href="/account"' in text(shown) and "I have saved these" in text(shown)
    # Only hashes are kept: no code appears in the table.
    stored = [row.code_hash for row in session.scalars(select(RecoveryCode))]
    assert len(stored) == 10 and not any(code.replace("-", "") in stored for code in codes)
    assert session.scalar(select(AuditEntry.action).where(AuditEntry.subject_user_id == auditor.id)) == (
        audit_log.USER_TWO_STEP_ON
    )
    account = text(client.get("/account"))
    assert "<strong>On</strong>" in account and "10 of your 10 recovery codes are unused" in account
    assert client.get("/account/two-step").status_code == 302  # on already: back to the account page


def test_sign_in_asks_for_a_code_and_nothing_else_opens_meanwhile(
    client: FlaskClient, session: Session, auth: AuthActions, auditor: User
) -> None:
    secret, _ = enrol(client, session, auth, auditor)
    first = password_step(client, auditor.email, "/account")
    assert first.status_code == 302 and first.headers["Location"] == "/login/two-step"
    with client.session_transaction() as web_session:
        assert web_session[PENDING_KEY]["user"] == auditor.id
        assert "_user_id" not in web_session
    for path in ("/", "/account", "/assignments/", "/account/two-step", "/users/"):
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login"), path
    assert client.post("/account/two-step/off", data={"off-proof": PASSWORD}).status_code == 302
    assert client.get("/api/v1/rounds").status_code == 401

    page = client.get("/login/two-step")
    assert page.status_code == 200 and "authenticator app" in text(page)
    assert 'href="/login"' in text(page)  # cancel
    wrong = client.post("/login/two-step", data={"code": other_code(fresh_code(session, auditor, secret))})
    assert wrong.status_code == 400
    html = text(wrong)
    assert 'aria-invalid="true"' in html and re.search(r'id="code-error">this code is not right', html)
    assert not signed_in(client)

    right = client.post("/login/two-step", data={"code": fresh_code(session, auditor, secret)})
    assert right.status_code == 302 and right.headers["Location"] == "/account"
    assert signed_in(client)
    with client.session_transaction() as web_session:
        assert PENDING_KEY not in web_session


def test_a_code_is_accepted_once(
    client: FlaskClient, session: Session, auth: AuthActions, auditor: User
) -> None:
    secret, _ = enrol(client, session, auth, auditor)
    password_step(client, auditor.email)
    code = fresh_code(session, auditor, secret)
    assert client.post("/login/two-step", data={"code": code}).status_code == 302
    auth.logout()
    password_step(client, auditor.email)
    replayed = client.post("/login/two-step", data={"code": code})
    assert replayed.status_code == 400
    assert "this code was used already: wait for your app to show the next one" in text(replayed)
    assert not signed_in(client)


def test_a_recovery_code_signs_in_once(
    client: FlaskClient, session: Session, auth: AuthActions, auditor: User
) -> None:
    _, codes = enrol(client, session, auth, auditor)
    password_step(client, auditor.email)
    used = client.post("/login/two-step", data={"code": codes[0]})
    assert used.status_code == 302
    g.pop("_login_user", None)
    assert "9 of them left" in text(client.get("/"))
    auth.logout()
    password_step(client, auditor.email)
    again = client.post("/login/two-step", data={"code": codes[0]})
    assert again.status_code == 400 and "this recovery code was used already" in text(again)
    # Typed in lower case, with spaces instead of dashes, another one works.
    typed = codes[1].lower().replace("-", " ")
    assert client.post("/login/two-step", data={"code": typed}).status_code == 302
    assert signed_in(client)


def test_wrong_codes_are_throttled(
    client: FlaskClient, session: Session, auth: AuthActions, auditor: User
) -> None:
    secret, _ = enrol(client, session, auth, auditor)
    password_step(client, auditor.email)
    right = fresh_code(session, auditor, secret)
    wrong = other_code(right)
    for _ in range(5):
        assert client.post("/login/two-step", data={"code": wrong}).status_code == 400
    held = client.post("/login/two-step", data={"code": right})
    assert held.status_code == 429
    assert re.search(
        r'id="code-error">Too many wrong codes. Wait \d+ (second|minute)s? and try again.', text(held)
    )
    assert not signed_in(client)


def test_the_first_step_expires(
    client: FlaskClient, session: Session, auth: AuthActions, auditor: User
) -> None:
    secret, _ = enrol(client, session, auth, auditor)
    password_step(client, auditor.email)
    with client.session_transaction() as web_session:
        pending = web_session[PENDING_KEY]
        since = datetime.fromisoformat(pending["since"])
        web_session[PENDING_KEY] = {**pending, "since": (since - timedelta(minutes=5, seconds=1)).isoformat()}
    late = client.post("/login/two-step", data={"code": fresh_code(session, auditor, secret)})
    assert late.status_code == 302 and late.headers["Location"] == "/login"
    assert "That took too long" in text(client.get("/login"))
    assert not signed_in(client)
    with client.session_transaction() as web_session:
        assert PENDING_KEY not in web_session


def test_cancel_forgets_the_first_step(
    client: FlaskClient, session: Session, auth: AuthActions, auditor: User
) -> None:
    enrol(client, session, auth, auditor)
    password_step(client, auditor.email)
    assert client.get("/login").status_code == 200
    assert client.get("/login/two-step").headers["Location"] == "/login"


def test_a_leader_whose_district_requires_it_sets_it_up_before_getting_in(
    client: FlaskClient,
    session: Session,
    auth: AuthActions,
    make_user: Callable[..., User],
    district: District,
) -> None:
    district.two_step_required = True
    session.commit()
    leader = make_user(Role.LEADER, district, email="lee@example.org")
    first = password_step(client, leader.email)
    assert first.headers["Location"] == "/login/two-step/set-up"
    assert client.get("/").headers["Location"].startswith("/login")
    assert client.get("/login/two-step").headers["Location"] == "/login/two-step/set-up"
    page = client.get("/login/two-step/set-up")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert "Duval requires two-step sign-in of its district leaders" in text(page)
    secret = secret_shown(text(page))
    assert client.post("/login/two-step/set-up", data={"code": ""}).status_code == 400
    shown = client.post("/login/two-step/set-up", data={"code": fresh_code(session, leader, secret)})
    assert shown.status_code == 200 and len(RECOVERY.findall(text(shown))) == 10
    assert 'action="/login/two-step/done"' in text(shown)
    assert not signed_in(client)  # not yet: the codes are on screen
    assert client.post("/login/two-step/done").headers["Location"] == "/"
    assert signed_in(client)
    account = text(client.get("/account"))
    assert "so you cannot turn it off" in account and "Turn off two-step sign-in" not in account
    refused = client.post("/account/two-step/off", data={"off-proof": PASSWORD})
    assert refused.status_code == 403 and "so it stays on" in text(refused)
    # The next sign-in asks for a code.
    auth.logout()
    assert password_step(client, leader.email).headers["Location"] == "/login/two-step"


def test_administrators_without_a_district_when_the_installation_requires_it(
    app: Flask, client: FlaskClient, make_user: Callable[..., User]
) -> None:
    admin = make_user(Role.ADMIN, email="root@example.org")
    assert password_step(client, admin.email).headers["Location"] == "/"
    client.post("/logout")
    app.config["ADMIN_TWO_STEP_REQUIRED"] = True
    assert password_step(client, admin.email).headers["Location"] == "/login/two-step/set-up"
    assert "This installation requires two-step sign-in of administrators" in text(
        client.get("/login/two-step/set-up")
    )


def test_turning_it_off_needs_the_password(
    client: FlaskClient, session: Session, auth: AuthActions, auditor: User
) -> None:
    enrol(client, session, auth, auditor)
    auth.sign_in(auditor)
    wrong = client.post("/account/two-step/off", data={"off-proof": "not my password"})
    assert wrong.status_code == 400
    assert re.search(r'id="off-proof-error">this is neither your password nor a current code', text(wrong))
    off = client.post("/account/two-step/off", data={"off-proof": PASSWORD})
    assert off.headers["Location"] == "/account"
    assert session.scalar(select(TwoStepKey)) is None and session.scalar(select(RecoveryCode)) is None
    actions = list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    assert actions == [audit_log.USER_TWO_STEP_ON, audit_log.USER_TWO_STEP_OFF]
    auth.logout()
    assert password_step(client, auditor.email).headers["Location"] == "/"


def test_new_recovery_codes_replace_the_old(
    client: FlaskClient, session: Session, auth: AuthActions, auditor: User
) -> None:
    secret, old = enrol(client, session, auth, auditor)
    auth.sign_in(auditor)
    assert client.post("/account/two-step/recovery-codes", data={"renew-proof": "nope"}).status_code == 400
    renewed = client.post(
        "/account/two-step/recovery-codes", data={"renew-proof": fresh_code(session, auditor, secret)}
    )
    assert renewed.status_code == 200
    new = RECOVERY.findall(text(renewed))
    assert len(new) == 10 and not set(new) & set(old)
    auth.logout()
    password_step(client, auditor.email)
    assert "not one of yours" in text(client.post("/login/two-step", data={"code": old[3]}))
    assert client.post("/login/two-step", data={"code": new[3]}).status_code == 302


def test_an_administrator_resets_a_lost_phone_from_the_person_page(
    client: FlaskClient, session: Session, auth: AuthActions, auditor: User, make_user: Callable[..., User]
) -> None:
    enrol(client, session, auth, auditor)
    admin = make_user(Role.ADMIN, name="Ann Admin")
    auth.sign_in(admin)
    page = text(client.get(f"/users/{auditor.id}"))
    assert "Two-step sign-in" in page and "10 recovery codes unused" in page
    done = client.post(f"/users/{auditor.id}/two-step/reset")
    assert done.headers["Location"] == f"/users/{auditor.id}"
    assert session.scalar(select(TwoStepKey)) is None and session.scalar(select(RecoveryCode)) is None
    entry = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert entry is not None and entry.action == audit_log.USER_TWO_STEP_RESET
    assert entry.actor_id == admin.id and entry.subject_user_id == auditor.id
    page = text(client.get(f"/users/{auditor.id}"))
    assert "Two-step sign-in reset" in page and "Reset two-step sign-in</button>" not in page
    # Resetting again: nothing to reset, said as an error, nothing recorded.
    client.post(f"/users/{auditor.id}/two-step/reset")
    assert session.scalar(select(AuditEntry).where(AuditEntry.id > entry.id)) is None
    auth.logout()
    assert password_step(client, auditor.email).headers["Location"] == "/"


def test_a_leader_resets_their_auditor_but_not_another_districts(
    client: FlaskClient,
    session: Session,
    auth: AuthActions,
    auditor: User,
    make_user: Callable[..., User],
    make_district: Callable[..., District],
) -> None:
    enrol(client, session, auth, auditor)
    auth.sign_in(make_user(Role.LEADER, make_district("Elsewhere")))
    assert client.post(f"/users/{auditor.id}/two-step/reset").status_code == 403
    assert session.scalar(select(TwoStepKey)) is not None
    auth.sign_in(make_user(Role.LEADER, auditor.district))
    assert client.post(f"/users/{auditor.id}/two-step/reset").status_code == 302
    assert session.scalar(select(TwoStepKey)) is None


def test_a_password_reset_link_does_not_skip_the_second_step(
    client: FlaskClient, session: Session, auth: AuthActions, auditor: User
) -> None:
    enrol(client, session, auth, auditor)
    _, token = issue_link(session, auditor, LinkPurpose.PASSWORD_RESET)
    session.commit()
    chosen = "quiet harbour lantern 42"
    response = client.post(f"/password/reset/{token}", data={"password": chosen, "confirm": chosen})
    assert response.status_code == 302 and response.headers["Location"] == "/login/two-step"
    assert not signed_in(client)
    assert "One more step to sign in" in text(client.get("/login/two-step"))
