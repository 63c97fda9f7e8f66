"""Forms that help: one error summary on every refused form, keys made from titles, scale point labels,
the rubric preview's running score, U.S. timezones first, and a new round's dates from the calendar."""

from __future__ import annotations

import html as html_lib
import io
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from audits.calendar import add_closures
from audits.models import Channel, District, ItemKind, Role, Round, Rubric, RubricItem, User
from audits.rubrics.versions import create_draft
from audits.rubrics.yamlio import rubric_from_yaml
from tests.app.fieldwork_world import build_world, current_contact, login, open_form
from tests.audits.fieldwork_helpers import use_library_rubric
from tests.audits.rubric_samples import EXAMPLE_YAML
from tests.conftest import REPO_ROOT, AuthActions

TEMPLATES = REPO_ROOT / "templates"
US_FIRST = [
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "America/Anchorage",
    "Pacific/Honolulu",
]


def summary_of(page: str) -> tuple[str, list[tuple[str, str]]]:
    """The error summary's text and its links ``(field id, text)``; fails when the page has none."""
    found = re.search(
        r'<div class="error-summary" role="alert" tabindex="-1" data-error-summary>(.*?)</div>', page, re.S
    )
    assert found, "the page has no error summary"
    block = found.group(1)
    links = [
        (anchor, html_lib.unescape(re.sub(r"<[^>]+>", "", text)))
        for anchor, text in re.findall(r'<a href="#([^"]+)">(.*?)</a>', block, re.S)
    ]
    return html_lib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", block))).strip(), links


def ids_of(page: str) -> set[str]:
    """Every ``id`` on the page."""
    return set(re.findall(r'\bid="([^"]+)"', page))


# --- One error summary ------------------------------------------------------------------------------


def _page_templates() -> list[Path]:
    return [
        path
        for path in sorted(TEMPLATES.rglob("*.html"))
        if path.parent.name not in {"macros", "reports"} and "email" not in path.name
    ]


def test_every_form_template_shows_the_one_error_summary() -> None:
    """No template draws a summary of its own; every template that shows field errors calls the macro
    (a partial, by being included only in pages that call it)."""
    macro = (TEMPLATES / "macros" / "forms.html").read_text()
    assert 'role="alert" tabindex="-1" data-error-summary' in macro and "<h2>There is a problem</h2>" in macro
    assert "site.js" in (TEMPLATES / "base.html").read_text()
    assert "data-error-summary" in (REPO_ROOT / "app" / "static" / "site.js").read_text()
    fields = re.compile(r"\b(field|choice_list|radio_group)\(|\.errors\b|errors=")
    summary = re.compile(r"\b(form_errors|error_summary|problem_summary)\(")
    missing, own = [], []
    pages = {str(path.relative_to(TEMPLATES)): path.read_text() for path in _page_templates()}
    for name, text in pages.items():
        if "error-summary" in text:
            own.append(name)
        if fields.search(text) and not summary.search(text):
            includers = [page for page in pages.values() if f'include "{name}"' in page]
            if not includers or not all(summary.search(page) for page in includers):
                missing.append(name)
    assert own == [] and missing == []


@pytest.fixture
def admin(make_user: Callable[..., User], auth: AuthActions) -> User:
    user = make_user(Role.ADMIN)
    auth.sign_in(user.email)
    return user


def test_a_refused_form_lists_each_problem_linked_to_its_field(client: FlaskClient, admin: User) -> None:
    response = client.post("/rubrics/new", data={"name": "", "key": "Bad Key!", "channel": "phone"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    text, links = summary_of(page)
    assert text.startswith("There is a problem")
    assert links == [
        ("key", "Key: use 2–64 lower-case letters, digits and hyphens"),
        ("name", "Name is required"),
    ]
    assert {anchor for anchor, _ in links} <= ids_of(page)
    assert 'id="key-error"' in page and 'id="name-error"' in page  # and each next to its field


def test_a_refused_evidence_upload_lands_on_the_summary_at_the_top(
    client: FlaskClient,
    auth: AuthActions,
    session: Session,
    make_district: Callable[..., District],
    make_user: Callable[..., User],
) -> None:
    world = build_world(session, make_district, make_user)
    login(auth, world.users["auditor"])
    open_form(client, world.visit)
    contact = current_contact(session, world.visit)
    response = client.post(
        f"/contacts/{contact.id}/evidence",
        data={"file": (io.BytesIO(b"%PDF-1.7\n" + bytes(64)), "scan.pdf"), "label": "entrance"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    text, links = summary_of(page)
    assert "There is a problem The file was not attached." in text
    assert links == [
        (
            "file",
            "This is a PDF. Attach a photo (JPEG or PNG), an email (.eml), a recording (MP3, WAV) "
            "or a text file (.txt).",
        ),
    ]
    # The summary comes before the scenario and everything else the auditor scrolls through.
    assert page.index("data-error-summary") < page.index('class="contact-brief"') < page.index('id="file"')
    assert re.search(
        r'<input[^>]*aria-invalid="true"[^>]*id="file"|<input[^>]*id="file"[^>]*aria-invalid="true"', page
    )
    empty = client.post(f"/contacts/{contact.id}/evidence", data={"label": "entrance"})
    assert summary_of(empty.get_data(as_text=True))[1] == [
        ("file", "Choose a file to upload: a photo, a recording or an email (.eml).")
    ]


# --- Keys made from titles ---------------------------------------------------------------------------


def _key_box(page: str, name: str) -> str:
    found = re.search(rf'<input[^>]*name="{name}"[^>]*>', page)
    assert found, name
    return html_lib.unescape(found.group(0))


def test_keys_left_blank_are_made_from_titles_and_suggested_as_typed(
    client: FlaskClient, admin: User, session: Session
) -> None:
    create_draft(
        session, rubric_from_yaml(EXAMPLE_YAML)
    )  # phone-standard, with sections greeting and service
    session.commit()
    box = _key_box(client.get("/rubrics/new").get_data(as_text=True), "key")
    assert 'data-key-from="name"' in box and 'data-key-separator="-"' in box
    assert 'data-keys-taken="["phone-standard"]"' in box
    response = client.post("/rubrics/new", data={"name": "Phone standard", "key": " ", "channel": "phone"})
    assert response.status_code == 302
    rubric = session.scalars(select(Rubric).where(Rubric.key == "phone-standard-2")).one()

    page = client.get(f"/rubrics/{rubric.id}").get_data(as_text=True)
    box = _key_box(page, "section-key")
    assert 'data-key-from="section-title"' in box and 'data-key-separator="_"' in box
    response = client.post(
        f"/rubrics/{rubric.id}/sections", data={"section-title": "First impressions", "section-key": ""}
    )
    assert response.status_code == 302
    section = session.scalars(select(Rubric).where(Rubric.id == rubric.id)).one().sections[0]
    assert section.key == "first_impressions"

    url = f"/rubrics/{rubric.id}/sections/{section.id}/items/new?kind=yes_no"
    assert 'data-key-from="prompt"' in _key_box(client.get(url).get_data(as_text=True), "key")
    response = client.post(url, data={"prompt": "Did a person answer?", "key": "", "points": "2"})
    assert response.status_code == 302
    item = session.scalars(select(RubricItem).where(RubricItem.section_id == section.id)).one()
    assert item.key == "did_a_person_answer"
    edit = client.get(f"/rubrics/{rubric.id}/items/{item.id}/edit").get_data(as_text=True)
    assert 'value="did_a_person_answer"' in _key_box(edit, "key")


# --- Scale point labels -----------------------------------------------------------------------------


def test_scale_labels_are_edited_in_the_rubric_editor(
    client: FlaskClient, admin: User, session: Session
) -> None:
    rubric = create_draft(session, rubric_from_yaml(EXAMPLE_YAML))
    session.commit()
    section = rubric.sections[1]
    url = f"/rubrics/{rubric.id}/sections/{section.id}/items/new?kind=scale"
    form = {"prompt": "How warm was the welcome?", "key": "welcome", "points": "4", "max": "4"}
    refused = client.post(url, data={**form, "labels": "0 = rude\nwarm and helpful"})
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert 'id="labels-error"' in page
    assert summary_of(page)[1] == [
        ("labels", "What the points mean: write line 2 as a point, = and its words, e.g. 3 = polite but bare")
    ]
    too_high = client.post(url, data={**form, "labels": "0 = rude\n5 = warm"})
    assert summary_of(too_high.get_data(as_text=True))[1] == [
        ("labels", "What the points mean: 5 is not a point of this scale (0 to 4)")
    ]
    saved = client.post(url, data={**form, "labels": "0 = rude\n\n4: warm and helpful\n"})
    assert saved.status_code == 302
    item = session.scalars(select(RubricItem).where(RubricItem.key == "welcome")).one()
    assert item.kind is ItemKind.SCALE and item.scale_labels == ["rude", "", "", "", "warm and helpful"]
    edit = client.get(f"/rubrics/{rubric.id}/items/{item.id}/edit").get_data(as_text=True)
    assert re.search(r'<textarea[^>]*name="labels"[^>]*>\s*0 = rude\n4 = warm and helpful</textarea>', edit)
    shown = client.get(f"/rubrics/{rubric.id}").get_data(as_text=True)
    assert "<li>0 = rude</li><li>4 = warm and helpful</li>" in shown


def test_auditors_see_the_words_of_each_point(
    client: FlaskClient,
    auth: AuthActions,
    session: Session,
    make_district: Callable[..., District],
    make_user: Callable[..., User],
) -> None:
    world = build_world(session, make_district, make_user)
    use_library_rubric(session, Channel.PHONE)
    login(auth, world.users["auditor"])
    page = open_form(client, world.phone)
    courtesy = re.search(r'<fieldset class="rubric-item" id="rubric-item-courtesy".*?</fieldset>', page, re.S)
    assert courtesy and "choices-scale choices-labelled" in courtesy.group(0)
    labels = re.findall(r'<label for="item-courtesy-\d">(.*?)</label>', courtesy.group(0))
    assert labels == [
        "0 = rude or hostile",
        "1 = curt, impatient or dismissive",
        "2",
        "3 = polite but rushed or flat",
        "4",
        "5 = warm, patient and unhurried; checked the question was answered",
    ]


# --- The rubric preview -----------------------------------------------------------------------------


def test_the_preview_carries_what_its_running_score_needs(
    client: FlaskClient, admin: User, session: Session
) -> None:
    rubric = create_draft(session, rubric_from_yaml(EXAMPLE_YAML))
    session.commit()
    page = client.get(f"/rubrics/{rubric.id}/preview").get_data(as_text=True)
    assert 'src="/static/rubric-preview.js"' in page
    assert (
        '<aside class="running-score" id="running-score"' in page and "hidden>" in page
    )  # shown by the script
    assert 'data-critical-policy="flag"' in page and 'data-section-title="Greeting"' in page
    assert 'id="rubric-item-answered_by_person" data-kind="yes_no" data-points="5" data-critical' in page
    assert 'data-kind="scale" data-points="4" data-max="4"' in page
    assert 'data-bands="[[3, 1.0], [5, 0.5]]"' in html_lib.unescape(page)
    # The contact form carries none of it.
    assert "data-kind=" not in client.get("/rubrics/").get_data(as_text=True)


# --- District timezones -----------------------------------------------------------------------------


def test_the_timezone_list_offers_the_us_zones_first(
    client: FlaskClient,
    auth: AuthActions,
    make_district: Callable[..., District],
    make_user: Callable[..., User],
) -> None:
    district = make_district("Duval County Public Schools", timezone="America/Chicago")
    auth.sign_in(make_user(Role.LEADER, district=district).email)
    page = client.get(f"/districts/{district.id}/settings").get_data(as_text=True)
    select_html = re.search(r'<select[^>]*name="timezone".*?</select>', page, re.S)
    assert select_html
    groups = re.findall(r'<optgroup label="([^"]+)">(.*?)</optgroup>', select_html.group(0), re.S)
    assert [label for label, _ in groups] == ["United States", "Other zones"]
    zones = re.findall(r'<option[^>]*value="([^"]+)"', groups[0][1])
    assert zones[: len(US_FIRST)] == US_FIRST
    assert re.search(r'<option selected value="America/Chicago">America/Chicago \(Central\)</option>', page)
    others = re.findall(r'<option[^>]*value="([^"]+)"', groups[1][1])
    assert others == sorted(others) and not set(others) & set(zones)


# --- A new round's dates ----------------------------------------------------------------------------


@pytest.fixture
def leader_of(
    session: Session,
    make_district: Callable[..., District],
    make_user: Callable[..., User],
    auth: AuthActions,
) -> District:
    district = make_district("Duval", timezone="America/New_York")
    add_closures(session, district, date(2027, 1, 18), None, "Martin Luther King Jr. Day")
    session.commit()
    auth.sign_in(make_user(Role.LEADER, district=district).email)
    return district


def test_a_new_round_suggests_its_dates_from_the_district_calendar(
    client: FlaskClient, leader_of: District
) -> None:
    page = client.get("/rounds/new").get_data(as_text=True)  # today is pinned: Monday, January 4, 2027
    assert re.search(r'<input[^>]*name="first_day"[^>]*value="2027-01-11"', page)
    assert re.search(r'<input[^>]*name="last_day"[^>]*value="2027-02-01"', page)
    assert (
        "Suggested from the district calendar: 15 school days, Mon, Jan 11 to Mon, Feb 1, 2027, skipping "
        "Martin Luther King Jr. Day. Change the dates if you like; the last day cannot be in the past."
    ) in page


def test_a_new_round_that_would_end_in_the_past_is_refused_next_to_its_last_day(
    client: FlaskClient, leader_of: District, session: Session
) -> None:
    response = client.post(
        "/rounds/new",
        data={
            "name": "Too late",
            "first_day": "2026-12-01",
            "last_day": "2027-01-03",
            "phone_per_school": "1",
        },
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert re.search(r'id="last_day-error">must be today or later: January 3, 2027 has passed<', page)
    _, links = summary_of(page)
    assert ("last_day", "Last day must be today or later: January 3, 2027 has passed") in links
    assert session.scalar(select(func.count(Round.id))) == 0
