"""Every response carries the security headers; HSTS only over HTTPS; proxies only when trusted."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from app import create_app


def test_pages_carry_the_security_headers(client: FlaskClient) -> None:
    response = client.get("/login")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    script_rule = next(rule for rule in policy.split(";") if rule.strip().startswith("script-src"))
    assert "unsafe-inline" not in script_rule
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "Strict-Transport-Security" not in response.headers


def test_hsts_is_sent_over_https(client: FlaskClient) -> None:
    response = client.get("/login", base_url="https://touchpoint.example")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_error_pages_carry_them_too(client: FlaskClient) -> None:
    assert "Content-Security-Policy" in client.get("/no-such-page").headers


def test_forwarded_proto_is_trusted_only_when_configured(app: Flask) -> None:
    forwarded = {"X-Forwarded-Proto": "https"}
    assert "Strict-Transport-Security" not in app.test_client().get("/login", headers=forwarded).headers
    trusting = create_app("testing", {**app.config, "TRUSTED_PROXIES": 1})
    assert "Strict-Transport-Security" in trusting.test_client().get("/login", headers=forwarded).headers


def test_no_template_has_inline_scripts_or_handlers() -> None:
    import re
    from pathlib import Path

    templates = Path(__file__).resolve().parents[2] / "templates"
    for path in templates.rglob("*.html"):
        text = path.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), f"inline <script> in {path}"
        assert not re.search(r"\son(click|change|submit|load|input)=", text), f"inline handler in {path}"
