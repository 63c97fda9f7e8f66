"""Markup that outside checkers accept: no id repeats on a page, ``<time datetime>`` without microseconds."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from html.parser import HTMLParser

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from app.templating import machine_time
from audits.models import District, Role, User
from tests.conftest import AuthActions

# What HTML accepts in <time datetime>: a date, or a date and time to the second with an offset.
VALID_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2}))?$")


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: Counter[str] = Counter()
        self.times: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids[str(values["id"])] += 1
        if tag == "time" and values.get("datetime"):
            self.times.append(str(values["datetime"]))


def _collect(html: str) -> _Collector:
    collector = _Collector()
    collector.feed(html)
    return collector


def test_a_moment_is_written_to_the_second_in_utc() -> None:
    moment = datetime(2026, 12, 3, 15, 40, 7, 123456, tzinfo=UTC)
    assert machine_time(moment) == "2026-12-03T15:40:07+00:00"
    assert machine_time(moment.date()) == "2026-12-03"


def test_pages_with_several_forms_repeat_no_id_and_write_valid_times(
    client: FlaskClient,
    auth: AuthActions,
    session: Session,
    make_district: Callable[..., District],
    make_user: Callable[..., User],
) -> None:
    district = make_district("Duval")
    admin = make_user(Role.ADMIN)
    person = make_user(Role.LEADER, district=district)
    person.last_login_at = datetime(2026, 12, 3, 15, 40, 7, 123456, tzinfo=UTC)
    session.commit()
    auth.login(admin.email)  # through the form: the sign-in is recorded, with its microseconds
    for path in ("/account", f"/users/{person.id}", "/users/"):
        response = client.get(path)
        assert response.status_code == 200, path
        found = _collect(response.get_data(as_text=True))
        assert [name for name, count in found.ids.items() if count > 1] == [], path
        assert found.times and all(VALID_TIME.match(value) for value in found.times), (path, found.times)
        assert found.ids["csrf_token"] == 0
