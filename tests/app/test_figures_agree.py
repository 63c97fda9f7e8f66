"""One definition of every figure: the results page, the scorecard PDF, the principal's portal, the schools
export and the API read the same numbers from the scoring engine, for every school of the demo.

Each output is read as its user reads it (the page's text, the PDF's text, the CSV's cells, the
API's JSON) and its critical failures, reach, contacts, overall, interval, rank and early reading
are compared with the engine's, at the precision the output prints. The earlier round's scorecards
are built and published as ``flask demo`` does: each PDF is read as stored, and each school's
principal reads the same figures, in the same words, on their portal.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pypdfium2
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from audits.demo import load_demo
from audits.formatting import ordinal
from audits.models import Scorecard, User
from audits.scorecards import publish, school_principals
from audits.scoring.engine import CHANNELS, SchoolScore, round_scores
from audits.tokens import create_token
from reports.batch import build_scorecards
from reports.exports import school_table
from reports.figures import gather_round
from reports.wording import REACH_WORDS, reach_phrase
from tests.conftest import AuthActions


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _page_text(html: str) -> str:
    return _squeeze(re.sub(r"<[^>]+>", " ", html))


def _pdf_text(pdf: bytes) -> str:
    document = pypdfium2.PdfDocument(pdf)
    try:
        return _squeeze(" ".join(page.get_textpage().get_text_range() for page in document))
    finally:
        document.close()


def _one(pattern: str, text: str, what: str) -> re.Match[str]:
    found = re.search(pattern, text, re.IGNORECASE)
    assert found is not None, f"{what}: {pattern!r} not in {text[:600]!r}"
    return found


def _score(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def _expected(school: SchoolScore) -> dict[str, Any]:
    """The engine's figures as every output must print them (one decimal where printed)."""
    interval = school.interval
    standing = school.standing
    assert standing is not None
    return {
        "overall": _score(school.overall),
        "interval": None if interval is None else (_score(interval.low), _score(interval.high)),
        "critical_failures": school.critical_failures,
        "contacts": school.contacts,
        "early": school.early,
        "rank": (standing.places, standing.of),
        "reach": {ch: (f.reached, f.contacts) for ch, f in school.channels.items()},
    }


def _from_page(text: str) -> dict[str, Any]:
    overall = _one(r"Overall ([\d.]+)", text, "page overall")
    interval = re.search(r"95% range ([\d.]+)–([\d.]+)", text)
    basis = _one(r"from (\d+) contacts?( · early reading)?", text, "page basis")
    rank = _one(r"Rank (\S+) of (\d+)", text, "page rank")
    critical = _one(r"Critical failures (\d+) contacts?", text, "page critical failures")
    reach = {}
    for channel, label in (("phone", "Phone call"), ("email", "Email"), ("visit", "Front-office visit")):
        found = re.search(rf"{label} [\d.—]+(?: [\d.—]+)? (\d+) of (\d+) \(", text)
        if found:
            reach[channel] = (int(found.group(1)), int(found.group(2)))
    return {
        "overall": overall.group(1),
        "interval": interval.groups() if interval else None,
        "critical_failures": int(critical.group(1)),
        "contacts": int(basis.group(1)),
        "early": bool(basis.group(2)),
        "rank": (rank.group(1), int(rank.group(2))),
        "reach": reach,
    }


def _from_pdf(text: str, channels: list[str]) -> dict[str, Any]:
    overall = _one(r"Overall score ([\d.]+)", text, "pdf overall")
    interval = re.search(r"95% range ([\d.]+)–([\d.]+)", text)
    basis = _one(r"from (\d+) contacts?( · early reading)?", text, "pdf basis")
    rank = _one(r"Rank (\S+) of (\d+)", text, "pdf rank")
    critical = _one(r"Critical failures (\d+) contacts?", text, "pdf critical failures")
    reach = {}
    for channel in channels:
        singular, plural, _ = REACH_WORDS[channel]
        found = _one(
            rf"(\d+) of (\d+) (?:{singular}|{plural}) (?:reached|got|was|were)", text, f"pdf {channel} reach"
        )
        reach[channel] = (int(found.group(1)), int(found.group(2)))
    return {
        "overall": overall.group(1),
        "interval": interval.groups() if interval else None,
        "critical_failures": int(critical.group(1)),
        "contacts": int(basis.group(1)),
        "early": bool(basis.group(2)),
        "rank": (rank.group(1), int(rank.group(2))),
        "reach": reach,
    }


def _from_csv(row: dict[str, str]) -> dict[str, Any]:
    def number(name: str) -> str:
        return _score(float(row[name])) if row[name] else "—"

    best, worst = int(row["rank_best"]), int(row["rank_worst"])
    places = _ordinal_span(best, worst)
    return {
        "overall": number("overall"),
        "interval": None if not row["overall_low"] else (number("overall_low"), number("overall_high")),
        "critical_failures": int(row["critical_failures"]),
        "contacts": int(row["contacts"]),
        "early": row["early_reading"] == "true",
        "rank": (places, None),
        "reach": {
            ch: (int(row[f"{ch}_reached"]), int(row[f"{ch}_contacts"]))
            for ch in CHANNELS
            if row[f"{ch}_contacts"]
        },
    }


def _from_api(school: dict[str, Any]) -> dict[str, Any]:
    interval, band = school["interval"], school["rank_band"]
    return {
        "overall": _score(school["overall"]),
        "interval": None if interval is None else (_score(interval["low"]), _score(interval["high"])),
        "critical_failures": school["critical_failures"],
        "contacts": school["contacts"],
        "early": school["early_reading"],
        "rank": (_ordinal_span(band["best"], band["worst"]), None),
        "reach": {ch: (None, n) for ch, n in school["channel_contacts"].items() if n},
        "reached": school["reached"],
    }


def _ordinal_span(best: int, worst: int) -> str:
    return ordinal(best) if best == worst else f"{ordinal(best)}–{ordinal(worst)}"


def test_every_demo_school_reads_the_same_everywhere(
    client: FlaskClient, auth: AuthActions, session: Session, tmp_path: Path
) -> None:
    result = load_demo(session, today=date(2026, 11, 27), evidence_dir=tmp_path / "evidence")
    session.commit()
    leader = session.scalars(select(User).where(User.email == "leader@example.org")).one()
    _, token = create_token(session, leader, "figures")
    session.commit()
    assert result.earlier is not None
    storage = Path(client.application.config["STORAGE_DIR"])
    build_scorecards(session, result.earlier, storage)
    publish(session, result.earlier, leader, now=datetime(2026, 7, 1, 15, tzinfo=UTC))
    session.commit()
    stored = {card.school_id: card for card in session.scalars(select(Scorecard))}
    principals = school_principals(session, set(stored))
    auth.sign_in(leader)
    checked = portals = 0
    for round_, with_pdf in ((result.earlier, True), (result.round, False)):
        scores = round_scores(session, round_)
        cards = gather_round(session, round_).scorecards
        api = client.get(f"/api/v1/rounds/{round_.id}/scores", headers={"Authorization": f"Bearer {token}"})
        assert api.status_code == 200
        api_schools = {school["school_id"]: school for school in api.get_json()["schools"]}
        export = client.get(f"/rounds/{round_.id}/export.csv?level=schools")
        assert export.status_code == 200
        # The file is headed for people ("Overall score (%)"): read each row by the columns' field names.
        keys = {column.header: column.key for column in school_table(session, round_).columns}
        rows = {
            row["school_nces_id"].lstrip("'"): row
            for row in (
                {keys[header]: value for header, value in row.items()}
                for row in csv.DictReader(io.StringIO(export.get_data(as_text=True).lstrip("\ufeff")))
            )
        }
        for school in scores.schools:
            expected = _expected(school)
            card = cards[school.school_id]
            # The scorecard's figures are the engine's, and the card's lists add up to its counts.
            assert card.critical_failure_count == len(card.critical_failures) == school.critical_failures
            assert [contact.ref for contact in card.appendix] == list(range(1, school.contacts + 1))
            page = _page_text(
                client.get(f"/schools/{school.school_id}/results?round={round_.id}").get_data(as_text=True)
            )
            assert _from_page(page) == expected, (school.name, "results page")
            if with_pdf:
                pdf = (storage / stored[school.school_id].path).read_bytes()
                channels = [ch for ch in CHANNELS if ch in school.channels]
                assert _from_pdf(_pdf_text(pdf), channels) == expected, (school.name, "scorecard PDF")
                for channel, (reached, contacts) in expected["reach"].items():
                    assert reach_phrase(channel, reached, contacts) in _pdf_text(pdf)
                # The principal's portal prints the PDF's figures in the PDF's words.
                [principal] = principals[school.school_id]
                auth.sign_in(principal)
                portal = client.get(f"/schools/{school.school_id}/portal?round={round_.id}")
                assert portal.status_code == 200, school.name
                text = _page_text(portal.get_data(as_text=True))
                assert _from_pdf(text, channels) == expected, (school.name, "portal")
                for channel, (reached, contacts) in expected["reach"].items():
                    assert reach_phrase(channel, reached, contacts) in text
                auth.sign_in(leader)
                portals += 1
            assert _from_csv(rows[school.nces_id]) == {**expected, "rank": (expected["rank"][0], None)}, (
                school.name,
                "schools export",
            )
            api_figures = _from_api(api_schools[school.school_id])
            assert api_figures.pop("reached") == sum(r for r, _ in expected["reach"].values())
            assert api_figures == {
                **expected,
                "rank": (expected["rank"][0], None),
                "reach": {ch: (None, n) for ch, (_, n) in expected["reach"].items()},
            }, (school.name, "API")
            checked += 1
    assert checked >= 12 + 6  # every school of the closed round, and those the open round has scored
    assert portals >= 12  # every school of the published round, as its principal reads it
