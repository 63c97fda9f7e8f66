"""What every email carries: plain text within 78 characters a line, a Message-ID at the site's host,
links to the address the app is served on in development."""

from __future__ import annotations

from flask import Flask

from app import create_app
from app.links import public_base_url
from app.mail import plain_text, send_message

LONG = (
    "You have 3 assignments due tomorrow at ABESS PARK ELEMENTARY SCHOOL and two other schools in "
    "Duval County Public Schools."
)
LINK = "https://touchpoint.duvalschools.example.org/assignments/feed/12/" + "a" * 48 + ".ics"


def test_long_lines_are_wrapped_at_spaces_keeping_list_indents_and_whole_links() -> None:
    text = plain_text(f"Hello Avery,\n\n{LONG}\n- {LONG}\nOpen {LINK}\n")
    lines = text.splitlines()
    assert all(len(line) <= 78 for line in lines if LINK not in line)
    assert (lines[2].startswith("You have 3") and lines[3].startswith("other schools")) or len(lines[2]) <= 78
    item = next(i for i, line in enumerate(lines) if line.startswith("- You have"))
    assert lines[item + 1].startswith("  ")  # the hanging indent of a list item
    assert LINK in lines  # a link longer than a line stays whole, on its own line
    assert " ".join(text.split()) == " ".join(f"Hello Avery, {LONG} - {LONG} Open {LINK}".split())


def test_a_sent_email_has_short_lines_and_a_message_id_at_the_sites_host(app: Flask) -> None:
    app.config["PUBLIC_BASE_URL"] = "https://touchpoint.duvalschools.example.org"
    with app.app_context():
        send_message("avery@example.org", "Your assignments", f"{LONG}\n{LONG}\n")
        sent = app.extensions["mailman"].outbox[-1]
        message = sent.message()
    assert message["Message-ID"].endswith("@touchpoint.duvalschools.example.org>")
    assert "localhost" not in message["Message-ID"]
    assert all(len(line) <= 78 for line in sent.body.splitlines())


def test_development_links_use_the_address_being_served_unless_one_is_given() -> None:
    development = create_app("development", {"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x" * 40})
    with development.test_request_context(base_url="http://127.0.0.1:5077"):
        assert public_base_url() == "http://127.0.0.1:5077"
    development.config["PUBLIC_BASE_URL_GIVEN"] = True
    with development.test_request_context(base_url="http://127.0.0.1:5077"):
        assert public_base_url() == development.config["PUBLIC_BASE_URL"]
    with development.app_context():  # a background task: no request to read the address from
        development.config["PUBLIC_BASE_URL_GIVEN"] = False
        assert public_base_url() == development.config["PUBLIC_BASE_URL"]
