"""The secret address of an auditor's calendar feed.

Calendar apps cannot sign in, so the feed's URL carries a token: an HMAC of the
auditor's id and password hash under the app's secret key. It needs no column,
and it changes (the old address stops working) when the auditor changes their
password or the secret key is rotated.
"""

from __future__ import annotations

import hashlib
import hmac

from flask import current_app, url_for

from audits.models import User

TOKEN_LENGTH = 32


def feed_token(user: User) -> str:
    """The token in ``user``'s feed address (32 hex characters)."""
    key = str(current_app.config["SECRET_KEY"]).encode()
    message = f"ics:{user.id}:{user.password_hash}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:TOKEN_LENGTH]


def token_matches(user: User, token: str) -> bool:
    """Whether ``token`` is ``user``'s feed token (compared in constant time)."""
    return hmac.compare_digest(feed_token(user).encode(), token.encode())


def feed_url(user: User) -> str:
    """The full address of ``user``'s calendar feed, to paste into a calendar app."""
    return url_for("assignments.feed", user_id=user.id, token=feed_token(user), _external=True)
