"""Security headers on every response, proxy awareness, and request text read safely."""

from __future__ import annotations

from typing import Any

from flask import Flask, abort, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response

# Scripts only from this site (no inline scripts, no eval); styles may be inline
# (small style attributes in templates); nothing may frame the app.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def add_security_headers(response: Response) -> Response:
    """Set the headers every page needs; HSTS only when the request came over HTTPS."""
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    response.headers.setdefault("Permissions-Policy", "camera=(), geolocation=(), microphone=()")
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response


class SafeJSONProvider(DefaultJSONProvider):
    """Flask's JSON, reading request bodies nobody vouches for.

    JSON nested deeper than Python's recursion limit (``[[[[…`` a few hundred kilobytes
    long) makes ``json.loads`` raise ``RecursionError``, which Werkzeug does not expect: it
    becomes a ``ValueError``, so ``request.get_json()`` answers 400 (or ``None`` when silent).
    """

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        """Parse ``s``; too deep a nesting is invalid JSON."""
        try:
            return super().loads(s, **kwargs)
        except RecursionError as error:
            raise ValueError("the JSON is nested too deeply") from error


NUL = "\x00"
# Blueprints that check every parameter themselves and answer in their own format (JSON with fields).
CHECKS_ITS_OWN_TEXT = {"api", "telephony_webhooks"}


def refuse_nul_characters() -> None:
    """Answer 400 to a request whose path, query string or posted form holds a NUL character.

    No text a person types holds one, and PostgreSQL can neither store nor compare it: a NUL in a
    search box or a form field would otherwise end in a database error (a 500) wherever it goes.
    Uploaded files and JSON bodies are not concerned (files are bytes; the API checks its strings),
    nor are the blueprints that check their own parameters (``CHECKS_ITS_OWN_TEXT``).
    """
    if request.blueprint in CHECKS_ITS_OWN_TEXT:
        return
    texts = [request.path, *request.args.keys(), *request.args.values()]
    if request.method in {"POST", "PUT", "PATCH"}:
        texts += [*request.form.keys(), *request.form.values()]
    if any(NUL in text for text in texts):
        abort(400, description="The request holds a NUL character, which no text may contain.")


def register(app: Flask) -> None:
    """Install the headers; with ``TRUSTED_PROXIES`` > 0, trust that many proxies' X-Forwarded-* headers.

    Request bodies in JSON are read with :class:`SafeJSONProvider`; text with a NUL character is refused.
    """
    app.json = SafeJSONProvider(app)
    app.before_request(refuse_nul_characters)
    app.after_request(add_security_headers)
    proxies = int(app.config.get("TRUSTED_PROXIES", 0) or 0)
    if proxies:
        app.wsgi_app = ProxyFix(
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_prefix=proxies
        )  # type: ignore[method-assign]
