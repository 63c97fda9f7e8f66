"""The heat map shows one channel's sections at a time (a selector of plain links), a school's results group
its sections by channel, and a school's page links to its results and the scorecards its reader may open."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from html import unescape
from itertools import count

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from audits.models import Channel, ItemKind, Role, Round, Rubric, Scorecard, User
from audits.rubrics.spec import ItemSpec, OptionSpec, RubricSpec, SectionSpec
from audits.rubrics.versions import create_draft, publish
from tests.audits.scoring_helpers import ScoringWorld, build_world
from tests.conftest import AuthActions

PERFECT = {"answered": 1.0, "named": 1.0, "courtesy": 1.0, "accuracy": 1.0}
HALF = {"answered": 1.0, "named": 0.0, "courtesy": 0.5, "accuracy": 0.5}  # 5 of 7, then 5 of 10
# Each channel's own first section; "service" ("The answer") is shared by every channel.
OWN_SECTION = {
    Channel.PHONE: ("answering", "Answering the call"),
    Channel.EMAIL: ("reply", "The reply"),
    Channel.VISIT: ("welcome", "Welcome at the counter"),
}
_keys = count(1)


def channel_rubric(session: Session, channel: Channel) -> Rubric:
    """A published rubric of ``channel``: its own section, then the shared "service"."""
    key, title = OWN_SECTION[channel]
    spec = RubricSpec(
        key=f"channels-{channel.value}-{next(_keys)}",
        name=f"{channel.value} rubric",
        channel=channel,
        sections=[
            SectionSpec(
                key,
                title,
                [
                    ItemSpec("answered", "Answered?", ItemKind.YES_NO, points=5, critical=True),
                    ItemSpec("named", "Named?", ItemKind.YES_NO, points=2),
                ],
            ),
            SectionSpec(
                "service",
                "The answer",
                [
                    ItemSpec("courtesy", "Courtesy", ItemKind.SCALE, points=4, max=4),
                    ItemSpec(
                        "accuracy",
                        "Accuracy",
                        ItemKind.CHOICE,
                        points=6,
                        options=[
                            OptionSpec("Right", 1.0),
                            OptionSpec("Partly", 0.5),
                            OptionSpec("Wrong", 0.0),
                        ],
                    ),
                ],
            ),
        ],
    )
    rubric = create_draft(session, spec)
    publish(session, rubric)
    return rubric


@dataclass
class Channels:
    """Spring: A phone 100 and visit 5/7 + 5/10; B phone half; C visit perfect. No email contact."""

    world: ScoringWorld
    spring: Round
    leader: User


@pytest.fixture
def channels(session: Session, make_user: Callable[..., User]) -> Channels:
    world = build_world(session, schools=3)
    rubrics = {channel: channel_rubric(session, channel) for channel in Channel}
    a, b, c = world.schools
    spring = world.round("Spring 2027", date(2027, 2, 1))
    world.contact(spring, a, Channel.PHONE, PERFECT, rubric=rubrics[Channel.PHONE])
    world.contact(spring, a, Channel.VISIT, HALF, rubric=rubrics[Channel.VISIT])
    world.contact(spring, b, Channel.PHONE, HALF, rubric=rubrics[Channel.PHONE])
    world.contact(spring, c, Channel.VISIT, PERFECT, rubric=rubrics[Channel.VISIT])
    session.commit()
    leader = make_user(Role.LEADER, district=world.district)
    return Channels(world, spring, leader)


def _text(html: str) -> str:
    """The text of ``html``: tags dropped, spaces squeezed, none before punctuation."""
    text = re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]*>", " ", html))).strip()
    return re.sub(r" ([).,:;])", r"\1", text)


def _row(html: str, school: str) -> str:
    """The text of a school's row of the heat map."""
    return _text(_between(html, f">{school}</a>", "</tr>")[1:])


def _between(html: str, start: str, end: str) -> str:
    begin = html.index(start)
    return html[begin : html.index(end, begin)]


def _headers(html: str) -> list[str]:
    head = _between(html, "<thead>", "</thead>")
    return [
        _text(cell).split(",")[0].rstrip(" ▲▼").strip()
        for cell in re.findall(r"<th[^>]*>(.*?)</th>", head, re.S)
    ]


def _picker(html: str) -> dict[str, tuple[str, bool]]:
    """The channel selector's links: label → (href, whether it is the one shown)."""
    nav = _between(html, '<nav class="channel-picker"', "</nav>")
    links = re.findall(r'<a href="([^"]+)"( aria-current="page")?>(.*?)</a>', nav, re.S)
    return {_text(label): (unescape(href), bool(current)) for href, current, label in links}


def test_heat_map_shows_one_channel_at_a_time(
    client: FlaskClient, auth: AuthActions, channels: Channels
) -> None:
    auth.sign_in(channels.leader.email)
    url = f"/rounds/{channels.spring.id}/heatmap"
    html = client.get(url).get_data(as_text=True)
    # The selector: a link per channel with sections, the shared ones last; the first is shown.
    picker = _picker(html)
    assert list(picker) == [
        "Phone call (1 section)",
        "Front-office visit (1 section)",
        "Every channel (1 section)",
    ]
    assert [current for _, current in picker.values()] == [True, False, False]
    assert _headers(html) == ["School", "Overall", "Phone call score", "Answering the call"]
    assert "Phone call: section scores by school" in html
    assert _row(html, "School B") == "School B 58.8 (weak) 58.8 (weak) 71.4 (fair)"
    assert _row(html, "School C") == "School C 100.0 (strong) — no score — no score"

    visit = client.get(picker["Front-office visit (1 section)"][0]).get_data(as_text=True)
    assert _headers(visit) == ["School", "Overall", "Front-office visit score", "Welcome at the counter"]
    assert [current for _, current in _picker(visit).values()] == [False, True, False]
    assert _row(visit, "School A") == "School A 79.4 (fair) 58.8 (weak) 71.4 (fair)"
    # Its headers sort within the channel, and the level filter keeps it.
    sort_link = re.search(r'<a href="([^"]+)">Welcome at the counter', visit)
    assert (
        sort_link is not None
        and "channel=visit" in sort_link.group(1)
        and "sort=welcome" in sort_link.group(1)
    )
    assert '<input type="hidden" name="channel" value="visit">' in visit
    ordered = client.get(f"{url}?channel=visit&sort=welcome&dir=asc").get_data(as_text=True)
    assert re.findall(r">(School [A-C])</a>", ordered) == ["School A", "School C", "School B"]  # B has none

    shared = client.get(f"{url}?channel=shared").get_data(as_text=True)
    assert _headers(shared) == ["School", "Overall", "The answer"]  # no channel score for shared sections
    assert "Every channel: section scores by school" in shared

    # An unknown channel shows the first; a section of another channel does not sort this one.
    assert _headers(client.get(f"{url}?channel=fax").get_data(as_text=True))[2] == "Phone call score"
    other = client.get(f"{url}?channel=phone&sort=welcome&dir=asc").get_data(as_text=True)
    assert other.count("aria-sort") == 1
    assert re.search(r'aria-sort="ascending">\s*<a [^>]*>Overall', other)  # sorted by overall


def test_the_channel_links_keep_the_level_and_a_sort_that_still_applies(
    client: FlaskClient, auth: AuthActions, channels: Channels
) -> None:
    auth.sign_in(channels.leader.email)
    url = f"/rounds/{channels.spring.id}/heatmap"
    by_name = _picker(client.get(f"{url}?sort=name&dir=asc&level=elementary").get_data(as_text=True))
    href = by_name["Front-office visit (1 section)"][0]
    assert {"channel=visit", "sort=name", "dir=asc", "level=elementary"} <= set(href.split("?")[1].split("&"))
    by_section = _picker(client.get(f"{url}?channel=phone&sort=answering").get_data(as_text=True))
    assert "sort=" not in by_section["Front-office visit (1 section)"][0]


def test_school_results_group_sections_by_channel(
    client: FlaskClient, auth: AuthActions, channels: Channels
) -> None:
    auth.sign_in(channels.leader.email)
    a = channels.world.schools[0]
    html = client.get(f"/schools/{a.id}/results?round={channels.spring.id}").get_data(as_text=True)
    table = _between(html, '<table class="sections">', "</table>")
    groups = re.findall(r"<tbody>(.*?)</tbody>", table, re.S)
    assert len(groups) == 3
    read = [_text(group) for group in groups]
    assert read[0].startswith("Phone call every school")
    assert "Answering the call 100.0" in read[0]
    assert read[1].startswith("Front-office visit every school") and "Welcome at the counter 71.4" in read[1]
    assert read[2].startswith("Every channel every school") and "The answer 75.0" in read[2]
    for group, key in zip(groups, ("phone", "visit", "shared"), strict=True):
        assert f'/rounds/{channels.spring.id}/heatmap?channel={key}"' in group
    assert 'scope="rowgroup"' in table


def test_school_page_links_to_results_and_the_scorecards_its_reader_may_open(
    client: FlaskClient,
    auth: AuthActions,
    session: Session,
    channels: Channels,
    make_user: Callable[..., User],
) -> None:
    a = channels.world.schools[0]
    autumn = channels.world.round("Autumn 2026", date(2026, 10, 1))
    published = datetime(2027, 3, 1, 12, tzinfo=UTC)
    for round_, when in ((channels.spring, None), (autumn, published)):
        session.add(
            Scorecard(
                token=f"token-{round_.id}-{next(_keys)}",
                round_id=round_.id,
                school_id=a.id,
                inputs_hash="0" * 64,
                content_hash="0" * 64,
                path="scorecards/x.pdf",
                size=1000,
                published_at=when,
            )
        )
    principal = make_user(Role.PRINCIPAL, district=channels.world.district, schools=[a])
    reviewer = make_user(Role.REVIEWER, district=channels.world.district)
    session.commit()

    auth.sign_in(channels.leader.email)
    html = client.get(f"/schools/{a.id}").get_data(as_text=True)
    section = _text(_between(html, 'id="results-heading"', "</section>"))
    assert f'href="/schools/{a.id}/results"' in html
    assert "Spring 2027 scorecard (PDF, not published to the principal yet)" in section
    assert "Autumn 2026 scorecard (PDF, published Mar 1, 2027 12:00 UTC)" in section
    assert section.index("Spring 2027") < section.index("Autumn 2026")  # newest round first

    auth.sign_in(reviewer.email)
    assert f'href="/schools/{a.id}/results"' in client.get(f"/schools/{a.id}").get_data(as_text=True)

    auth.sign_in(principal.email)
    mine = client.get(f"/schools/{a.id}").get_data(as_text=True)
    section = _text(_between(mine, 'id="results-heading"', "</section>"))
    assert "/results" not in mine  # principals read scorecards, not the results pages
    assert "Autumn 2026 scorecard" in section and "Spring 2027" not in section

    other = channels.world.schools[1]
    auth.sign_in(channels.leader.email)
    assert "No scorecards built for this school yet." in _text(
        client.get(f"/schools/{other.id}").get_data(as_text=True)
    )
