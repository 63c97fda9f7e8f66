"""Sign in with a district account, against a real OpenID provider started on 127.0.0.1.

The provider is the npm package ``oidc-provider`` (``tests/oidc_provider.py``): these tests
play the person's browser on its own sign-in and consent pages, and the app talks to it over
HTTP for discovery, its keys and the token endpoint, exactly as it would to Google or Microsoft.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from authlib.oidc.core import CodeIDToken
from flask import Flask, g
from flask.testing import FlaskClient
from joserfc.errors import InvalidClaimError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.invitations.mail import queue_invitation
from app.outbox import kick_outbox
from app.single_sign_on.views import district_client, id_token_checks
from audits.account_links import DISTRICT_ACCOUNT_ONLY, issue_link
from audits.accounts import BAD_CREDENTIALS, NewUser, deactivate
from audits.invitations import invite, withdraw
from audits.models import District, LinkPurpose, Role, User
from audits.people import reactivate
from audits.single_sign_on import DistrictAccount
from audits.timeutil import utcnow
from tests.conftest import PASSWORD, put_in_session
from tests.oidc_provider import Provider, running_provider, sign_in_at_provider

PUBLIC = "http://touchpoint.test"
CALLBACK = f"{PUBLIC}/login/district-account/callback"
CLIENT_ID, CLIENT_SECRET = "touchpoint", "touchpoint-test-secret"
OTHER_ID, OTHER_SECRET = "another-app", "another-app-test-secret"
OTHER_CALLBACK = "http://another-app.test/callback"
DOMAIN = "district.example.org"
PROVIDER_NAME = "Test Accounts"
ACCOUNTS = {
    "ana": {"email": f"Ana.Diaz@{DOMAIN}", "email_verified": True, "name": "Ana Diaz"},
    # The same address, later given to another Google account (another subject).
    "ana-again": {"email": f"ana.diaz@{DOMAIN}", "email_verified": True},
    "una": {"email": f"una@{DOMAIN}", "email_verified": False},
    "stranger": {"email": f"stranger@{DOMAIN}", "email_verified": True},
    "gone": {"email": f"gone@{DOMAIN}", "email_verified": True},
    "nina": {"email": f"nina@{DOMAIN}", "email_verified": True},
    "owen": {"email": "owen@elsewhere.example.com", "email_verified": True},
}


@pytest.fixture(scope="module")
def provider() -> Iterator[Provider]:
    """One provider for the module: our client, another app's, and the accounts above."""
    clients = [
        {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "redirect_uris": [CALLBACK]},
        {"client_id": OTHER_ID, "client_secret": OTHER_SECRET, "redirect_uris": [OTHER_CALLBACK]},
    ]
    with running_provider(clients, ACCOUNTS) as running:
        yield running


@pytest.fixture
def configured(app: Flask, provider: Provider) -> Flask:
    """The app set up to sign in with the provider (the conftest puts the settings back)."""
    app.config.update(
        OIDC_ISSUER=provider.issuer,
        OIDC_CLIENT_ID=CLIENT_ID,
        OIDC_CLIENT_SECRET=CLIENT_SECRET,
        OIDC_PROVIDER_NAME=PROVIDER_NAME,
        PUBLIC_BASE_URL=PUBLIC,
    )
    return app


@pytest.fixture
def district(make_district: Callable[..., District]) -> District:
    """A district whose people sign in with accounts of ``DOMAIN``."""
    return make_district("Duval", sign_in_domains=[DOMAIN])


def provider_answer(
    client: FlaskClient, login: str, next_url: str | None = None, cancel: bool = False
) -> str:
    """Start at the app's button, sign in at the provider as ``login``: the callback's path and query."""
    start = client.get("/login/district-account", query_string={"next": next_url} if next_url else None)
    assert start.status_code == 302, start.get_data(as_text=True)
    back = sign_in_at_provider(start.location, login, CALLBACK, cancel=cancel)
    parts = urlsplit(back)
    return f"{parts.path}?{parts.query}"


def signed_in_as(client: FlaskClient) -> str | None:
    """Whose account page the client reaches (``None``: sent to sign in)."""
    g.pop("_login_user", None)
    page = client.get("/account")
    if page.status_code != 200:
        return None
    text = page.get_data(as_text=True)
    return next((email for email in (a["email"].lower() for a in ACCOUNTS.values()) if email in text), "?")


def refusal(response: Any) -> str:
    """The refusal page's words; it always leads back to the sign-in page."""
    text = response.get_data(as_text=True)
    assert 'href="/login"' in text and "You are not signed in" in text
    return text


def test_sign_in_with_a_district_account(
    configured: Flask,
    client: FlaskClient,
    session: Session,
    district: District,
    make_user: Callable[..., User],
) -> None:
    """The person whose verified email matches lands where they were going, signed in."""
    ana = make_user(Role.LEADER, district=district, email=f"ana.diaz@{DOMAIN}")
    page = client.get("/login").get_data(as_text=True)
    assert f"Sign in with {PROVIDER_NAME}</a>" in page
    back = provider_answer(client, "ana", next_url="/account")
    answer = client.get(back)
    assert answer.status_code == 302 and answer.location == "/account"
    session.refresh(ana)
    assert ana.last_login_at is not None and utcnow() - ana.last_login_at < timedelta(minutes=1)
    assert signed_in_as(client) == ana.email
    # The same answer again is refused: its state was used up.
    g.pop("_login_user", None)
    client.post("/logout")
    assert client.get(back).status_code == 400


def test_an_address_given_to_another_account_is_refused_until_reactivation(
    configured: Flask,
    client: FlaskClient,
    session: Session,
    district: District,
    make_user: Callable[..., User],
) -> None:
    """The provider's subject is kept: the same email from another account does not open Ana's.

    Switching the account off and on again (the administrator vouches for the new holder) lets it in.
    """
    ana = make_user(Role.AUDITOR, district=district, email=f"ana.diaz@{DOMAIN}")
    admin = make_user(Role.ADMIN)
    assert client.get(provider_answer(client, "ana")).status_code == 302
    session.refresh(ana)
    assert (ana.district_account_issuer, ana.district_account_subject) == (
        configured.config["OIDC_ISSUER"],
        "ana",
    )
    g.pop("_login_user", None)
    client.post("/logout")
    answer = client.get(provider_answer(client, "ana-again"))
    assert answer.status_code == 403
    assert f"is now a different {PROVIDER_NAME} account" in refusal(answer).replace("&#39;", "'")
    assert signed_in_as(client) is None
    deactivate(session, ana)
    reactivate(session, admin, ana)
    session.commit()
    assert client.get(provider_answer(client, "ana-again")).status_code == 302
    session.refresh(ana)
    assert ana.district_account_subject == "ana-again" and signed_in_as(client) == ana.email


def test_email_verified_may_come_as_text() -> None:
    """Some providers send ``"true"``; anything but true or "true" is not verified."""
    claims = {"iss": "https://issuer.example", "sub": "1", "email": " Ana@Example.org "}
    assert DistrictAccount.from_claims({**claims, "email_verified": "true"}).email_verified
    assert DistrictAccount.from_claims({**claims, "email_verified": True}).email == "ana@example.org"
    for value in (False, "false", "yes", 1, None):
        assert not DistrictAccount.from_claims({**claims, "email_verified": value}).email_verified


def test_an_unknown_email_is_refused_and_nothing_is_created(
    configured: Flask, client: FlaskClient, session: Session, district: District
) -> None:
    """Signing in never creates an account: the person is told to ask for an invitation."""
    people = session.scalar(select(func.count(User.id)))
    answer = client.get(provider_answer(client, "stranger"))
    assert answer.status_code == 403
    text = refusal(answer)
    assert "No account is created by signing in" in text and "ask your district" in text
    assert session.scalar(select(func.count(User.id))) == people
    assert signed_in_as(client) is None


def test_an_unverified_email_is_refused(
    configured: Flask, client: FlaskClient, district: District, make_user: Callable[..., User]
) -> None:
    """An email the provider has not verified names nobody, even when an account has it."""
    make_user(Role.AUDITOR, district=district, email=f"una@{DOMAIN}")
    answer = client.get(provider_answer(client, "una"))
    assert answer.status_code == 403 and "not verified" in refusal(answer)
    assert signed_in_as(client) is None


def test_a_domain_the_district_does_not_list_is_refused(
    configured: Flask,
    client: FlaskClient,
    session: Session,
    district: District,
    make_user: Callable[..., User],
) -> None:
    """Owen's account is verified, but his district signs in with district.example.org accounts only."""
    owen = make_user(Role.REVIEWER, district=district, email="owen@elsewhere.example.com")
    answer = client.get(provider_answer(client, "owen"))
    assert answer.status_code == 403
    assert "does not sign in to Touchpoint with elsewhere.example.com accounts" in refusal(answer)
    session.refresh(owen)
    assert owen.last_login_at is None and signed_in_as(client) is None


def test_a_deactivated_account_is_refused(
    configured: Flask,
    client: FlaskClient,
    session: Session,
    district: District,
    make_user: Callable[..., User],
) -> None:
    """Someone who left keeps their district account for a while: it no longer opens Touchpoint."""
    gone = make_user(Role.AUDITOR, district=district, email=f"gone@{DOMAIN}")
    deactivate(session, gone)
    session.commit()
    answer = client.get(provider_answer(client, "gone"))
    assert answer.status_code == 403 and "is switched off" in refusal(answer)
    assert signed_in_as(client) is None


def test_an_invited_person_who_signs_in_accepts_the_invitation(
    configured: Flask, client: FlaskClient, session: Session, district: District
) -> None:
    """Nina was invited: signing in with her district account switches her account on and uses the link up."""
    nina, _, token = invite(
        session, None, NewUser(f"nina@{DOMAIN}", Role.AUDITOR, None, district_id=district.id)
    )
    session.commit()
    answer = client.get(provider_answer(client, "nina"))
    assert answer.status_code == 302
    session.refresh(nina)
    assert nina.active and not nina.invitation_pending and nina.last_login_at is not None
    assert signed_in_as(client) == nina.email
    assert client.get(f"/invitations/{token}").status_code == 410  # the emailed link is spent


def test_a_withdrawn_invitation_does_not_let_anyone_in(
    configured: Flask, client: FlaskClient, session: Session, district: District
) -> None:
    """A withdrawn invitation stays withdrawn, whichever way the person tries."""
    nina, _, _ = invite(session, None, NewUser(f"nina@{DOMAIN}", Role.AUDITOR, None, district_id=district.id))
    withdraw(session, None, nina)
    session.commit()
    answer = client.get(provider_answer(client, "nina"))
    assert answer.status_code == 403 and "withdrawn or has expired" in refusal(answer)
    session.refresh(nina)
    assert not nina.active


def test_a_tampered_state_is_refused(
    configured: Flask,
    client: FlaskClient,
    session: Session,
    district: District,
    make_user: Callable[..., User],
) -> None:
    """An answer whose state is not the one this browser's sign-in started with is not trusted."""
    ana = make_user(Role.LEADER, district=district, email=f"ana.diaz@{DOMAIN}")
    back = provider_answer(client, "ana")
    path, query = back.split("?", 1)
    values = {name: value[0] for name, value in parse_qs(query).items()}
    values["state"] = values["state"][:-2] + ("AA" if not values["state"].endswith("AA") else "BB")
    answer = client.get(f"{path}?{urlencode(values)}")
    assert answer.status_code == 400 and "does not belong to a sign-in started in this browser" in refusal(
        answer
    )
    # Nor does an answer reach a browser that never started a sign-in.
    assert FlaskClient(configured).get(back).status_code == 400
    session.refresh(ana)
    assert ana.last_login_at is None and signed_in_as(client) is None


def test_the_provider_saying_no_is_refused(
    configured: Flask, client: FlaskClient, district: District
) -> None:
    """The person cancels at the provider: it answers error=access_denied."""
    back = provider_answer(client, "ana", cancel=True)
    assert "error=access_denied" in back
    answer = client.get(back)
    assert answer.status_code == 403 and "did not sign you in" in refusal(answer)


def test_an_id_token_for_another_app_is_refused(configured: Flask, provider: Provider) -> None:
    """The audience check: a genuine ID token the provider issued to another app does not open ours.

    A correct provider never hands our callback a token for another client (it refuses to trade
    another client's code), so the token is obtained the way that other app would, through the
    provider's real pages and token endpoint, and given to the check our callback runs.
    """
    with configured.test_request_context():
        metadata = district_client().load_server_metadata()
    verifier, nonce = generate_token(48), generate_token(20)
    other = OAuth2Session(
        OTHER_ID,
        OTHER_SECRET,
        scope="openid email",
        redirect_uri=OTHER_CALLBACK,
        code_challenge_method="S256",
    )
    url, _ = other.create_authorization_url(
        metadata["authorization_endpoint"], nonce=nonce, code_verifier=verifier
    )
    back = sign_in_at_provider(url, "ana", OTHER_CALLBACK)
    token = other.fetch_token(metadata["token_endpoint"], authorization_response=back, code_verifier=verifier)
    assert token["id_token"]
    with configured.test_request_context():
        ours = district_client()
        checks = id_token_checks(ours)
        with pytest.raises(InvalidClaimError, match="aud"):
            ours.parse_id_token(token, nonce=nonce, claims_options=checks)
    # The token itself is sound: the app it was issued to accepts it.
    configured.config.update(OIDC_CLIENT_ID=OTHER_ID, OIDC_CLIENT_SECRET=OTHER_SECRET)
    with configured.test_request_context():
        theirs = district_client()
        claims = theirs.parse_id_token(token, nonce=nonce, claims_options=id_token_checks(theirs))
        assert claims["email"] == ACCOUNTS["ana"]["email"]


def test_another_issuer_is_refused(configured: Flask, client: FlaskClient, provider: Provider) -> None:
    """The discovery document must name the configured issuer: one reached by another name is not it."""
    configured.config["OIDC_ISSUER"] = provider.issuer.replace("127.0.0.1", "localhost")
    answer = client.get("/login/district-account")
    assert answer.status_code == 502 and "another issuer" in refusal(answer)


def test_an_unreachable_provider_is_refused(configured: Flask, client: FlaskClient) -> None:
    """Nothing listens on port 9: the page says so instead of failing."""
    configured.config["OIDC_ISSUER"] = "http://127.0.0.1:9"
    answer = client.get("/login/district-account")
    assert answer.status_code == 502 and "could not be reached" in refusal(answer)


def test_the_button_and_routes_only_exist_when_configured(app: Flask, client: FlaskClient) -> None:
    """Without OIDC_ISSUER the sign-in page has no button and the start route is not found."""
    assert "district-account" not in client.get("/login").get_data(as_text=True)
    assert client.get("/login/district-account").status_code == 404


# -- a district that switched password sign-in off (no provider needed) ----------------------------


@pytest.fixture
def passwordless(app: Flask, make_district: Callable[..., District]) -> District:
    """A district that signs in with its accounts only, on an app with single sign-on configured."""
    app.config.update(
        OIDC_ISSUER="http://127.0.0.1:9",
        OIDC_CLIENT_ID=CLIENT_ID,
        OIDC_CLIENT_SECRET=CLIENT_SECRET,
        OIDC_PROVIDER_NAME=PROVIDER_NAME,
    )
    return make_district("Clay", sign_in_domains=[DOMAIN], password_sign_in=False)


def test_the_password_form_sends_the_district_to_its_button(
    client: FlaskClient, session: Session, passwordless: District, make_user: Callable[..., User]
) -> None:
    """Told only once the password proved right: a wrong one, or an unknown email, gets the usual answer."""
    ana = make_user(Role.AUDITOR, district=passwordless, email=f"ana@{DOMAIN}")
    right = client.post("/login", data={"email": ana.email, "password": PASSWORD})
    assert right.status_code == 401
    assert f"Your district signs in with {PROVIDER_NAME}: use the button above." in right.get_data(
        as_text=True
    )
    for email, password in ((ana.email, "not the password"), (f"nobody@{DOMAIN}", PASSWORD)):
        wrong = client.post("/login", data={"email": email, "password": password})
        assert wrong.status_code == 401 and BAD_CREDENTIALS in wrong.get_data(as_text=True)
        assert "use the button above" not in wrong.get_data(as_text=True)
    session.refresh(ana)
    assert ana.last_login_at is None and signed_in_as(client) is None


def test_a_reset_request_gets_the_district_account_instead_of_a_link(
    app: Flask, client: FlaskClient, session: Session, passwordless: District, make_user: Callable[..., User]
) -> None:
    """No link to set a password the district does not accept; an older link stops working."""
    ana = make_user(Role.AUDITOR, district=passwordless, email=f"ana@{DOMAIN}")
    passwordless.password_sign_in = True
    _, older = issue_link(session, ana, LinkPurpose.PASSWORD_RESET)
    passwordless.password_sign_in = False
    session.commit()
    assert client.post("/password/forgot", data={"email": ana.email}).status_code == 200
    (mail,) = app.extensions["mailman"].outbox
    assert mail.to == [ana.email] and f"Sign in with {PROVIDER_NAME}" in mail.body
    assert "/password/reset/" not in mail.body and "/login" in mail.body
    page = client.get(f"/password/reset/{older}")
    assert page.status_code == 410 and DISTRICT_ACCOUNT_ONLY in page.get_data(as_text=True).replace(
        "&#39;", "'"
    )


def test_the_audience_check_does_not_rest_on_azp(configured: Flask) -> None:
    """Authlib alone accepts a token for another audience that names our client as ``azp``; ours does not."""
    now = int(utcnow().timestamp())
    claims = {"iss": configured.config["OIDC_ISSUER"], "sub": "ana", "aud": [OTHER_ID], "azp": CLIENT_ID}
    claims.update(exp=now + 60, iat=now, nonce="n")
    params = {"client_id": CLIENT_ID, "nonce": "n"}
    CodeIDToken(claims, {"alg": "RS256"}, None, params).validate()  # Authlib's own checks pass
    with configured.test_request_context(), pytest.raises(InvalidClaimError, match="aud"):
        CodeIDToken(claims, {"alg": "RS256"}, id_token_checks(district_client()), params).validate()


def test_an_invitation_to_a_district_without_passwords_leads_to_its_button(
    app: Flask, client: FlaskClient, session: Session, passwordless: District, make_user: Callable[..., User]
) -> None:
    """The email offers no password to choose; its link, if followed anyway, says to use the button."""
    leader = make_user(Role.LEADER, district=passwordless, email=f"lead@{DOMAIN}")
    client_of_leader = app.test_client()
    put_in_session(client_of_leader, leader)
    g.pop("_login_user", None)
    answer = client_of_leader.post(
        "/users/invite", data={"email": f"nina@{DOMAIN}", "role": "auditor", "district": passwordless.id}
    )
    assert answer.status_code == 302, answer.get_data(as_text=True)
    (mail,) = app.extensions["mailman"].outbox
    assert f'use the "Sign in with {PROVIDER_NAME}" button' in mail.body
    assert "/invitations/" not in mail.body and "Choose your password" not in mail.body
    nina = session.scalars(select(User).filter_by(email=f"nina@{DOMAIN}")).one()
    _, token = issue_link(session, nina, LinkPurpose.INVITATION)
    session.commit()
    page = client.get(f"/invitations/{token}")
    text = page.get_data(as_text=True).replace("&#39;", "'")
    assert page.status_code == 410 and DISTRICT_ACCOUNT_ONLY in text and "Go to the sign-in page" in text


def test_an_invitation_where_passwords_work_offers_both(
    app: Flask, session: Session, passwordless: District
) -> None:
    """A district that lists its domain but keeps passwords: the link, and the button as another way."""
    passwordless.password_sign_in = True
    session.commit()
    invited, link, token = invite(
        session, None, NewUser(f"nina@{DOMAIN}", Role.AUDITOR, None, district_id=passwordless.id)
    )
    with app.test_request_context():
        queue_invitation(invited, token, link.expires_at, None)
    session.commit()
    with app.test_request_context():
        kick_outbox()
    (mail,) = app.extensions["mailman"].outbox
    assert (
        f"/invitations/{token}" in mail.body and f"Or sign in with your {PROVIDER_NAME} account" in mail.body
    )
