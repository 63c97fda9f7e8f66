"""The leader's home at a glance and the progress board's filters, as pages; the round's plan number out of
sight; the review page's evidence before its buttons."""

from __future__ import annotations

import html as markup
import re
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from audits.models import District, Role, School, User
from tests.audits.board_helpers import TODAY, BoardWorld, build_board
from tests.conftest import AuthActions


@pytest.fixture
def world(app: Flask, session: Session) -> BoardWorld:
    app.config["TODAY"] = TODAY  # the board world's Wednesday (the app's settings are put back after)
    return build_board(session)


def _page(client: FlaskClient, path: str, status: int = 200) -> str:
    response = client.get(path)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    return markup.unescape(response.get_data(as_text=True))


def _text(page: str) -> str:
    """What the page reads, without its tags, whitespace collapsed."""
    return " ".join(re.sub(r"<[^>]+>", "", page).split())


def test_the_leader_home_shows_the_round_under_way_and_what_waits(
    client: FlaskClient, auth: AuthActions, world: BoardWorld
) -> None:
    auth.sign_in(world.leader)
    page = _page(client, "/")
    round_id = world.fieldwork.round.id
    assert "Today is Wed, Feb 3." in _text(page)
    assert "2 of 7 contacts done (29%): 1 approved, 1 waiting for review." in _text(page)
    for status, words in (
        ("returned", "Returned to auditor: 2"),
        ("overdue", "Overdue: 1"),
        ("due_today", "Due today: 1"),
        ("later", "Due later: 1"),
    ):
        assert words in page
        assert f'href="/rounds/{round_id}/progress?status={status}"' in page, status
    assert f'href="/rounds/{round_id}/progress"' in page and f'href="/review/?round={round_id}"' in page
    # one contact waits, submitted at the tests' fixed moment, which is also their "now"
    assert re.search(r'<a href="/review/"><strong>1 contact</strong> waits for review</a>', page)
    assert "the oldest was submitted under an hour ago." in _text(page)
    # Gamma High, in the round under way, has no phone number: named and linked
    assert "1 school without a phone number" in page
    assert f'<a href="/schools/{world.gamma.id}">Gamma High</a>' in page
    assert 'href="/schools/?missing=office_hours"' in page
    listed = _page(client, "/schools/?missing=office_hours")
    assert (
        "1 school without office hours" in listed and "Gamma High" in listed and "Beta Middle" not in listed
    )
    assert "No scorecards published yet." in page
    assert "Plan your first round" not in page and "What to do next" not in page


def test_a_district_without_rounds_is_told_to_plan_its_first(
    client: FlaskClient,
    auth: AuthActions,
    make_district: Callable[..., District],
    make_school: Callable[..., School],
    make_user: Callable[..., User],
) -> None:
    district = make_district("New ISD")
    auth.sign_in(make_user(Role.LEADER, district=district))
    page = _page(client, "/")
    assert "Import your school directory" in page and "Plan your first round" not in page
    make_school(district, name="Only School")
    page = _page(client, "/")
    assert '<a class="button big-button" href="/rounds/new">Plan your first round</a>' in page
    assert "Set your school-day hours and closure dates" in page
    assert "Nothing waits for review." in page


def test_an_administrator_sees_the_day_of_their_district_only(
    client: FlaskClient, auth: AuthActions, world: BoardWorld, make_user: Callable[..., User]
) -> None:
    auth.sign_in(make_user(Role.ADMIN, district=world.fieldwork.district))
    page = _page(client, "/")
    assert "2 of 7 contacts done" in page and "People and districts" in page
    auth.sign_in(make_user(Role.ADMIN))
    page = _page(client, "/")
    assert "<h1>Administration</h1>" in page and "Rounds under way" not in page


def test_the_board_filters_come_from_the_address_and_stay_in_the_form(
    client: FlaskClient, auth: AuthActions, world: BoardWorld
) -> None:
    auth.sign_in(world.leader)
    round_id = world.fieldwork.round.id
    board = f"/rounds/{round_id}/progress"
    page = _page(client, board)
    assert "7 assignments at 3 schools." in page
    assert re.findall(r'<th scope="row"><a href="/schools/\d+">([^<]+)</a></th>', page) == [
        "Abess Park Elementary",
        "Beta Middle",
        "Gamma High",
    ]
    # A contact submitted once is opened from its status; one never submitted, on the round's list.
    assert f'href="/contacts/{world.beta_returned.id}"' in page
    assert f'href="/rounds/{round_id}?school={world.beta.id}&channel=phone#assignments-heading"' in page
    text = _text(page)
    assert "Due Wed, Feb 3 · Avery" in text and "unreached after 1 attempt" in text and "draft saved" in text

    other = world.fieldwork.other_auditor.id
    page = _page(client, f"{board}?status=returned&channel=phone&auditor={other}&q=gam")
    assert re.findall(r'<th scope="row"><a href="/schools/\d+">([^<]+)</a></th>', page) == ["Gamma High"]
    assert '<option value="returned" selected>' in page and '<option value="phone" selected>' in page
    assert f'<option value="{other}" selected>' in page and 'name="q" value="gam"' in page
    assert "1 assignment at 1 school match the filters." in page
    # Each count keeps the other filters; "All" drops only the status.
    assert f'href="{board}?status=overdue&channel=phone&auditor={other}&q=gam"' in page
    assert f'href="{board}?channel=phone&auditor={other}&q=gam" aria-current' not in page
    assert f'href="{board}?channel=phone&auditor={other}&q=gam"' in page
    assert "Front-office visit</th>" not in page  # one channel asked for: one column

    page = _page(client, f"{board}?status=nothing&channel=fax&auditor=abc&q=")
    assert "7 assignments at 3 schools." in page and "Clear filters" not in page
    page = _page(client, f"{board}?q=zzz")
    assert "No school matches these filters." in page
    raw = client.get(f"{board}?q=<script>alert(1)</script>&auditor=99999999999999999999").get_data(
        as_text=True
    )
    assert "<script>alert" not in raw and 'value="&lt;script&gt;alert(1)&lt;/script&gt;"' in raw


def test_the_plan_number_is_an_advanced_detail_with_its_explanation(
    client: FlaskClient, auth: AuthActions, world: BoardWorld
) -> None:
    auth.sign_in(world.leader)
    page = _page(client, f"/rounds/{world.fieldwork.round.id}")
    assert "<dt>Seed</dt>" not in page
    advanced = (
        r'<details class="advanced">\s*<summary>Advanced: how the plan was drawn</summary>\s*<p>Touchpoint'
    )
    assert re.search(advanced, page)
    form = _page(client, "/rounds/new")
    assert re.search(r'<summary>Advanced: shuffle the plan differently</summary>\s*<div class="field">', form)
    assert "Shuffle number (seed)" in form


def test_the_review_page_puts_the_evidence_before_the_buttons(
    client: FlaskClient, auth: AuthActions, world: BoardWorld
) -> None:
    auth.sign_in(world.fieldwork.reviewer)
    contact = f"/contacts/{world.abess_call.id}"
    page = _page(client, contact)
    order = [
        page.index(mark) for mark in ('id="answers-heading"', 'id="evidence-heading"', ">Approve</button>")
    ]
    assert order == sorted(order)
    refused = client.post(f"{contact}/return", data={"comment": " ", "revision": world.abess_call.revision})
    assert refused.status_code == 400
    page = markup.unescape(refused.get_data(as_text=True))
    summary = page.index('<div class="error-summary" role="alert"')
    assert summary < page.index('id="recorded-heading"')
    assert '<a href="#comment">What should the auditor fix? ' in page
