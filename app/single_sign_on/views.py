"""Sign in with a district account: OpenID Connect's authorization code flow, run by Authlib.

``/login/district-account`` sends the browser to the provider (``OIDC_ISSUER``) with a fresh
state, nonce and PKCE challenge (S256) kept in this browser's session; the provider sends it
back to ``/login/district-account/callback``, where Authlib checks the state, trades the code
for tokens and checks the ID token (signature by the provider's published keys, issuer,
audience, expiry, nonce). ``audits.single_sign_on`` then decides whose account it opens, and
``app.auth.views.complete_sign_in`` signs them in. Every refusal is a page saying why, with
the way back to the sign-in page; nothing is created or changed then.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from authlib.integrations.flask_client import OAuth
from flask import Blueprint, abort, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user
from joserfc.errors import JoseError
from werkzeug.wrappers import Response

from app.auth.views import complete_sign_in
from app.extensions import db
from audits.errors import DomainError
from audits.single_sign_on import DistrictAccount, sign_in_with_district_account
from config import single_sign_on_configured

blueprint = Blueprint("single_sign_on", __name__, url_prefix="/login/district-account")

CLIENTS = "single_sign_on"  # app.extensions key: Authlib clients by configuration
NEXT_KEY = "single_sign_on_next"
# How long to wait for the provider (discovery, keys, the token endpoint), in seconds.
PROVIDER_TIMEOUT = 10

UNREACHABLE = (
    "{provider} could not be reached just now, so you are not signed in. Try again in a few minutes."
)
WRONG_ISSUER = (
    "{provider} answered as another issuer than the one this server is set up for, so its answer is "
    "not trusted. Tell your Touchpoint administrator (OIDC_ISSUER)."
)
BAD_STATE = (
    "This answer from {provider} does not belong to a sign-in started in this browser (it may be old, "
    "used already, or forged). Start again from the sign-in page."
)
DENIED = "{provider} did not sign you in (you cancelled, or it refused). You can try again."
PROVIDER_ERROR = "{provider} could not sign you in ({reason}). Try again."
BAD_TOKEN = (
    "The answer from {provider} failed its checks (its signature, issuer, audience, expiry or nonce), "
    "so it is not trusted. Start again from the sign-in page."
)


def _provider_name() -> str:
    return str(current_app.config["OIDC_PROVIDER_NAME"])


def district_client() -> Any:
    """The Authlib client for this app's current ``OIDC_*`` settings (built once per settings)."""
    config = current_app.config
    key = (config["OIDC_ISSUER"], config["OIDC_CLIENT_ID"], config["OIDC_CLIENT_SECRET"])
    clients: dict[tuple[str, str, str], Any] = current_app.extensions.setdefault(CLIENTS, {})
    if key not in clients:
        oauth = OAuth()
        oauth.init_app(current_app._get_current_object())  # type: ignore[attr-defined]
        clients[key] = oauth.register(
            name="district",
            client_id=key[1],
            client_secret=key[2],
            server_metadata_url=f"{key[0]}/.well-known/openid-configuration",
            client_kwargs={
                "scope": "openid email profile",
                "code_challenge_method": "S256",
                "default_timeout": PROVIDER_TIMEOUT,
            },
        )
    return clients[key]


def id_token_checks(client: Any) -> dict[str, Any]:
    """The claims the ID token must carry: issued by the provider, to this client (OIDC Core 3.1.3.7).

    Authlib checks the signature, expiry and nonce itself, but the audience only through ``azp``
    (a token for another client that names ours as ``azp`` would pass): say both outright.
    """
    return {
        "iss": {"essential": True, "values": [client.load_server_metadata()["issuer"]]},
        "aud": {"essential": True, "values": [current_app.config["OIDC_CLIENT_ID"]]},
    }


def refused(message: str, status: int) -> tuple[str, int]:
    """The page that says why nobody was signed in, with the way back to the sign-in page."""
    db.session.rollback()
    return render_template("single_sign_on/refused.html", reason=message), status


def _checked_metadata(client: Any) -> None:
    """Load the provider's discovery document; its issuer must be the configured one (OIDC Discovery 4.3)."""
    metadata = client.load_server_metadata()
    if str(metadata.get("issuer", "")).rstrip("/") != current_app.config["OIDC_ISSUER"]:
        raise _WrongIssuerError


class _WrongIssuerError(Exception):
    """The discovery document names another issuer than ``OIDC_ISSUER``."""


def _local_path(target: str | None) -> str:
    """``target`` when it is a path on this site (``complete_sign_in`` checks again), else ``""``."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target[:2000]
    return ""


@blueprint.get("")
def start() -> Response | tuple[str, int]:
    """Send the browser to the district's provider, remembering where to go once signed in."""
    if not single_sign_on_configured(current_app.config):
        abort(404)
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    provider = _provider_name()
    client = district_client()
    try:
        _checked_metadata(client)
        session[NEXT_KEY] = _local_path(request.args.get("next"))
        callback_url = current_app.config["PUBLIC_BASE_URL"] + url_for("single_sign_on.callback")
        response: Response = client.authorize_redirect(callback_url)
    except _WrongIssuerError:
        return refused(WRONG_ISSUER.format(provider=provider), 502)
    except (requests.RequestException, ValueError):
        return refused(UNREACHABLE.format(provider=provider), 502)
    return response


@blueprint.get("/callback")
def callback() -> Response | tuple[str, int]:
    """Check the provider's answer, find the person it names, and sign them in."""
    provider = _provider_name()
    if not single_sign_on_configured(current_app.config) or not (
        request.args.get("state") or request.args.get("error")
    ):
        return refused(BAD_STATE.format(provider=provider), 400)
    client = district_client()
    try:
        _checked_metadata(client)
        token = client.authorize_access_token(claims_options=id_token_checks(client))
    except _WrongIssuerError:
        return refused(WRONG_ISSUER.format(provider=provider), 502)
    except MismatchingStateError:
        return refused(BAD_STATE.format(provider=provider), 400)
    except OAuthError as error:
        if error.error == "access_denied":
            return refused(DENIED.format(provider=provider), 403)
        reason = str(error.description or error.error)[:200]
        return refused(PROVIDER_ERROR.format(provider=provider, reason=reason), 400)
    except (JoseError, AuthlibBaseError, KeyError):
        return refused(BAD_TOKEN.format(provider=provider), 400)
    except (requests.RequestException, ValueError):
        return refused(UNREACHABLE.format(provider=provider), 502)
    claims = token.get("userinfo")
    if not claims:  # no ID token: the answer says nothing about who signed in
        return refused(BAD_TOKEN.format(provider=provider), 400)
    try:
        account = DistrictAccount.from_claims(claims)
        user = sign_in_with_district_account(db.session, account, provider=provider)
    except DomainError as error:
        return refused(error.reason, 403)
    return complete_sign_in(user, session.pop(NEXT_KEY, None))
