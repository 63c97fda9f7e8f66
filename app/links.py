"""The address links in emails and callbacks point at.

It is ``PUBLIC_BASE_URL``, except in development when ``PUBLIC_BASE_URL`` was not set: there a
link made while answering a request uses the address the app is being served on
(``flask run --port 5077`` gives ``http://127.0.0.1:5077``), so the links in a developer's
emails open their own server.
"""

from __future__ import annotations

from flask import current_app, has_request_context, request


def public_base_url() -> str:
    """The site's address without a trailing slash, for links that leave the browser (emails)."""
    config = current_app.config
    serving = config.get("TOUCHPOINT_ENV") == "development" and not config.get("PUBLIC_BASE_URL_GIVEN")
    if serving and has_request_context():
        return request.host_url.rstrip("/")
    return str(config["PUBLIC_BASE_URL"])
