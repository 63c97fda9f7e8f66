"""Evidence on the contact form: checked by content, GPS stripped, served only to those who may see it."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from audits.models import District, Evidence, User
from tests.app.fieldwork_world import (
    World,
    build_world,
    current_contact,
    input_value,
    login,
    open_form,
    textarea_value,
)
from tests.audits.test_evidence import EML, GPS_IFD, jpeg_with_gps
from tests.conftest import AuthActions

HTML_PHOTO = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"


@pytest.fixture
def world(session: Session, make_district: Callable[..., District], make_user: Callable[..., User]) -> World:
    return build_world(session, make_district, make_user)


def _upload(client: FlaskClient, contact_id: int, data: bytes, name: str, label: str = "entrance") -> object:
    return client.post(
        f"/contacts/{contact_id}/evidence",
        data={"file": (io.BytesIO(data), name), "label": label},
        content_type="multipart/form-data",
    )


def _evidence(session: Session) -> list[Evidence]:
    session.expire_all()
    return list(session.scalars(select(Evidence).order_by(Evidence.id)))


def test_an_html_file_named_jpg_is_refused_with_the_reason_and_the_draft_kept(
    client: FlaskClient, auth: AuthActions, world: World, session: Session
) -> None:
    login(auth, world.users["auditor"])
    open_form(client, world.visit)
    contact = current_contact(session, world.visit)
    client.post(f"/contacts/{contact.id}/draft", json={"greeted_seconds": "40", "outcome": "reached"})
    response = _upload(client, contact.id, HTML_PHOTO, "entrance.jpg")
    assert response.status_code == 400  # type: ignore[attr-defined]
    html = response.get_data(as_text=True)  # type: ignore[attr-defined]
    assert 'id="file-error"' in html and "This is a web page (HTML)." in html
    assert input_value(html, "greeted_seconds") == "40"  # the form comes back from the saved draft
    assert _evidence(session) == []
    response = client.post(f"/contacts/{contact.id}/evidence", data={"label": "entrance"})
    assert response.status_code == 400
    assert "Choose a file to upload" in response.get_data(as_text=True)


def test_a_photo_is_stored_without_its_gps_and_served_to_the_reviewer_with_nosniff(
    client: FlaskClient, auth: AuthActions, world: World, session: Session
) -> None:
    login(auth, world.users["auditor"])
    open_form(client, world.visit)
    contact = current_contact(session, world.visit)
    response = _upload(client, contact.id, jpeg_with_gps(), "../../Front door <1>.jpg")
    assert response.status_code == 302  # type: ignore[attr-defined]
    (evidence,) = _evidence(session)
    assert evidence.label == "entrance" and evidence.content_type == "image/jpeg"
    html = open_form(client, world.visit)
    assert f'src="/evidence/{evidence.token}"' in html and "Attached" in html
    assert f'action="/evidence/{evidence.token}/delete"' in html

    auth.logout()
    login(auth, world.users["reviewer"])
    response = client.get(f"/evidence/{evidence.token}")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "image/jpeg"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Disposition"].startswith("inline;")
    assert "Front_door_1.jpg" in response.headers["Content-Disposition"]
    assert "private" in response.headers["Cache-Control"]
    with Image.open(io.BytesIO(response.data)) as image:
        assert GPS_IFD not in image.getexif()
        assert 0x010F not in image.getexif()  # the camera make is gone too
    response.close()
    assert client.get("/evidence/not-a-token").status_code == 404


def test_an_eml_reply_fills_the_reply_time_and_text(
    client: FlaskClient, auth: AuthActions, world: World, session: Session
) -> None:
    login(auth, world.users["auditor"])
    open_form(client, world.email)
    contact = current_contact(session, world.email)
    client.post(f"/contacts/{contact.id}/draft", json={"sent_text": "Hello, how do we apply for free meals?"})
    response = _upload(client, contact.id, EML, "reply.eml", "reply")
    assert response.status_code == 302  # type: ignore[attr-defined]
    html = open_form(client, world.email)
    assert "filled in from it" in html
    assert input_value(html, "reply_at") == "2027-02-08T09:00"  # 14:00 UTC in New York
    assert textarea_value(html, "reply_text") == "Hello, the application form is attached."
    assert textarea_value(html, "sent_text") == "Hello, how do we apply for free meals?"  # the draft is kept
    (evidence,) = _evidence(session)
    response = client.get(f"/evidence/{evidence.token}")
    assert response.headers["Content-Type"] == "message/rfc822"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.data == EML
    response.close()


def test_text_is_served_as_plain_text_for_download(
    client: FlaskClient, auth: AuthActions, world: World, session: Session
) -> None:
    login(auth, world.users["auditor"])
    open_form(client, world.phone)
    contact = current_contact(session, world.phone)
    _upload(client, contact.id, b"Notes: the receptionist said <b>call back</b>.", "notes.html", "notes")
    (evidence,) = _evidence(session)
    response = client.get(f"/evidence/{evidence.token}")
    assert response.headers["Content-Type"].startswith("text/plain")
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "notes.txt" in response.headers["Content-Disposition"]  # the name follows the content
    assert response.data.startswith(b"Notes:")
    response.close()


def test_files_are_kept_from_other_auditors_and_principals(
    client: FlaskClient, auth: AuthActions, world: World, session: Session
) -> None:
    login(auth, world.users["auditor"])
    open_form(client, world.visit)
    contact = current_contact(session, world.visit)
    _upload(client, contact.id, jpeg_with_gps(), "entrance.jpg")
    (evidence,) = _evidence(session)
    for who in ("other_auditor", "principal", "foreign_leader"):
        auth.logout()
        login(auth, world.users[who])
        assert client.get(f"/evidence/{evidence.token}").status_code == 403, who
        assert client.post(f"/evidence/{evidence.token}/delete").status_code == 403, who
        assert _upload(client, contact.id, jpeg_with_gps(), "x.jpg").status_code == 403, who  # type: ignore[attr-defined]
    auth.logout()
    login(auth, world.users["auditor"])
    response = client.post(f"/evidence/{evidence.token}/delete")
    assert response.status_code == 302
    assert _evidence(session) == []
