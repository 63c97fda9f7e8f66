"""Round dashboard, heat map, school results, alert threshold and export downloads, through the web client."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from flask import Flask, g
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.extensions import db
from audits.models import Channel, Contact, District, Level, Outcome, Role, Round, RoundStatus, School, User
from tests.audits.scoring_helpers import ScoringWorld, build_world
from tests.conftest import PASSWORD, AuthActions

PHONE, VISIT = Channel.PHONE, Channel.VISIT
PERFECT = {"answered": 1.0, "named": 1.0, "courtesy": 1.0, "accuracy": 1.0, "note": None}  # 17 of 17
HALF = {
    "answered": 1.0,
    "named": 0.0,
    "courtesy": 0.5,
    "accuracy": 0.5,
}  # 10 of 17: greeting 5/7, service 5/10
GOOD = {"answered": 1.0, "named": 1.0, "courtesy": 0.75, "accuracy": 0.5}  # 13 of 17


@dataclass
class Results:
    """Spring: A 100, B 58.8, C 88.2 (phone and visit), D 0 (a high school, unreached); autumn: A 58.8."""

    world: ScoringWorld
    spring: Round
    autumn: Round
    schools: dict[str, School]
    users: dict[str, User]
    contact_a: Contact


@pytest.fixture
def results(
    session: Session, make_district: Callable[..., District], make_user: Callable[..., User]
) -> Results:
    world = build_world(session, schools=4)
    a, b, c, d = world.schools
    d.level = Level.HIGH
    autumn = world.round("Autumn 2026", date(2026, 10, 1))
    spring = world.round("Spring 2027", date(2027, 2, 1))
    world.contact(autumn, a, PHONE, HALF)
    started = datetime(2027, 2, 2, 3, 0, tzinfo=UTC)  # still 1 February in New York
    contact_a = world.contact(spring, a, PHONE, PERFECT, started_at=started)
    world.contact(spring, b, PHONE, HALF)
    world.contact(spring, c, PHONE, GOOD, rings=3, hold_seconds=40)
    world.contact(spring, c, VISIT, PERFECT)
    world.contact(spring, d, PHONE, {}, outcome=Outcome.NO_ANSWER, unreached=True)
    session.commit()
    away = make_district("Elsewhere")
    users = {
        "admin": make_user(Role.ADMIN),
        "leader": make_user(Role.LEADER, district=world.district),
        "foreign_leader": make_user(Role.LEADER, district=away),
        "reviewer": make_user(Role.REVIEWER, district=world.district),
        "auditor": world.auditor,
        "principal": make_user(Role.PRINCIPAL, district=world.district, schools=[a]),
    }
    world.auditor.password_hash = users["admin"].password_hash
    session.commit()
    return Results(world, spring, autumn, {s.name[-1]: s for s in world.schools}, users, contact_a)


def _login(auth: AuthActions, user: User) -> None:
    auth.sign_in(user.email)


def _text(html: str) -> str:
    """The page's text with tags dropped and spaces squeezed, for reading numbers."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _section(html: str, start: str, end: str = "</table>") -> str:
    begin = html.index(start)
    return html[begin : html.index(end, begin)]


def _ranking(client: FlaskClient, round_: Round, query: str = "") -> list[str]:
    html = client.get(f"/rounds/{round_.id}/dashboard{query}").get_data(as_text=True)
    return re.findall(r">(School [A-D])</a>", _section(html, '<table class="ranking">'))


# --- the round overview


def test_overview_shows_district_figures_channels_and_distribution(
    client: FlaskClient, auth: AuthActions, results: Results
) -> None:
    _login(auth, results.users["leader"])
    response = client.get(f"/rounds/{results.spring.id}/dashboard")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    text = _text(html)
    overall = [100, 100 * 10 / 17, (100 * 13 / 17 + 100) / 2, 0]
    assert f"Mean {sum(overall) / 4:.1f}" in text  # 61.8
    assert "Median 73.5" in text  # (58.8 + 88.2) / 2
    assert "Critical failures 0" in text
    # A is the only school scored in autumn: 58.8 then, 100 now.
    assert "+41.2" in text
    # Reach and timings per channel.
    assert "3 of 4 (75%)" in text  # phone: D was never reached
    assert "mean rings 3.0, mean hold 40.0 s" in text
    # The histogram has a title, a description and the counts printed.
    svg = _section(html, "<svg", "</svg>")
    assert "<title" in svg and "<desc" in svg
    assert "0–10: 1 school." in svg and "50–60: 1 school." in svg and "90–100: 1 school." in svg
    assert re.findall(r'class="count">(\d+)<', svg) == ["1", "0", "0", "0", "0", "1", "0", "0", "1", "1"]


def test_flagged_schools_come_first_lowest_first(
    client: FlaskClient, auth: AuthActions, results: Results
) -> None:
    _login(auth, results.users["reviewer"])
    html = client.get(f"/rounds/{results.spring.id}/dashboard").get_data(as_text=True)
    flagged = _section(html, 'id="flagged-heading"', "</section>")
    assert re.findall(r">(School [A-D])</a>", flagged) == ["School D", "School B"]
    assert "0.0" in flagged and "58.8" in flagged
    assert html.index('id="flagged-heading"') < html.index('id="district-heading"')
    assert "Save settings" not in html  # reviewers see the threshold, leaders set it


def test_ranking_sorts_and_filters_by_level(client: FlaskClient, auth: AuthActions, results: Results) -> None:
    _login(auth, results.users["leader"])
    spring = results.spring
    assert _ranking(client, spring) == [
        "School A",
        "School C",
        "School B",
        "School D",
    ]  # overall, highest first
    assert _ranking(client, spring, "?sort=overall&dir=asc") == [
        "School D",
        "School B",
        "School C",
        "School A",
    ]
    assert _ranking(client, spring, "?sort=name&dir=desc") == ["School D", "School C", "School B", "School A"]
    assert _ranking(client, spring, "?sort=name") == ["School A", "School B", "School C", "School D"]
    # Schools without a value go last, whichever the direction.
    assert _ranking(client, spring, "?sort=visit&dir=asc") == ["School C", "School A", "School B", "School D"]
    assert _ranking(client, spring, "?sort=change") == ["School A", "School B", "School C", "School D"]
    assert _ranking(client, spring, "?level=high") == ["School D"]
    assert _ranking(client, spring, "?level=elementary&sort=overall&dir=asc") == [
        "School B",
        "School C",
        "School A",
    ]
    assert _ranking(client, spring, "?sort=bogus&dir=sideways&level=nope") == _ranking(client, spring)
    html = client.get(f"/rounds/{spring.id}/dashboard?sort=phone&dir=asc").get_data(as_text=True)
    assert 'aria-sort="ascending"' in html


def test_heat_map_shows_numbers_bands_and_sorts(
    client: FlaskClient, auth: AuthActions, results: Results
) -> None:
    _login(auth, results.users["leader"])
    response = client.get(f"/rounds/{results.spring.id}/heatmap")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<caption" in html and 'scope="row"' in html and 'scope="col"' in html
    row_b = _text(_section(html, ">School B</a>", "</tr>"))
    # B: overall 58.8, greeting 5 of 7 = 71.4, service 5 of 10 = 50.0; each with its band in words.
    assert "58.8 (weak)" in row_b and "71.4 (fair)" in row_b and "50.0 (weak)" in row_b
    legend = _text(_section(html, 'class="heat-legend"', "</ul>"))
    assert "Strong (90 and above)" in legend and "Poor (under 50)" in legend
    order = re.findall(
        r">(School [A-D])</a>",
        client.get(f"/rounds/{results.spring.id}/heatmap?sort=greeting&dir=asc").get_data(as_text=True),
    )
    assert order == ["School B", "School A", "School C", "School D"]  # ties by name; no score last
    high = client.get(f"/rounds/{results.spring.id}/heatmap?level=high").get_data(as_text=True)
    assert re.findall(r">(School [A-D])</a>", high) == ["School D"]
    assert "District median" in html


@pytest.mark.parametrize("script_root", ["", "/touchpoint"])
def test_school_links_are_the_routes_own_urls(
    app: Flask, client: FlaskClient, auth: AuthActions, results: Results, script_root: str
) -> None:
    """The overview and heat map write their 1,000 school links without ``url_for``: the same URLs."""
    from flask import url_for

    _login(auth, results.users["leader"])
    spring = results.spring.id
    with app.test_request_context(base_url=f"http://localhost{script_root}"):
        expected = {
            f"School {letter}": url_for("dashboards.school", school_id=school.id, round=spring)
            for letter, school in results.schools.items()
        }
    for page in ("dashboard", "heatmap"):
        html = client.get(f"/rounds/{spring}/{page}", base_url=f"http://localhost{script_root}").get_data(
            as_text=True
        )
        links = re.findall(r'<a href="([^"]+)">(School [A-D])</a>', html)
        assert links and all(href.replace("&amp;", "&") == expected[name] for href, name in links), links
        assert {name for _, name in links} == set(expected)
        # The flagged list links its schools the same way.
        if page == "dashboard":
            flagged = _section(html, 'id="flagged-heading"', "</section>")
            assert f'href="{expected["School B"]}"' in flagged


def test_school_results_page(client: FlaskClient, auth: AuthActions, results: Results) -> None:
    _login(auth, results.users["leader"])
    a = results.schools["A"]
    response = client.get(f"/schools/{a.id}/results?round={results.spring.id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    text = _text(html)
    assert "Overall 100.0" in text and "+41.2" in text
    # One contact gives no interval: A could rank anywhere, so the rank is its band, not "1 of 4".
    assert "Rank 1st–4th of 4 too close to rank exactly" in text
    assert "from 1 contact · early reading" in text and "95% range" not in text
    assert "How sure these figures are" in text
    # Sections beside the district median, the trend with its numbers, the counted contacts.
    assert re.search(r"Greeting 100\.0 \d+\.\d", text)
    trend = _section(html, "<svg", "</svg>")
    assert "58.8" in trend and "100.0" in trend and "<title" in trend
    contacts = _section(html, '<table class="contacts">')
    assert f'href="/contacts/{results.contact_a.id}"' in contacts
    assert "Feb 1, 2027" in _text(contacts)  # the district's local date
    assert results.world.auditor.email not in html
    # Without ?round= the page shows the school's latest scored round; an earlier one on request.
    assert "Overall 100.0" in _text(client.get(f"/schools/{a.id}/results").get_data(as_text=True))
    autumn = _text(client.get(f"/schools/{a.id}/results?round={results.autumn.id}").get_data(as_text=True))
    assert "Overall 58.8" in autumn


def test_school_results_edge_cases(
    client: FlaskClient, auth: AuthActions, results: Results, make_school: Callable[..., School]
) -> None:
    _login(auth, results.users["leader"])
    fresh = make_school(results.world.district, name="New School")
    assert "No approved contacts for this school yet" in client.get(f"/schools/{fresh.id}/results").get_data(
        as_text=True
    )
    foreign = make_school(None, name="Far School")
    assert client.get(f"/schools/{results.schools['A'].id}/results?round=999999").status_code == 404
    assert client.get(f"/schools/{foreign.id}/results").status_code == 403
    b = results.schools["B"]
    assert "No approved contacts for this school in Autumn 2026" in client.get(
        f"/schools/{b.id}/results?round={results.autumn.id}"
    ).get_data(as_text=True)


def test_empty_round_renders(
    client: FlaskClient, auth: AuthActions, results: Results, session: Session
) -> None:
    empty = results.world.round("Summer 2027", date(2027, 6, 1))
    empty.status = RoundStatus.IN_FIELD
    session.commit()
    _login(auth, results.users["leader"])
    for page in ("dashboard", "heatmap"):
        response = client.get(f"/rounds/{empty.id}/{page}")
        assert response.status_code == 200
        assert "No approved contacts" in response.get_data(
            as_text=True
        ) or "No scored schools" in response.get_data(as_text=True)


# --- who may see what

PAGES = ["/rounds/{spring}/dashboard", "/rounds/{spring}/heatmap", "/schools/{a}/results?round={spring}"]
EXPORTS = ["/rounds/{spring}/export.csv?level=items", "/rounds/{spring}/export.xlsx?level=schools"]


@pytest.mark.parametrize(
    ("who", "page_status", "export_status"),
    [
        ("admin", 200, 200),
        ("leader", 200, 200),
        ("reviewer", 200, 403),
        ("foreign_leader", 403, 403),
        ("auditor", 403, 403),
        ("principal", 403, 403),
    ],
)
def test_permissions(
    client: FlaskClient, auth: AuthActions, results: Results, who: str, page_status: int, export_status: int
) -> None:
    _login(auth, results.users[who])
    ids = {"spring": results.spring.id, "a": results.schools["A"].id}
    for page in PAGES:
        assert client.get(page.format(**ids)).status_code == page_status, page
    for page in EXPORTS:
        assert client.get(page.format(**ids)).status_code == export_status, page


def test_anonymous_visitors_are_sent_to_sign_in(client: FlaskClient, results: Results) -> None:
    ids = {"spring": results.spring.id, "a": results.schools["A"].id}
    for page in PAGES + EXPORTS:
        response = client.get(page.format(**ids))
        assert response.status_code == 302 and "/login" in response.headers["Location"], page
    assert client.post(f"/districts/{results.world.district.id}/alert-threshold").status_code == 302


def test_unknown_round_is_404(client: FlaskClient, auth: AuthActions, results: Results) -> None:
    _login(auth, results.users["leader"])
    for page in ("dashboard", "heatmap", "export.csv"):
        assert client.get(f"/rounds/999999/{page}").status_code == 404


def test_round_page_and_leader_home_link_to_the_dashboard(
    client: FlaskClient, auth: AuthActions, results: Results
) -> None:
    _login(auth, results.users["leader"])
    spring = results.spring
    page = client.get(f"/rounds/{spring.id}").get_data(as_text=True)
    assert f'href="/rounds/{spring.id}/dashboard"' in page and f'href="/rounds/{spring.id}/heatmap"' in page
    home = client.get("/").get_data(as_text=True)
    assert (
        f'href="/rounds/{spring.id}/dashboard"' in home
        and f'href="/rounds/{results.autumn.id}/dashboard"' in home
    )


# --- the alert threshold


def test_leader_sets_the_alert_threshold(
    client: FlaskClient, auth: AuthActions, results: Results, session: Session
) -> None:
    _login(auth, results.users["leader"])
    district, spring = results.world.district, results.spring
    response = client.post(
        f"/districts/{district.id}/alert-threshold", data={"alert_threshold": "60", "round_id": spring.id}
    )
    assert response.status_code == 302
    assert response.headers["Location"].startswith(f"/rounds/{spring.id}/dashboard")
    session.expire_all()
    assert session.get(District, district.id).alert_threshold == 60  # type: ignore[union-attr]
    html = client.get(f"/rounds/{spring.id}/dashboard").get_data(as_text=True)
    flagged = _section(html, 'id="flagged-heading"', "</section>")
    assert re.findall(r">(School [A-D])</a>", flagged) == ["School D", "School B"]
    client.post(
        f"/districts/{district.id}/alert-threshold", data={"alert_threshold": "50", "round_id": spring.id}
    )
    html = client.get(f"/rounds/{spring.id}/dashboard").get_data(as_text=True)
    flagged = _section(html, 'id="flagged-heading"', "</section>")
    assert re.findall(r">(School [A-D])</a>", flagged) == ["School D"]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "enter a score from 0 to 100"),
        ("abc", "enter a number"),
        ("150", "from 0 to 100"),
        ("-1", "from 0 to 100"),
        ("nan", "from 0 to 100"),
    ],
)
def test_threshold_errors_show_next_to_the_field(
    client: FlaskClient, auth: AuthActions, results: Results, session: Session, value: str, message: str
) -> None:
    _login(auth, results.users["leader"])
    district = results.world.district
    response = client.post(
        f"/districts/{district.id}/alert-threshold",
        data={"alert_threshold": value, "round_id": results.spring.id},
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    error = re.search(r'<p class="error" id="alert_threshold-error">(.*?)</p>', html, re.S)
    assert error is not None and message in error.group(1)
    assert 'aria-invalid="true"' in html
    session.expire_all()
    assert session.get(District, district.id).alert_threshold == 70  # type: ignore[union-attr]


def test_leader_sets_the_early_reading_number(
    client: FlaskClient, auth: AuthActions, results: Results, session: Session
) -> None:
    _login(auth, results.users["leader"])
    district, spring, c = results.world.district, results.spring, results.schools["C"]
    page = _text(client.get(f"/schools/{c.id}/results?round={spring.id}").get_data(as_text=True))
    assert "from 2 contacts · early reading" in page  # C: a call and a visit, one each
    form = client.get(f"/rounds/{spring.id}/dashboard").get_data(as_text=True)
    assert 'name="early_reading_contacts"' in form and 'value="3"' in form
    data = {"alert_threshold": "70", "early_reading_contacts": "1", "round_id": spring.id}
    assert client.post(f"/districts/{district.id}/alert-threshold", data=data).status_code == 302
    session.expire_all()
    assert session.get(District, district.id).early_reading_contacts == 1  # type: ignore[union-attr]
    page = _text(client.get(f"/schools/{c.id}/results?round={spring.id}").get_data(as_text=True))
    assert "from 2 contacts" in page and "early reading" not in page.split("How sure")[0]


@pytest.mark.parametrize(
    ("value", "message"), [("0", "from 1 to 50"), ("2.5", "whole number"), ("many", "whole number")]
)
def test_early_reading_errors_show_next_to_the_field(
    client: FlaskClient, auth: AuthActions, results: Results, session: Session, value: str, message: str
) -> None:
    _login(auth, results.users["leader"])
    district = results.world.district
    data = {"alert_threshold": "60", "early_reading_contacts": value, "round_id": results.spring.id}
    response = client.post(f"/districts/{district.id}/alert-threshold", data=data)
    assert response.status_code == 400
    error = re.search(
        r'<p class="error" id="early_reading_contacts-error">(.*?)</p>', response.get_data(as_text=True)
    )
    assert error is not None and message in error.group(1)
    session.expire_all()
    stored = session.get(District, district.id)
    assert stored is not None and (stored.alert_threshold, stored.early_reading_contacts) == (
        70,
        3,
    )  # nothing half-saved


def test_only_the_districts_leaders_set_the_threshold(
    client: FlaskClient, auth: AuthActions, results: Results
) -> None:
    district = results.world.district
    data = {"alert_threshold": "80", "round_id": results.spring.id}
    for who in ("reviewer", "foreign_leader", "auditor", "principal"):
        _login(auth, results.users[who])
        assert client.post(f"/districts/{district.id}/alert-threshold", data=data).status_code == 403, who
        auth.logout()
    _login(auth, results.users["admin"])
    assert client.post(f"/districts/{district.id}/alert-threshold", data=data).status_code == 302


# --- query counts


def _queries(app: Flask, client: FlaskClient, url: str) -> int:
    statements: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *args: object) -> None:
        statements.append(statement)

    g.pop("_login_user", None)  # load the user as every request does (the test's app context caches it)
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(statements)


def test_page_queries_do_not_grow_with_schools(
    app: Flask, client: FlaskClient, auth: AuthActions, session: Session, make_user: Callable[..., User]
) -> None:
    world = build_world(session, schools=12)
    earlier = world.round("Autumn", date(2026, 10, 1))
    round_ = world.round("Spring", date(2027, 2, 1))
    leader = make_user(Role.LEADER, district=world.district)
    _login(auth, leader)
    counts: dict[str, list[int]] = {"dashboard": [], "heatmap": [], "results": []}
    for size in (3, 12):
        for school in world.schools[:3] if size == 3 else world.schools[3:]:
            world.contact(round_, school, PHONE, GOOD, response_business_hours=2.0)
            world.contact(round_, school, VISIT, HALF)
            world.contact(earlier, school, PHONE, PERFECT)
        session.commit()
        counts["dashboard"].append(_queries(app, client, f"/rounds/{round_.id}/dashboard"))
        counts["heatmap"].append(_queries(app, client, f"/rounds/{round_.id}/heatmap"))
        counts["results"].append(
            _queries(app, client, f"/schools/{world.schools[0].id}/results?round={round_.id}")
        )
    for page, (small, big) in counts.items():
        assert small == big, (page, counts)
    assert counts["dashboard"][0] <= 12, counts


# --- downloads


def test_csv_download_streams_with_a_clean_name(
    client: FlaskClient, auth: AuthActions, results: Results
) -> None:
    _login(auth, results.users["leader"])
    response = client.get(f"/rounds/{results.spring.id}/export.csv?level=items", buffered=False)
    assert response.status_code == 200
    assert response.is_streamed
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment; filename=") and disposition.endswith('spring-2027-items.csv"')
    body = b"".join(response.response).decode("utf-8-sig")  # type: ignore[arg-type]
    response.close()
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][:3] == ["Round", "School NCES id", "School"]
    assert len(rows) == 1 + 5 + 4 + 4 + 5  # responses of the counted spring contacts (unreached D has none)
    assert results.world.auditor.email not in body
    schools = client.get(f"/rounds/{results.spring.id}/export.csv?level=schools").get_data(as_text=True)
    assert len(list(csv.reader(io.StringIO(schools.lstrip("\ufeff"))))) == 1 + 4
    assert client.get(f"/rounds/{results.spring.id}/export.csv?level=everything").status_code == 400


def test_xlsx_download_opens(client: FlaskClient, auth: AuthActions, results: Results) -> None:
    _login(auth, results.users["admin"])
    response = client.get(f"/rounds/{results.spring.id}/export.xlsx?level=schools")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].endswith('spring-2027-schools.xlsx"')
    sheet = load_workbook(io.BytesIO(response.data), read_only=True)["Schools"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("Round", "School NCES id", "School", "Level")
    assert [row[2] for row in rows[1:]] == ["School A", "School C", "School B", "School D"]


@pytest.mark.csrf
def test_threshold_form_carries_a_csrf_token(
    client: FlaskClient, auth: AuthActions, results: Results
) -> None:
    html = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert token is not None
    leader = results.users["leader"]
    client.post("/login", data={"email": leader.email, "password": PASSWORD, "csrf_token": token.group(1)})
    page = client.get(f"/rounds/{results.spring.id}/dashboard").get_data(as_text=True)
    form = _section(page, 'class="threshold-form"', "</form>")
    assert 'name="csrf_token"' in form
    url = f"/districts/{results.world.district.id}/alert-threshold"
    assert client.post(url, data={"alert_threshold": "60", "round_id": results.spring.id}).status_code == 400
