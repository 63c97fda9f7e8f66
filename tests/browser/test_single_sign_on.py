"""Sign in with a district account in Chromium, against a real OpenID provider (``oidc-provider``).

The server runs with ``OIDC_*`` pointing at a provider started on 127.0.0.1; the person
presses "Sign in with …", signs in on the provider's own pages and comes back signed in.
axe checks the sign-in page with its button and the refusal page; screenshots of both, at
375 px and on a desktop, go to ``artifacts/browser/single_sign_on/``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from app import create_app
from app.extensions import db
from audits.models import District, Role, User
from tests.browser.conftest import ARTIFACTS, LiveServer, Pages, free_port, has_failed, start_server
from tests.browser.ui import assert_accessible
from tests.conftest import PASSWORD_HASH
from tests.oidc_provider import running_provider

pytestmark = pytest.mark.browser

SHOTS = ARTIFACTS / "single_sign_on"
PROVIDER_NAME = "Google"
DOMAIN = "district.example.org"
ACCOUNTS = {
    "ana": {"email": f"ana@{DOMAIN}", "email_verified": True},
    "stranger": {"email": f"stranger@{DOMAIN}", "email_verified": True},
}


@pytest.fixture
def sso_server(database_url: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[LiveServer]:
    """A provider and a server set up to use it, with Ana's account in a district listing her domain."""
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        district = District(name="Duval", sign_in_domains=[DOMAIN])
        db.session.add(district)
        db.session.add(
            User(email=f"ana@{DOMAIN}", role=Role.LEADER, password_hash=PASSWORD_HASH, district=district)
        )
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    port = free_port()
    client = {
        "client_id": "touchpoint",
        "client_secret": "browser-test-secret",
        "redirect_uris": [f"http://127.0.0.1:{port}/login/district-account/callback"],
    }
    with running_provider([client], ACCOUNTS) as provider:
        settings = {
            "OIDC_ISSUER": provider.issuer,
            "OIDC_CLIENT_ID": client["client_id"],
            "OIDC_CLIENT_SECRET": client["client_secret"],
            "OIDC_PROVIDER_NAME": PROVIDER_NAME,
        }
        server = start_server(database_url, tmp_path / "server", port=port, settings=settings)
        try:
            yield server
        finally:
            server.stop()
            if has_failed(request.node):
                server.keep_log(request.node.name)


def shoot(page: Page, name: str) -> None:
    """Screenshots of the page on a desktop and at 375 px wide."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.screenshot(path=SHOTS / f"{name}-desktop.png", full_page=True)
    page.set_viewport_size({"width": 375, "height": 740})
    page.screenshot(path=SHOTS / f"{name}-375.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 800})


def sign_in_at_provider(page: Page, login: str) -> None:
    """On the provider's own pages: any password for ``login``, then consent to share the email."""
    page.get_by_placeholder("Enter any login").fill(login)
    page.get_by_placeholder("and password").fill("any password")
    page.get_by_role("button", name="Sign-in").click()
    page.get_by_role("button", name="Continue").click()


def test_sign_in_with_the_district_account_button(pages: Pages, sso_server: LiveServer) -> None:
    """The button is a real link, axe finds nothing serious, and it signs Ana in."""
    page = pages.open("ana", base_url=sso_server.url)
    page.goto("/login?next=/account")
    button = page.get_by_role("link", name=f"Sign in with {PROVIDER_NAME}")
    expect(button).to_be_visible()
    assert_accessible(page)
    shoot(page, "sign-in-page")
    button.click()
    sign_in_at_provider(page, "ana")
    page.wait_for_url(f"{sso_server.url}/account")
    expect(page.get_by_role("button", name="Sign out", exact=True)).to_be_visible()


def test_an_unknown_person_sees_why_and_the_way_back(pages: Pages, sso_server: LiveServer) -> None:
    """No account for this email: the refusal page says what to do and links back to the sign-in page."""
    page = pages.open("stranger", base_url=sso_server.url)
    page.goto("/login")
    page.get_by_role("link", name=f"Sign in with {PROVIDER_NAME}").click()
    sign_in_at_provider(page, "stranger")
    expect(page.get_by_role("heading", name="You are not signed in")).to_be_visible()
    expect(page.get_by_text("No account is created by signing in")).to_be_visible()
    assert_accessible(page)
    shoot(page, "refusal-page")
    page.get_by_role("link", name="Back to the sign-in page").click()
    expect(page.get_by_role("heading", name="Sign in to Touchpoint")).to_be_visible()
