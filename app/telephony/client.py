"""Talking to Twilio: the REST client, public callback URLs, and the three API calls Touchpoint makes.

The HTTP client is injectable: tests put a fake ``twilio.http.HttpClient`` in
``app.extensions["twilio_http_client"]`` and no request can leave the process; a
test app without one refuses to build a client at all.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, has_request_context, request, url_for
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response as TwilioResponse
from twilio.rest import Client

HTTP_CLIENT_KEY = "twilio_http_client"
API_BASE = "https://api.twilio.com/2010-04-01"
STATUS_EVENTS = ["initiated", "ringing", "answered", "completed"]
TIMEOUT_SECONDS = 20.0
TEXT_TYPES = ("text/", "application/json", "application/xml", "application/problem+json")
REQUIRED_SETTINGS = ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_CALLER_ID")


def missing_settings(config: Any) -> list[str]:
    """The Twilio settings that are not set."""
    return [name for name in REQUIRED_SETTINGS if not config.get(name)]


def twilio_configured(config: Any) -> bool:
    """Whether click-to-call is on: the account SID, auth token and caller ID are all set."""
    return not missing_settings(config)


def _binary_as_latin1(response: Any, *args: Any, **kwargs: Any) -> Any:
    """Make ``response.text`` of a binary body (a recording) decode byte for byte, losing nothing."""
    content_type = response.headers.get("Content-Type", "")
    if not content_type.startswith(TEXT_TYPES):
        response.encoding = "latin-1"
    return response


def default_http_client() -> TwilioHttpClient:
    """Twilio's own HTTP client, with a timeout and binary bodies kept intact."""
    return TwilioHttpClient(timeout=TIMEOUT_SECONDS, request_hooks={"response": [_binary_as_latin1]})


def twilio_client() -> Client:
    """A Twilio REST client on the configured account, using the app's HTTP client."""
    config = current_app.config
    http_client = current_app.extensions.get(HTTP_CLIENT_KEY)
    if http_client is None:
        if current_app.testing:
            raise RuntimeError(
                f"tests must put a fake Twilio HTTP client in app.extensions[{HTTP_CLIENT_KEY!r}]"
            )
        http_client = current_app.extensions.setdefault(HTTP_CLIENT_KEY, default_http_client())
    return Client(config["TWILIO_ACCOUNT_SID"], config["TWILIO_AUTH_TOKEN"], http_client=http_client)


def public_url(endpoint: str, **values: Any) -> str:
    """The address Twilio reaches ``endpoint`` at: ``PUBLIC_BASE_URL`` plus the route's path."""
    path = url_for(endpoint, **values)
    root = request.script_root if has_request_context() else ""
    if root and path.startswith(root):
        path = path[len(root) :]
    return current_app.config["PUBLIC_BASE_URL"] + path


def request_public_url() -> str:
    """The public address of the current request, as Twilio signed it (behind any proxy)."""
    url = current_app.config["PUBLIC_BASE_URL"] + request.path
    if request.query_string:
        url += "?" + request.query_string.decode("latin-1")
    return url


def place_call(to: str, bridge_url: str, status_url: str) -> str:
    """Ask Twilio to ring ``to`` (the auditor) from the caller ID; return the new call's SID."""
    call = twilio_client().calls.create(
        to=to,
        from_=current_app.config["TWILIO_CALLER_ID"],
        url=bridge_url,
        method="POST",
        status_callback=status_url,
        status_callback_event=STATUS_EVENTS,
        status_callback_method="POST",
    )
    return str(call.sid)


def _recording_url(recording_sid: str, extension: str) -> str:
    # Built from the SID, never from a URL in a callback: the auth token goes to Twilio only.
    account = current_app.config["TWILIO_ACCOUNT_SID"]
    return f"{API_BASE}/Accounts/{account}/Recordings/{recording_sid}.{extension}"


def fetch_recording(recording_sid: str) -> bytes:
    """Download a recording as MP3; raises ``RuntimeError`` when Twilio does not hand it over."""
    response: TwilioResponse = twilio_client().request(
        "GET", _recording_url(recording_sid, "mp3"), headers={"Accept": "audio/mpeg"}, allow_redirects=True
    )
    if response.status_code != 200:
        raise RuntimeError(f"Twilio answered {response.status_code} for recording {recording_sid}")
    body = response.content
    return body if isinstance(body, bytes) else str(body).encode("latin-1")


def delete_recording(recording_sid: str) -> None:
    """Delete a recording at Twilio; one that is already gone there counts as deleted."""
    try:
        twilio_client().recordings(recording_sid).delete()
    except TwilioRestException as error:
        if error.status != 404:
            raise
