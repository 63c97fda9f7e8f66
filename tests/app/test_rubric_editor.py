"""The rubric editor: building, publishing, versioning, YAML in and out, preview, permissions."""

from __future__ import annotations

import io
import re
from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from audits.models import District, ItemKind, Role, Rubric, RubricItem, RubricSection, RubricStatus, User
from audits.rubrics.versions import create_draft, publish
from audits.rubrics.yamlio import rubric_from_yaml
from tests.conftest import AuthActions

YES = {"confirm": "yes"}  # what a confirmation page posts

RUBRIC_YAML = """\
key: phone-test
name: Phone test
channel: phone
critical_policy: zero
description: |-
  A test rubric.
  Second line <b>not bold</b>.
sections:
  - key: greeting
    title: Greeting
    items:
      - key: answered
        prompt: Did a person answer?
        kind: yes_no
        points: 5
        critical: true
        allow_na: true
        guidance: Yes when a staff member picked up.
        tip: Answer the phone.
      - key: courtesy
        prompt: How courteous was the greeting?
        kind: scale
        max: 4
        points: 3
  - key: answer
    title: The answer
    items:
      - key: accuracy
        prompt: Was the answer right?
        kind: choice
        options:
          - {label: Fully, fraction: 1}
          - {label: Partly, fraction: 0.5}
          - {label: Not at all, fraction: 0}
        points: 4
      - key: rings
        prompt: How many rings before a person answered?
        kind: timing
        unit: rings
        bands: [[3, 1], [5, 0.5], [8, 0.25]]
        points: 2
        allow_na: true
      - key: notes
        prompt: Anything else?
        kind: text
"""


@pytest.fixture
def admin(make_user: Callable[..., User], auth: AuthActions) -> User:
    user = make_user(Role.ADMIN)
    auth.sign_in(user.email)
    return user


def published(session: Session, text: str = RUBRIC_YAML) -> Rubric:
    """Publish the rubric described by ``text`` through the domain, as a test's starting point."""
    rubric = create_draft(session, rubric_from_yaml(text))
    publish(session, rubric)
    session.commit()
    return rubric


def draft(session: Session, text: str = RUBRIC_YAML) -> Rubric:
    rubric = create_draft(session, rubric_from_yaml(text))
    session.commit()
    return rubric


def strip_version(yaml_text: str) -> str:
    return re.sub(r"^(version|status): .*\n", "", yaml_text, flags=re.MULTILINE)


def export(client: FlaskClient, rubric_id: int) -> str:
    response = client.get(f"/rubrics/{rubric_id}/export.yaml")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


BLANK_OPTIONS = {f"options-{i}-{name}": "" for i in range(6) for name in ("label", "fraction")}
BLANK_BANDS = {f"bands-{i}-{name}": "" for i in range(6) for name in ("bound", "fraction")}


def test_admin_builds_a_rubric_in_the_browser_from_nothing(
    client: FlaskClient, admin: User, session: Session
) -> None:
    assert client.get("/rubrics/new").status_code == 200
    response = client.post(
        "/rubrics/new",
        data={"key": "visit-web", "name": "Web-built visit", "channel": "visit", "critical_policy": "flag"},
    )
    assert response.status_code == 302
    rubric = session.scalars(select(Rubric)).one()
    assert response.headers["Location"].endswith(f"/rubrics/{rubric.id}")
    assert rubric.status is RubricStatus.DRAFT and rubric.sections == []

    response = client.post(
        f"/rubrics/{rubric.id}/sections", data={"section-key": "desk", "section-title": "Desk"}
    )
    assert response.status_code == 302
    section = session.scalars(select(RubricSection)).one()

    for kind in ItemKind:
        page = client.get(f"/rubrics/{rubric.id}/sections/{section.id}/items/new?kind={kind.value}")
        assert page.status_code == 200
    common = {"guidance": "Judge it.", "tip": "Do better."}
    items = {
        "greeted": {"prompt": "Were you greeted?", "points": "2", "critical": "y", "allow_na": "y"},
        "wait": {"prompt": "How friendly?", "points": "3", "max": "5"},
        "answer": {
            "prompt": "Was the answer right?",
            "points": "4",
            **BLANK_OPTIONS,
            "options-0-label": "Fully",
            "options-0-fraction": "1",
            "options-2-label": "Partly",  # a blank row in between is ignored
            "options-2-fraction": "0.5",
            "options-3-label": "No",
            "options-3-fraction": "0",
        },
        "minutes": {
            "prompt": "Minutes before someone helped?",
            "points": "2",
            "allow_na": "y",
            "unit": "minutes",
            **BLANK_BANDS,
            "bands-0-bound": "2",
            "bands-0-fraction": "1",
            "bands-1-bound": "5",
            "bands-1-fraction": "0.5",
        },
        "notes": {"prompt": "Anything else?"},
    }
    for (key, fields), kind in zip(items.items(), ItemKind, strict=True):
        response = client.post(
            f"/rubrics/{rubric.id}/sections/{section.id}/items/new?kind={kind.value}",
            data={"key": key, **common, **fields},
        )
        assert response.status_code == 302, response.get_data(as_text=True)

    session.expire_all()
    stored = {item.key: item for item in rubric.items}
    assert [item.kind for item in rubric.items] == list(ItemKind)
    assert stored["answer"].options == [
        {"label": "Fully", "fraction": 1},
        {"label": "Partly", "fraction": 0.5},
        {"label": "No", "fraction": 0},
    ]
    assert stored["minutes"].bands == [[2, 1], [5, 0.5]]
    assert stored["greeted"].critical and stored["greeted"].allow_na
    assert stored["wait"].scale_max == 5

    page = client.get(f"/rubrics/{rubric.id}").get_data(as_text=True)
    assert "≤2 minutes: 100%, ≤5: 50%, more: 0%" in page
    assert "Fully: 100%, Partly: 50%, No: 0%" in page

    assert client.post(f"/rubrics/{rubric.id}/publish", data=YES).status_code == 302
    session.refresh(rubric)
    assert rubric.status is RubricStatus.PUBLISHED

    preview = client.get(f"/rubrics/{rubric.id}/preview")
    assert preview.status_code == 200
    html = preview.get_data(as_text=True)
    for key in items:
        assert f'name="item-{key}"' in html
        assert f'name="comment-{key}"' in html
    assert 'name="na-greeted"' in html and 'name="na-minutes"' in html
    assert 'name="na-wait"' not in html and 'name="na-answer"' not in html
    assert 'type="radio" id="item-wait-5"' in html and 'id="item-wait-6"' not in html
    assert 'value="Partly"' in html
    assert 'type="number" id="item-minutes"' in html and ">minutes</span>" in html
    assert '<textarea id="item-notes"' in html
    assert "<legend>Desk</legend>" in html
    assert 'aria-describedby="hint-greeted"' in html
    assert 'type="submit"' not in html.split('class="preview"')[1].split("</form>")[0]


def test_new_rubric_form_shows_errors_by_field_and_refuses_an_existing_key(
    client: FlaskClient, admin: User, session: Session
) -> None:
    response = client.post(
        "/rubrics/new", data={"key": "Bad Key!", "name": "", "channel": "phone", "critical_policy": "flag"}
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="key-error"' in html and 'id="name-error"' in html
    assert 'value="Bad Key!"' in html
    published(session)
    response = client.post(
        "/rubrics/new",
        data={"key": "phone-test", "name": "Again", "channel": "phone", "critical_policy": "flag"},
    )
    assert response.status_code == 400
    assert "already exists" in response.get_data(as_text=True)
    assert count(session, Rubric) == 1


def test_publishing_an_empty_draft_is_refused_with_a_clear_error(
    client: FlaskClient, admin: User, session: Session
) -> None:
    client.post(
        "/rubrics/new", data={"key": "empty", "name": "Empty", "channel": "email", "critical_policy": "flag"}
    )
    rubric = session.scalars(select(Rubric)).one()
    response = client.post(f"/rubrics/{rubric.id}/publish", data=YES)
    assert response.status_code == 400
    assert "sections: list at least one section" in response.get_data(as_text=True)
    client.post(f"/rubrics/{rubric.id}/sections", data={"section-key": "only", "section-title": "Only"})
    html = client.post(f"/rubrics/{rubric.id}/publish", data=YES).get_data(as_text=True)
    assert "section “Only”, items: list at least one item" in html
    session.refresh(rubric)
    assert rubric.status is RubricStatus.DRAFT


def test_a_published_version_cannot_be_edited(client: FlaskClient, admin: User, session: Session) -> None:
    rubric = published(session)
    before = export(client, rubric.id)
    section, item = rubric.sections[0], rubric.items[0]
    posts = [
        (
            f"/rubrics/{rubric.id}/items/{item.id}/edit?kind=yes_no",
            {"key": "hacked", "prompt": "Changed?", "points": "1"},
        ),
        (f"/rubrics/{rubric.id}/items/{item.id}/delete", {}),
        (f"/rubrics/{rubric.id}/items/{item.id}/move", {"direction": "down"}),
        (
            f"/rubrics/{rubric.id}/sections/{section.id}/items/new?kind=text",
            {"key": "extra", "prompt": "More?"},
        ),
        (f"/rubrics/{rubric.id}/sections/{section.id}/edit", {"key": "renamed", "title": "Renamed"}),
        (f"/rubrics/{rubric.id}/sections/{section.id}/move", {"direction": "down"}),
        (f"/rubrics/{rubric.id}/sections/{section.id}/delete", {}),
        (f"/rubrics/{rubric.id}/sections", {"section-key": "more", "section-title": "More"}),
        (f"/rubrics/{rubric.id}/details", {"name": "Renamed", "critical_policy": "flag", "description": ""}),
        (f"/rubrics/{rubric.id}/publish", YES),
        (f"/rubrics/{rubric.id}/discard", YES),
    ]
    for url, data in posts:
        response = client.post(url, data=data, follow_redirects=True)
        assert response.status_code == 200, url
        assert "cannot change" in response.get_data(as_text=True) or "never change" in response.get_data(
            as_text=True
        ), url
    for url in (f"/rubrics/{rubric.id}/items/{item.id}/edit", f"/rubrics/{rubric.id}/details"):
        assert client.get(url).status_code == 302
    session.expire_all()
    assert export(client, rubric.id) == before
    page = client.get(f"/rubrics/{rubric.id}").get_data(as_text=True)
    assert "published versions never change; create a new version to edit" in page
    assert "Move up" not in page and "Add section" not in page


def test_new_version_copies_everything(client: FlaskClient, admin: User, session: Session) -> None:
    rubric = published(session)
    response = client.post(f"/rubrics/{rubric.id}/new-version")
    assert response.status_code == 302
    copy = session.scalars(select(Rubric).where(Rubric.version == 2)).one()
    assert copy.status is RubricStatus.DRAFT
    assert response.headers["Location"].endswith(f"/rubrics/{copy.id}")
    original, drafted = export(client, rubric.id), export(client, copy.id)
    assert "version: 2\nstatus: draft\n" in drafted
    assert strip_version(drafted) == strip_version(original)
    # A second "new version" is refused while the draft is open.
    response = client.post(f"/rubrics/{rubric.id}/new-version", follow_redirects=True)
    assert "already has a draft" in response.get_data(as_text=True)
    assert count(session, Rubric) == 2


def test_move_up_and_down_reorders_sections_and_items(
    client: FlaskClient, admin: User, session: Session
) -> None:
    rubric = draft(session)
    answer = rubric.sections[1]
    client.post(f"/rubrics/{rubric.id}/sections/{answer.id}/move", data={"direction": "up"})
    session.expire_all()
    assert [s.key for s in rubric.sections] == ["answer", "greeting"]
    accuracy = rubric.sections[0].items[0]
    client.post(f"/rubrics/{rubric.id}/items/{accuracy.id}/move", data={"direction": "down"})
    client.post(f"/rubrics/{rubric.id}/items/{accuracy.id}/move", data={"direction": "down"})
    client.post(f"/rubrics/{rubric.id}/items/{accuracy.id}/move", data={"direction": "down"})  # already last
    session.expire_all()
    assert [i.key for i in rubric.sections[0].items] == ["rings", "notes", "accuracy"]
    assert [i.position for i in rubric.sections[0].items] == [0, 1, 2]
    client.post(f"/rubrics/{rubric.id}/sections/{answer.id}/move", data={"direction": "down"})
    session.expire_all()
    assert [s.key for s in rubric.sections] == ["greeting", "answer"]
    assert (
        client.post(
            f"/rubrics/{rubric.id}/items/{accuracy.id}/move", data={"direction": "sideways"}
        ).status_code
        == 400
    )


def test_delete_section_and_item(client: FlaskClient, admin: User, session: Session) -> None:
    rubric = draft(session)
    courtesy = rubric.items[1]
    assert client.post(f"/rubrics/{rubric.id}/items/{courtesy.id}/delete").status_code == 302
    session.expire_all()
    assert [i.key for i in rubric.items] == ["answered", "accuracy", "rings", "notes"]
    answer = rubric.sections[1]
    response = client.post(f"/rubrics/{rubric.id}/sections/{answer.id}/delete", follow_redirects=True)
    assert "Deleted the section “The answer”" in response.get_data(as_text=True)
    session.expire_all()
    assert [s.key for s in rubric.sections] == ["greeting"]
    assert count(session, RubricItem) == 1


def test_timing_errors_show_next_to_the_fields_and_rows_and_nothing_is_saved(
    client: FlaskClient, admin: User, session: Session
) -> None:
    rubric = draft(session)
    section = rubric.sections[0]
    url = f"/rubrics/{rubric.id}/sections/{section.id}/items/new?kind=timing"
    data = {
        **BLANK_BANDS,
        "key": "Hold Time",
        "prompt": "Seconds on hold?",
        "points": "-2",
        "unit": "seconds",
        "bands-0-bound": "60",
        "bands-0-fraction": "1",
        "bands-2-bound": "-30",  # row 3 on the page, band 2 of the format (row 2 is blank)
        "bands-2-fraction": "0.5",
    }
    response = client.post(url, data=data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="key-error"' in html and 'id="points-error"' in html
    assert '<p class="error" id="bands-error">bounds must ascend</p>' in html
    assert 'id="bands-2-error"' in html and "the upper bound cannot be negative" in html
    assert 'id="bands-1-error"' not in html
    assert 'value="Hold Time"' in html and 'value="-30"' in html and 'value="60"' in html
    assert count(session, RubricItem) == 5

    data.update(
        {"key": "hold", "points": "2", "bands-2-bound": "30", "bands-0-bound": "", "bands-0-fraction": ""}
    )
    assert client.post(url, data=data).status_code == 302
    session.expire_all()
    assert rubric.sections[0].items[-1].bands == [[30, 0.5]]


def test_choice_errors_point_at_their_rows(client: FlaskClient, admin: User, session: Session) -> None:
    rubric = draft(session)
    section = rubric.sections[1]
    response = client.post(
        f"/rubrics/{rubric.id}/sections/{section.id}/items/new?kind=choice",
        data={
            **BLANK_OPTIONS,
            "key": "accuracy",  # already used
            "prompt": "Right?",
            "points": "3",
            "options-0-label": "Yes",
            "options-0-fraction": "2",
            "options-1-label": "Yes",
            "options-1-fraction": "0",
            "options-4-fraction": "0.5",
        },
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="options-0-fraction-error">must be a number from 0 to 1' in html
    assert 'id="options-4-label-error">is required' in html
    assert count(session, RubricItem) == 5
    response = client.post(
        f"/rubrics/{rubric.id}/sections/{section.id}/items/new?kind=choice",
        data={
            **BLANK_OPTIONS,
            "key": "accuracy",
            "prompt": "Right?",
            "points": "3",
            "options-0-label": "Yes",
            "options-0-fraction": "1",
            "options-1-label": "Yes",
            "options-1-fraction": "0",
        },
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert '<p class="error" id="options-error">option labels must be different</p>' in html
    # Once the options are fine, the key already used elsewhere in the rubric is reported by its field.
    data = {**BLANK_OPTIONS, "key": "accuracy", "prompt": "Right?", "points": "3"}
    data.update(
        {
            "options-0-label": "Yes",
            "options-0-fraction": "1",
            "options-1-label": "No",
            "options-1-fraction": "0",
        }
    )
    response = client.post(f"/rubrics/{rubric.id}/sections/{section.id}/items/new?kind=choice", data=data)
    assert response.status_code == 400
    assert "item key &#39;accuracy&#39; is already used in this rubric" in response.get_data(as_text=True)
    assert count(session, RubricItem) == 5


def test_editing_an_item_keeps_its_values_and_can_change_its_kind(
    client: FlaskClient, admin: User, session: Session
) -> None:
    rubric = draft(session)
    rings = next(item for item in rubric.items if item.key == "rings")
    html = client.get(f"/rubrics/{rubric.id}/items/{rings.id}/edit").get_data(as_text=True)
    assert 'value="8"' in html and 'value="0.25"' in html and '<option selected value="rings">' in html
    html = client.get(f"/rubrics/{rubric.id}/items/{rings.id}/edit?kind=scale").get_data(as_text=True)
    assert 'id="max"' in html and "How many rings" in html
    response = client.post(
        f"/rubrics/{rubric.id}/items/{rings.id}/edit?kind=scale",
        data={
            "key": "rings",
            "prompt": "Rate the wait",
            "points": "2",
            "max": "3",
            "section": str(rings.section_id),
        },
    )
    assert response.status_code == 302
    session.expire_all()
    assert (
        rings.kind is ItemKind.SCALE and rings.scale_max == 3 and rings.bands is None and rings.unit is None
    )
    # Moving it to the other section through the section select.
    greeting = rubric.sections[0]
    client.post(
        f"/rubrics/{rubric.id}/items/{rings.id}/edit",
        data={
            "key": "rings",
            "prompt": "Rate the wait",
            "points": "2",
            "max": "3",
            "section": str(greeting.id),
        },
    )
    session.expire_all()
    assert [i.key for i in greeting.items] == ["answered", "courtesy", "rings"]


def test_yaml_download_then_upload_gives_an_identical_rubric(
    client: FlaskClient, admin: User, session: Session
) -> None:
    rubric = published(session)
    response = client.get(f"/rubrics/{rubric.id}/export.yaml")
    assert response.headers["Content-Type"] == "text/yaml; charset=utf-8"
    assert response.headers["Content-Disposition"] == "attachment; filename=phone-test-v1.yaml"
    original = response.get_data(as_text=True)
    assert original.startswith("key: phone-test\nversion: 1\nstatus: published\n")

    response = client.post(
        "/rubrics/import",
        data={"file": (io.BytesIO(original.encode()), "phone-test-v1.yaml"), "publish": "y"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    imported = session.scalars(select(Rubric).where(Rubric.version == 2)).one()
    assert imported.status is RubricStatus.PUBLISHED
    session.refresh(rubric)
    assert rubric.status is RubricStatus.RETIRED
    again = export(client, imported.id)
    assert strip_version(again) == strip_version(original)
    assert "version: 2\nstatus: published\n" in again


def test_import_of_a_bad_yaml_lists_every_problem_and_saves_nothing(
    client: FlaskClient, admin: User, session: Session
) -> None:
    bad = (
        RUBRIC_YAML.replace("bands: [[3, 1], [5, 0.5], [8, 0.25]]", "bands: [[5, 1], [3, 0.5]]")
        .replace("max: 4", "max: 0")
        .replace("channel: phone", "channel: fax")
    )
    response = client.post(
        "/rubrics/import",
        data={"file": (io.BytesIO(bad.encode()), "bad.yaml")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "The file has 3 problems; nothing was saved" in html
    assert "<code>sections[1].items[1].bands</code>: bounds must ascend" in html
    assert "<code>sections[0].items[1].max</code>: must be a whole number of at least 1" in html
    assert "<code>channel</code>: must be one of phone, email, visit" in html
    assert count(session, Rubric) == 0

    response = client.post(
        "/rubrics/import",
        data={"file": (io.BytesIO(b"key: [unclosed\n"), "broken.yaml")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "<code>file</code>: line" in response.get_data(as_text=True)
    response = client.post("/rubrics/import", data={}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Choose a YAML file to import." in response.get_data(as_text=True)
    assert count(session, Rubric) == 0


def test_list_shows_every_version_and_the_one_in_use(
    client: FlaskClient, admin: User, session: Session
) -> None:
    first = published(session)
    client.post(f"/rubrics/{first.id}/new-version")
    html = client.get("/rubrics/").get_data(as_text=True)
    assert "Version 1" in html and "Version 2" in html
    assert (
        '<span class="badge badge-published">published</span> <span class="badge badge-current">in use</span>'
        in html
    )
    assert '<span class="badge badge-draft">draft</span>' in html
    assert "New rubric" in html and "Import YAML" in html


def test_retire_and_discard(client: FlaskClient, admin: User, session: Session) -> None:
    rubric = published(session)
    assert client.post(f"/rubrics/{rubric.id}/retire", data=YES).status_code == 302
    session.refresh(rubric)
    assert rubric.status is RubricStatus.RETIRED
    client.post(f"/rubrics/{rubric.id}/new-version")
    copy = session.scalars(select(Rubric).where(Rubric.version == 2)).one()
    assert client.post(f"/rubrics/{copy.id}/discard", data=YES).status_code == 302
    assert count(session, Rubric) == 1
    response = client.post(f"/rubrics/{rubric.id}/retire", data=YES, follow_redirects=True)
    assert "only a published version can be retired" in response.get_data(as_text=True)


def test_ids_of_another_rubric_are_not_found(client: FlaskClient, admin: User, session: Session) -> None:
    one = draft(session)
    other = draft(session, RUBRIC_YAML.replace("key: phone-test", "key: phone-other"))
    foreign_section, foreign_item = other.sections[0], other.items[0]
    assert client.get(f"/rubrics/{one.id}/sections/{foreign_section.id}/edit").status_code == 404
    assert client.get(f"/rubrics/{one.id}/sections/{foreign_section.id}/items/new").status_code == 404
    assert client.get(f"/rubrics/{one.id}/items/{foreign_item.id}/edit").status_code == 404
    assert client.post(f"/rubrics/{one.id}/items/{foreign_item.id}/delete").status_code == 404
    assert client.post(f"/rubrics/{one.id}/sections/{foreign_section.id}/delete").status_code == 404
    assert client.get("/rubrics/999999").status_code == 404
    assert count(session, RubricItem) == 10


@pytest.fixture
def roles(make_district: Callable[..., District], make_user: Callable[..., User], session: Session) -> dict:
    home = make_district("Home")
    users = {role.value: make_user(role, district=None if role is Role.ADMIN else home) for role in Role}
    rubric = published(session)
    return {"users": users, "rubric": rubric, "section": rubric.sections[0], "item": rubric.items[0]}


VIEW = ["/rubrics/", "/rubrics/{rubric}", "/rubrics/{rubric}/preview", "/rubrics/{rubric}/export.yaml"]
MANAGE_GET = ["/rubrics/new", "/rubrics/import"]
MANAGE_POST = [
    "/rubrics/new",
    "/rubrics/import",
    "/rubrics/{rubric}/publish",
    "/rubrics/{rubric}/new-version",
    "/rubrics/{rubric}/retire",
    "/rubrics/{rubric}/discard",
    "/rubrics/{rubric}/details",
    "/rubrics/{rubric}/sections",
    "/rubrics/{rubric}/sections/{section}/edit",
    "/rubrics/{rubric}/sections/{section}/delete",
    "/rubrics/{rubric}/sections/{section}/move",
    "/rubrics/{rubric}/sections/{section}/items/new",
    "/rubrics/{rubric}/items/{item}/edit",
    "/rubrics/{rubric}/items/{item}/delete",
    "/rubrics/{rubric}/items/{item}/move",
]
EXPECTED = {
    # who: (view, manage)
    "anonymous": (302, 302),
    "admin": (200, 200),
    "leader": (200, 403),
    "reviewer": (200, 403),
    "auditor": (403, 403),
    "principal": (403, 403),
}
MATRIX = [
    *[(who, "GET", path, codes[0]) for who, codes in EXPECTED.items() for path in VIEW],
    *[(who, "GET", path, codes[1]) for who, codes in EXPECTED.items() for path in MANAGE_GET],
    *[
        (who, "POST", path, codes[1])
        for who, codes in EXPECTED.items()
        if who != "admin"
        for path in MANAGE_POST
    ],
]


@pytest.mark.parametrize(("who", "method", "path", "expected"), MATRIX)
def test_rubric_routes_answer_each_role_as_expected(
    client: FlaskClient, auth: AuthActions, roles: dict, who: str, method: str, path: str, expected: int
) -> None:
    if who != "anonymous":
        auth.sign_in(roles["users"][who].email)
    url = path.format(rubric=roles["rubric"].id, section=roles["section"].id, item=roles["item"].id)
    response = client.open(url, method=method, data={"direction": "up"} if method == "POST" else None)
    assert response.status_code == expected, response.get_data(as_text=True)[:300]


def test_rubric_nav_link_only_for_those_who_may_view(
    client: FlaskClient, auth: AuthActions, roles: dict
) -> None:
    auth.sign_in(roles["users"]["reviewer"].email)
    html = client.get("/rubrics/").get_data(as_text=True)
    assert 'href="/rubrics/" aria-current="page">Rubrics</a>' in html
    assert "New rubric" not in html and "Publish" not in html
    auth.logout()
    auth.sign_in(roles["users"]["auditor"].email)
    assert 'href="/rubrics/"' not in client.get("/").get_data(as_text=True)


def test_description_and_guidance_are_escaped(client: FlaskClient, admin: User, session: Session) -> None:
    rubric = published(session)
    html = client.get(f"/rubrics/{rubric.id}").get_data(as_text=True)
    assert "&lt;b&gt;not bold&lt;/b&gt;" in html and "<b>not bold</b>" not in html


def test_an_item_can_be_scored_from_a_fact_of_its_rubrics_channel(
    client: FlaskClient, admin: User, session: Session
) -> None:
    """The editor offers the facts that fit the item's kind and the rubric's channel, and keeps the choice."""
    rubric = draft(session)
    rings = next(item for item in rubric.items if item.key == "rings")
    html = client.get(f"/rubrics/{rubric.id}/items/{rings.id}/edit").get_data(as_text=True)
    assert "Scored from what the auditor records" in html
    assert '<option value="rings">The rings before a person answered</option>' in html
    assert 'value="hold_seconds"' in html and 'value="reached"' not in html  # a timing, not a yes/no
    assert 'value="greeted_seconds"' not in html  # a visit's fact
    data = {
        "key": "rings",
        "prompt": "How many rings?",
        "points": "2",
        "unit": "rings",
        "fact": "rings",
        "section": str(rings.section_id),
        **BLANK_OPTIONS,
        **BLANK_BANDS,
        "bands-0-bound": "3",
        "bands-0-fraction": "1",
    }
    assert (
        client.post(f"/rubrics/{rubric.id}/items/{rings.id}/edit?kind=timing", data=data).status_code == 302
    )
    session.expire_all()
    assert rings.fact == "rings"
    assert "        fact: rings\n" in export(client, rubric.id)
    html = client.get(f"/rubrics/{rubric.id}/items/{rings.id}/edit").get_data(as_text=True)
    assert '<option selected value="rings">The rings before a person answered</option>' in html
    # a fact that cannot score a timing in rings is refused next to the select
    response = client.post(
        f"/rubrics/{rubric.id}/items/{rings.id}/edit?kind=timing", data={**data, "fact": "hold_seconds"}
    )
    assert response.status_code == 400
    assert "hold_seconds is measured in minutes or seconds, not rings" in response.get_data(as_text=True)
    assert 'id="fact-error"' in response.get_data(as_text=True)
    text = client.get(f"/rubrics/{rubric.id}/items/{rubric.items[0].id}/edit?kind=text").get_data(
        as_text=True
    )
    assert "Scored from what the auditor records" not in text  # a text item is not scored
    shown = client.get(f"/rubrics/{rubric.id}").get_data(as_text=True)
    assert "<dt>Scored from</dt><dd>The rings, as the auditor records it (<code>rings</code>)</dd>" in shown
