"""Hostile text (markup, quotes, right-to-left characters) typed anywhere shows as text on every page.

School names, scenario scripts, auditors' comments, reviewers' notes and district
closures hold ``<script>``, an attribute break-out, quotes and RTL characters. Every
HTML page a role can open is fetched; none may contain the markup unescaped, and the
pages that show the text show it escaped, with its quotes and RTL characters intact.
"""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.app.hostile_world import (
    Hostile,
    HostileWorld,
    assert_no_raw_markup,
    sign_in,
)

ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"
ESCAPED_BREAK = "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;"
# Which world value fills each URL parameter, per role (the objects that role may open).
PARAMETERS = {
    "admin": {"contact_id": "submitted_contact_id"},
    "leader": {"contact_id": "submitted_contact_id"},
    "reviewer": {"contact_id": "submitted_contact_id"},
    "auditor": {"contact_id": "draft_contact_id", "user_id": "user_id"},
    "principal": {"contact_id": "submitted_contact_id"},
}
# Not HTML pages: files, feeds, JSON, telephony (off without a Twilio account).
NOT_PAGES = re.compile(
    r"\.(pdf|ics|yaml)$|/export\.|^/(static|api|evidence)/|/call|/recording|/status$|progress"
)


@pytest.fixture
def app(hostile: Hostile) -> Flask:
    return hostile.app


def _pages(app: Flask, world: HostileWorld, role: str) -> list[str]:
    """Every GET page of the app with its parameters filled from the world."""
    names = {**{name: name for name in world.values}, **PARAMETERS[role]}
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or NOT_PAGES.search(rule.rule):
            continue
        arguments = {argument: world.values[names[argument]] for argument in rule.arguments}
        with app.test_request_context():
            from flask import url_for

            urls.append(url_for(rule.endpoint, **arguments))
    return sorted(set(urls))


@pytest.mark.parametrize("role", ["admin", "leader", "reviewer", "auditor", "principal"])
def test_no_page_shows_hostile_markup_unescaped(
    app: Flask, client: FlaskClient, world: HostileWorld, role: str
) -> None:
    sign_in(client, world.users[role])
    seen = 0
    for url in _pages(app, world, role):
        with client.get(url) as response:  # closed: a file answer (the icon) holds its file open
            assert response.status_code < 500, url
            if response.mimetype == "text/html":
                html = response.get_data(as_text=True)
                assert_no_raw_markup(html, f"{url} as {role}")
                seen += ESCAPED_SCRIPT in html
    assert seen >= 3, f"the hostile text reached only {seen} pages for {role}"


@pytest.mark.parametrize(
    ("role", "template"),
    [
        ("admin", "/schools/"),
        ("leader", "/schools/{school_id}"),
        ("leader", "/schools/{school_id}/edit"),
        ("leader", "/rounds/{round_id}/dashboard"),
        ("reviewer", "/rounds/{round_id}/heatmap"),
        ("leader", "/schools/{school_id}/results?round={round_id}"),
        ("reviewer", "/review/"),
        ("reviewer", "/contacts/{submitted_contact_id}"),
        ("reviewer", "/contacts/{submitted_contact_id}/review-edit"),
        ("auditor", "/assignments/{assignment_id}/contact"),
        ("auditor", "/assignments/"),
        ("second_auditor", "/double-scoring/{scoring_id}"),
        ("principal", "/"),
        ("principal", "/schools/{school_id}"),
        ("leader", "/scenarios/{scenario_id}"),
        ("principal", "/plans/{plan_id}"),
        ("principal", "/plans/{approved_plan_id}"),
        ("leader", "/plans/"),
    ],
)
def test_the_text_itself_shows_escaped_with_quotes_and_rtl(
    client: FlaskClient, world: HostileWorld, role: str, template: str
) -> None:
    sign_in(client, world.users[role])
    response = client.get(template.format(**world.values))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert_no_raw_markup(html, template)
    assert ESCAPED_SCRIPT in html
    if "school_id" in template or "dashboard" in template or "heatmap" in template:
        assert "&lt;b&gt;X&lt;/b&gt;" in html  # the school's name, markup and all, as text
    assert "\u202e" in html or "مدرسة" in html  # right-to-left text arrives as typed


def test_comments_and_notes_keep_their_quotes_and_break_out_nothing(
    client: FlaskClient, world: HostileWorld
) -> None:
    sign_in(client, world.users["reviewer"])
    html = client.get(f"/contacts/{world.values['approved_contact_id']}").get_data(as_text=True)
    assert "Please fix: " + ESCAPED_SCRIPT in html  # the reviewer's note
    assert "O&#39;Brien said &#34;hi&#34;" in html
    assert ESCAPED_BREAK in html
    assert "مدرسة الأمل בית ספר" in html
    # Inside attribute values (the form's inputs) the quotes are escaped too: nothing breaks out.
    sign_in(client, world.users["reviewer"])
    form = client.get(f"/contacts/{world.values['submitted_contact_id']}/review-edit").get_data(as_text=True)
    for tag in re.findall(r"<(?:input|textarea|option)[^>]*>", form):
        assert "onerror" not in tag.replace("onerror=alert(1)&gt;", ""), tag


def test_the_contact_form_draft_keeps_hostile_text_as_text(client: FlaskClient, world: HostileWorld) -> None:
    sign_in(client, world.users["auditor"])
    contact = world.values["draft_contact_id"]
    saved = client.post(f"/contacts/{contact}/draft", json={"greeted_seconds": "12", "comment-accuracy": "x"})
    assert saved.status_code == 200
    draft = {"outcome": "reached", "item-impression": '"><script>alert(1)</script>', "started_at": "<b>X</b>"}
    assert client.post(f"/contacts/{contact}/draft", json=draft).status_code == 200
    html = client.get(f"/assignments/{world.values['assignment_id']}/contact").get_data(as_text=True)
    assert_no_raw_markup(html, "the contact form with a hostile draft")
    assert "&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'value="&lt;b&gt;X&lt;/b&gt;"' in html


# Query arguments the pages read (search, paging, filters, sorting), with hostile values.
HOSTILE_QUERIES = [
    {"q": "<script>alert(1)</script>", "page": "99999999999999999999", "level": '"><b>', "sort": "<b>"},
    {"q": "%_\\'\"", "page": "-1", "dir": "sideways", "round": "99999999999999999999", "day": "0000-00-00"},
    {"q": "x" * 5000, "page": "0", "channel": "\u202e", "school": "-7", "auditor": "99999999999999999999"},
    {
        "q": "\x00",
        "level": "\x00",
        "round": "\x00",
        "kind": "<b>",
        "district": "-1",
        "next": "//evil.example",
    },
]
# The pages that read query arguments, and who opens them.
QUERY_PAGES = [
    ("leader", "/schools/"),
    ("leader", "/rounds/{round_id}"),
    ("leader", "/rounds/{round_id}/dashboard"),
    ("leader", "/rounds/{round_id}/heatmap"),
    ("leader", "/schools/{school_id}/results"),
    ("leader", "/rounds/new"),
    ("leader", "/scenarios/"),
    ("leader", "/rounds/{round_id}/export.csv"),
    ("reviewer", "/review/"),
    ("admin", "/scenarios/"),
    ("admin", "/rounds/new"),
    ("admin", "/rubrics/{rubric_id}/sections/{section_id}/items/new"),
    (None, "/login"),
]


@pytest.mark.parametrize(("role", "template"), QUERY_PAGES)
def test_hostile_query_arguments_never_break_a_page(
    client: FlaskClient, world: HostileWorld, role: str | None, template: str
) -> None:
    sign_in(client, world.users[role] if role else None)
    url = template.format(**world.values)
    for query in HOSTILE_QUERIES:
        response = client.get(url, query_string=query, buffered=True)
        assert response.status_code < 500, (url, query)
        if response.mimetype == "text/html":
            html = response.get_data(as_text=True)
            assert_no_raw_markup(html, f"{url}?{query}")
            assert "<b>" not in html


def test_a_nul_character_in_a_path_is_not_found(client: FlaskClient, world: HostileWorld) -> None:
    sign_in(client, world.users["auditor"])
    for url in ("/evidence/abc%00def", "/scorecards/abc%00.pdf", "/assignments/feed/1/abc%00.ics"):
        response = client.get(url)
        assert 400 <= response.status_code < 500, url
