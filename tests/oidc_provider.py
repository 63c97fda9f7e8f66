"""A real OpenID provider for the tests: ``tests/fixtures/oidc/provider.mjs`` (npm ``oidc-provider``).

``running_provider`` starts it on 127.0.0.1 on a free port with the given clients and accounts,
waits until it answers, and ends it afterwards. ``sign_in_at_provider`` plays the person's
browser at the provider: it follows the authorization address, fills the provider's own
sign-in and consent pages, and returns the address the provider sends the browser back to.
"""

from __future__ import annotations

import json
import os
import re
import select
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest
import requests

REPO_ROOT = Path(__file__).resolve().parents[1]
PROVIDER_SCRIPT = REPO_ROOT / "tests" / "fixtures" / "oidc" / "provider.mjs"
STARTUP_SECONDS = 20


@dataclass(frozen=True)
class Provider:
    """A running provider: its issuer address."""

    issuer: str


@contextmanager
def running_provider(
    clients: list[dict[str, Any]], accounts: dict[str, dict[str, Any]]
) -> Iterator[Provider]:
    """Start the provider with ``clients`` and ``accounts`` (login → claims); end it on leaving."""
    node = shutil.which("node")
    if node is None or not (REPO_ROOT / "node_modules" / "oidc-provider").is_dir():
        pytest.skip("node and the npm package oidc-provider are needed (make node_modules/.installed)")
    environment = {**os.environ, "OIDC_TEST_PROVIDER": json.dumps({"clients": clients, "accounts": accounts})}
    process = subprocess.Popen(
        [node, str(PROVIDER_SCRIPT)],
        cwd=REPO_ROOT,
        env=environment,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        ready, _, _ = select.select([process.stdout], [], [], STARTUP_SECONDS)
        line = process.stdout.readline() if ready else ""
        if not line:
            raise RuntimeError(f"the OpenID provider did not start (exit code {process.poll()})")
        yield Provider(issuer=json.loads(line)["issuer"])
    finally:
        if process.stdin is not None:
            process.stdin.close()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()


_FORM = re.compile(r'<form[^>]*action="([^"]+)"[^>]*>(.*?)</form>', re.S)
_HIDDEN = re.compile(r'<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"', re.S)


def sign_in_at_provider(authorization_url: str, login: str, back_to: str, cancel: bool = False) -> str:
    """Be the browser at the provider: sign in as ``login``, consent, and return the address back.

    The provider's pages are its own development pages: a form asking a login (any password),
    then one asking to share the email. ``cancel`` presses "Cancel" on the sign-in page instead.
    The answer is the first address outside the provider, which should start with ``back_to``.
    """
    browser = requests.Session()
    url = authorization_url
    for _ in range(12):
        response = browser.get(url, allow_redirects=False, timeout=10)
        while response.status_code == 200 and "<form" in response.text:
            page = response.text
            if cancel:
                abort = re.search(r'href="([^"]+/abort)"', page)
                assert abort, page
                response = browser.get(urljoin(response.url, unescape(abort.group(1))), allow_redirects=False)
                break
            action, body = _FORM.findall(page)[0]
            fields = {name: unescape(value) for name, value in _HIDDEN.findall(body)}
            if 'name="login"' in body:
                fields.update(login=login, password="any password")
            response = browser.post(
                urljoin(response.url, unescape(action)), data=fields, allow_redirects=False
            )
        assert response.status_code in (302, 303), (response.status_code, response.text[:500])
        url = urljoin(response.url, response.headers["Location"])
        if url.startswith(back_to):
            return url
    raise AssertionError("the provider never sent the browser back")
