"""Every kind of response carries the security headers, not just pages: JSON, downloads, errors, redirects.

The CSP lets scripts come only from the site (no inline script, no eval), lets nothing
frame the app and loads no plugin; ``nosniff`` and a referrer policy are always there;
HSTS only over HTTPS.
"""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.app.hostile_world import HostileWorld, sign_in


def _rules(response: TestResponse) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    rules = [rule.strip().split(None, 1) for rule in policy.split(";") if rule.strip()]
    return {rule[0]: rule[1] if len(rule) > 1 else "" for rule in rules}


def _assert_protected(response: TestResponse, https: bool, where: str) -> None:
    rules = _rules(response)
    script = rules.get("script-src", rules.get("default-src", ""))
    assert "'unsafe-inline'" not in script and "'unsafe-eval'" not in script, where
    assert "*" not in script.split() and "data:" not in script, where
    assert rules.get("frame-ancestors") == "'none'", where
    assert rules.get("object-src") == "'none'" or rules.get("default-src") == "'none'", where
    assert response.headers["X-Content-Type-Options"] == "nosniff", where
    assert response.headers.get("Referrer-Policy") in {"strict-origin-when-cross-origin", "no-referrer"}, (
        where
    )
    hsts = response.headers.get("Strict-Transport-Security")
    if https:
        assert hsts is not None and hsts.startswith("max-age=31536000"), where
    else:
        assert hsts is None, where


def _responses(client: FlaskClient, world: HostileWorld, base_url: str) -> dict[str, TestResponse]:
    api = {"Authorization": f"Bearer {world.values['api_token']}"}
    responses = {
        "sign-in page": client.get("/login", base_url=base_url, buffered=True),
        "missing page": client.get("/no-such-page", base_url=base_url, buffered=True),
        "static file": client.get("/static/style.css", base_url=base_url, buffered=True),
        "redirect to sign in": client.get("/schools/", base_url=base_url, buffered=True),
        "api without a token": client.get("/api/v1/districts", base_url=base_url, buffered=True),
        "api json": client.get("/api/v1/districts", headers=api, base_url=base_url, buffered=True),
        "api bad json": client.post(
            f"/api/v1/contacts/{world.values['submitted_contact_id']}/review",
            data=b"{",
            content_type="application/json",
            headers=api,
            base_url=base_url,
            buffered=True,
        ),
        "openapi document": client.get("/api/v1/openapi.json", base_url=base_url, buffered=True),
    }
    sign_in(client, world.users["leader"], base_url)
    round_id = world.values["round_id"]
    responses |= {
        "page": client.get(f"/schools/{world.values['school_id']}", base_url=base_url, buffered=True),
        "csv export": client.get(f"/rounds/{round_id}/export.csv", base_url=base_url, buffered=True),
        "xlsx export": client.get(
            f"/rounds/{round_id}/export.xlsx?level=schools", base_url=base_url, buffered=True
        ),
        "dashboard": client.get(f"/rounds/{round_id}/dashboard", base_url=base_url, buffered=True),
        "refused form": client.post(
            f"/districts/{world.values['district_id']}/closures", base_url=base_url, buffered=True
        ),
        "forbidden": client.get("/settings/telephony", base_url=base_url, buffered=True),
    }
    sign_in(client, world.users["auditor"], base_url)
    responses["evidence file"] = client.get(
        f"/evidence/{world.values['evidence_token']}", base_url=base_url, buffered=True
    )
    responses["json draft"] = client.post(
        f"/contacts/{world.values['draft_contact_id']}/draft",
        json={"greeted_seconds": "5"},
        base_url=base_url,
    )
    return responses


@pytest.mark.parametrize("https", [False, True], ids=["http", "https"])
def test_every_kind_of_response_carries_the_headers(
    client: FlaskClient, world: HostileWorld, https: bool
) -> None:
    responses = _responses(client, world, "https://touchpoint.example" if https else "http://localhost")
    statuses = {name: response.status_code for name, response in responses.items()}
    assert statuses["page"] == 200 and statuses["csv export"] == 200 and statuses["evidence file"] == 200
    assert (
        statuses["missing page"] == 404 and statuses["forbidden"] == 403 and statuses["api bad json"] == 400
    )
    for name, response in responses.items():
        _assert_protected(response, https, name)
        response.close()


def test_evidence_files_are_sandboxed_and_never_sniffed(client: FlaskClient, world: HostileWorld) -> None:
    sign_in(client, world.users["auditor"])
    response = client.get(f"/evidence/{world.values['evidence_token']}")
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert _rules(response) == {"default-src": "'none'", "sandbox": "", "frame-ancestors": "'none'"}
    assert response.headers["Referrer-Policy"] == "no-referrer"
    # The hostile original name (``<script>alert(1)</script>.png``) never reaches the header as markup.
    disposition = response.headers.get("Content-Disposition", "")
    assert "<" not in disposition and ">" not in disposition
    response.close()
