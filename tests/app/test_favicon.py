"""The site icon: pages link it, and ``/favicon.ico`` answers for clients that ask by that name."""

from __future__ import annotations

import re

from flask.testing import FlaskClient


def test_pages_link_the_icon_and_favicon_ico_serves_it(client: FlaskClient) -> None:
    page = client.get("/login").get_data(as_text=True)
    link = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', page)
    assert link is not None
    with client.get(link.group(1)) as linked:
        assert linked.status_code == 200
        icon = linked.get_data()
    assert icon.startswith(b"<svg")
    with client.get("/favicon.ico") as conventional:
        assert conventional.status_code == 200
        assert conventional.mimetype == "image/svg+xml"
        assert conventional.get_data() == icon
        assert "max-age=86400" in conventional.headers["Cache-Control"]
        assert conventional.headers["X-Content-Type-Options"] == "nosniff"
