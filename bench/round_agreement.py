"""Benchmark the round agreement of blind double-scoring: 1,000 schools, 10 % of contacts scored twice.

Builds a round of ``--schools`` schools with one phone call, one email and one visit each (3,000
contacts by default), every contact answered on a 16-item rubric of every item kind, and ``--share``
of them scored again by a second auditor (300 by default, about 4,800 second answers beside 48,000
first ones), then measures ``round_agreement`` (the round page's per-item alpha and agreement) and
``auditors_line`` (the scorecards' and summary's line) ``--repeat`` times.

Target: under 1 s each. Prints the medians, the figures' size and the load average.

Run: ``.venv/bin/python bench/round_agreement.py [--schools 1000] [--share 10] [--repeat 7]
[--url postgresql+psycopg://postgres@127.0.0.1:5432/h_double]``. Without ``--url`` a temporary
SQLite file; with it, the database's tables are dropped and created again: give one kept for tests.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, insert
from sqlalchemy.orm import Session

from audits.double_scoring.agreement import auditors_line, round_agreement
from audits.models import (
    Assignment,
    Base,
    Channel,
    Contact,
    ContactStatus,
    District,
    DoubleScoring,
    ItemKind,
    Level,
    Outcome,
    Response,
    Role,
    Round,
    RoundStatus,
    Rubric,
    RubricItem,
    RubricSection,
    RubricStatus,
    Scenario,
    School,
    SecondAnswer,
    Slot,
    TimingUnit,
    User,
)

NOW = datetime(2027, 3, 1, 15, tzinfo=UTC)
OPTIONS = [
    {"label": label, "fraction": fraction} for label, fraction in (("Full", 1.0), ("Part", 0.5), ("None", 0))
]
KINDS = [ItemKind.YES_NO] * 7 + [ItemKind.SCALE] * 4 + [ItemKind.CHOICE] * 3 + [ItemKind.TIMING] * 2


def _rubric(session: Session, channel: Channel) -> list[RubricItem]:
    rubric = Rubric(
        key=f"{channel.value}-bench", version=1, status=RubricStatus.PUBLISHED, name=f"{channel.value} bench",
        channel=channel, published_at=NOW,
    )  # fmt: skip
    section = RubricSection(rubric=rubric, position=1, key="all", title="All")
    items = [
        RubricItem(
            section=section, position=position, key=f"item_{position}", prompt=f"Item {position}?", kind=kind,
            points=2.0, critical=position == 0, allow_na=position % 5 == 4,
            scale_max=4 if kind is ItemKind.SCALE else None,
            options=OPTIONS if kind is ItemKind.CHOICE else None,
            unit=TimingUnit.SECONDS if kind is ItemKind.TIMING else None,
            bands=[[30, 1.0], [90, 0.5]] if kind is ItemKind.TIMING else None,
        )
        for position, kind in enumerate(KINDS)
    ]  # fmt: skip
    session.add(rubric)
    session.flush()
    return items


def _answer(item: RubricItem, rng: random.Random, like: object = None) -> tuple[object, bool]:
    """An answer to ``item``; with ``like``, the same answer four times in five (a second auditor)."""
    if like is not None and rng.random() < 0.8:
        return like, False
    if item.allow_na and rng.random() < 0.1:
        return None, True
    if item.kind is ItemKind.YES_NO:
        return rng.random() < 0.7, False
    if item.kind is ItemKind.SCALE:
        return rng.randint(0, 4), False
    if item.kind is ItemKind.CHOICE:
        return rng.choice(["Full", "Part", "None"]), False
    return float(rng.randint(5, 150)), False


def build(session: Session, schools: int, share: float, seed: int) -> Round:
    """The district, its auditors, a round with 3 contacts per school, and ``share`` of them scored twice."""
    rng = random.Random(seed)
    district = District(name="Bench ISD")
    auditors = [
        User(email=f"auditor{i}@bench.example", role=Role.AUDITOR, district=district, password_hash="x")
        for i in range(20)
    ]
    session.add_all([district, *auditors])
    session.flush()
    round_ = Round(
        district_id=district.id, name="Bench round", first_day=date(2027, 2, 1), last_day=date(2027, 2, 26),
        status=RoundStatus.CLOSED, double_score_percent=round(share * 100),
    )  # fmt: skip
    session.add(round_)
    items = {channel: _rubric(session, channel) for channel in Channel}
    rubric_ids = {channel: items[channel][0].section.rubric_id for channel in Channel}
    scenarios = {
        channel: Scenario(
            district_id=district.id, key=f"{channel.value}-bench", title="Bench", channel=channel,
            rubric_key=f"{channel.value}-bench",
        )
        for channel in Channel
    }  # fmt: skip
    session.add_all(scenarios.values())
    school_rows = [
        {
            "district_id": district.id,
            "nces_id": f"99{i:010d}",
            "name": f"School {i}",
            "level": Level.ELEMENTARY,
        }
        for i in range(schools)
    ]
    session.flush()
    school_ids = list(session.scalars(insert(School).returning(School.id), school_rows))
    assignment_rows = [
        {
            "round_id": round_.id, "school_id": school_id, "scenario_id": scenarios[channel].id,
            "auditor_id": auditors[(index * 3 + n) % len(auditors)].id, "channel": channel, "sequence": 1,
            "due_day": date(2027, 2, 2), "slot": Slot.MORNING,
        }
        for index, school_id in enumerate(school_ids)
        for n, channel in enumerate(Channel)
    ]  # fmt: skip
    assignment_ids = list(session.scalars(insert(Assignment).returning(Assignment.id), assignment_rows))
    contact_rows = [
        {
            "assignment_id": assignment_id, "round_id": round_.id, "attempt": 1,
            "auditor_id": row["auditor_id"],
            "rubric_id": rubric_ids[row["channel"]], "status": ContactStatus.APPROVED,
            "outcome": Outcome.REACHED, "started_at": NOW, "submitted_at": NOW, "approved_at": NOW,
        }
        for assignment_id, row in zip(assignment_ids, assignment_rows, strict=True)
    ]  # fmt: skip
    contact_ids = list(session.scalars(insert(Contact).returning(Contact.id), contact_rows))
    responses, firsts = [], {}
    for contact_id, row in zip(contact_ids, assignment_rows, strict=True):
        for item in items[row["channel"]]:
            value, na = _answer(item, rng)
            firsts[(contact_id, item.id)] = (value, item)
            responses.append({"contact_id": contact_id, "item_id": item.id, "value": value, "na": na})
    session.execute(insert(Response), responses)
    chosen = rng.sample(list(zip(contact_ids, assignment_rows, strict=True)), round(len(contact_ids) * share))
    scoring_rows = [
        {
            "round_id": round_.id, "contact_id": contact_id, "draw": 0.05, "percent": share * 100,
            "second_auditor_id": next(a.id for a in auditors if a.id != row["auditor_id"]),
            "chosen_at": NOW, "submitted_at": NOW + timedelta(days=1),
        }
        for contact_id, row in chosen
    ]  # fmt: skip
    scoring_ids = list(session.scalars(insert(DoubleScoring).returning(DoubleScoring.id), scoring_rows))
    seconds = []
    for scoring_id, (contact_id, row) in zip(scoring_ids, chosen, strict=True):
        for item in items[row["channel"]]:
            value, na = _answer(item, rng, like=firsts[(contact_id, item.id)][0])
            seconds.append(
                {"scoring_id": scoring_id, "item_id": item.id, "value": value, "na": na, "comment": ""}
            )
    session.execute(insert(SecondAnswer), seconds)
    session.commit()
    print(f"built: {schools:,} schools, {len(contact_ids):,} contacts, {len(responses):,} answers, "
          f"{len(scoring_ids):,} scored twice ({len(seconds):,} second answers)")  # fmt: skip
    return round_


def _median(label: str, run: object, repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()  # type: ignore[operator]
        samples.append(time.perf_counter() - started)
    median = statistics.median(samples)
    print(f"{label:>18}: median {median:.3f} s, max {max(samples):.3f} s ({repeat} runs); target < 1 s")
    return median


def main() -> None:
    """Build the round once, then print the medians of the agreement figures and the line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schools", type=int, default=1000)
    parser.add_argument("--share", type=float, default=10, help="percent of contacts scored twice")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--seed", type=int, default=21)
    parser.add_argument("--url", default="")
    args = parser.parse_args()
    folder = tempfile.TemporaryDirectory()
    url = args.url or f"sqlite:///{folder.name}/bench.sqlite"
    engine = create_engine(url)
    Base.metadata.drop_all(engine)
    Base.metadata.create_all(engine)
    print(f"database: {engine.dialect.name}; load average before: {os.getloadavg()}")
    with Session(engine) as session:
        round_ = build(session, args.schools, args.share / 100, args.seed)
        agreement = round_agreement(session, round_)
        line = auditors_line(session, round_)
        print(f"figures: {len(agreement.items)} items, {agreement.scored} contacts; {line}")
        _median("round_agreement", lambda: round_agreement(session, round_), args.repeat)
        _median("auditors_line", lambda: auditors_line(session, round_), args.repeat)
    print(f"load average after: {os.getloadavg()}")
    engine.dispose()
    folder.cleanup()


if __name__ == "__main__":
    main()
