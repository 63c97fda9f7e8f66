"""Only Twilio may call the webhooks: each request must carry a valid ``X-Twilio-Signature``.

The signature covers the URL Twilio requested and the POST parameters. The URL
is rebuilt from ``PUBLIC_BASE_URL`` (not from the Host header), so validation
works the same behind a reverse proxy and cannot be steered by a forged header.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort, current_app, request
from twilio.request_validator import RequestValidator

from app.telephony.client import request_public_url

log = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])


def signature_valid() -> bool:
    """Whether the current request is signed with the account's auth token."""
    signature = request.headers.get("X-Twilio-Signature", "")
    token = current_app.config["TWILIO_AUTH_TOKEN"]
    if not signature or not token:
        return False
    return RequestValidator(token).validate(request_public_url(), request.form, signature)


def twilio_signed(view: F) -> F:
    """Decorate a webhook: answer 403, before anything is read or changed, unless Twilio signed it."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not signature_valid():
            log.warning("refused an unsigned or badly signed Twilio request to %s", request.path)
            abort(403)
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]
