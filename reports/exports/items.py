"""Item-level rows: one per response of every counted contact of a round, read in a single streamed query.

Earned and possible follow the item rule: earned = fraction × points and possible =
points for a scored answer; an N/A answer, an unanswered item or a ``text`` item
has earned 0 and possible 0. The fraction is written as a percentage (0.75 is 75.0),
and the channel as its label ("Phone call"). Contact-level rules (critical policy, unreached) are
not applied here: the school-level export carries the scores.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import DateTime, Select, String, Text, cast, select, type_coerce
from sqlalchemy.orm import Session

from audits.models import (
    Assignment,
    Contact,
    ItemKind,
    Response,
    Round,
    Rubric,
    RubricItem,
    RubricSection,
    Scenario,
    School,
    User,
)
from audits.scoring.queries import counted
from audits.vocabulary import channel_label
from reports.exports.table import Cell, Column, Kind, Table

ITEM_COLUMNS = [
    Column("round", "Round", width=28),
    Column("school_nces_id", "School NCES id", width=14),
    Column("school_name", "School", width=34),
    Column("channel", "Channel", width=18),
    Column("scenario", "Scenario", width=34),
    Column("contact_id", "Contact id", Kind.WHOLE),
    Column("contact_date", "Contact date", Kind.DATE),
    Column("rubric_key", "Rubric key", width=22),
    Column("rubric_version", "Rubric version", Kind.WHOLE),
    Column("section_key", "Section key", width=22),
    Column("item_key", "Item key", width=22),
    Column("raw_value", "Answer", width=20),
    Column("na", "N/A", Kind.YES_NO),
    Column("fraction", "Share of points earned (%)", Kind.DECIMAL),
    Column("earned", "Points earned", Kind.DECIMAL),
    Column("possible", "Points possible", Kind.DECIMAL),
    Column("critical", "Critical item", Kind.YES_NO),
    Column("comment", "Auditor's comment", width=40),
    Column("auditor_pseudonym", "Auditor (pseudonym)", width=20),
]
BATCH = 5000  # rows fetched from the database at a time
TEXT = ItemKind.TEXT.value


def item_rows_query(round_id: int) -> Select:
    """Every response of the round's counted contacts: school by school, contact by contact, rubric order.

    Each row carries ids and the answer only; the names and keys the ids stand for
    come from ``_Lookups``, read once per export (a round has a few thousand contacts
    but a million answers, so repeating a school's name on every answer is most of
    the bytes). Enum and timestamp columns come back as plain values (``type_coerce``).
    """
    return (
        select(
            Contact.id,
            Assignment.school_id,
            type_coerce(Assignment.channel, String),
            Assignment.scenario_id,
            type_coerce(Contact.started_at, DateTime(timezone=True)),
            Contact.rubric_id,
            Contact.auditor_id,
            Response.item_id,
            cast(Response.value, Text),  # the stored JSON text: see ``_AnswerCells``
            Response.na,
            Response.fraction,
            Response.comment,
        )
        .select_from(Response)
        .join(Contact, Contact.id == Response.contact_id)
        .join(Assignment, Assignment.id == Contact.assignment_id)
        .join(School, School.id == Assignment.school_id)
        .join(RubricItem, RubricItem.id == Response.item_id)
        .join(RubricSection, RubricSection.id == RubricItem.section_id)
        .where(counted(), Assignment.round_id == round_id)
        .order_by(School.name, School.id, Contact.id, RubricSection.position, RubricItem.position)
    )


@dataclass(frozen=True)
class _Lookups:
    """What the ids of ``item_rows_query`` stand for in one round (sized by the district, not the answers)."""

    schools: dict[int, tuple[str, str]]  # id: (NCES id, name)
    scenarios: dict[int, str]  # id: title
    rubrics: dict[int, tuple[str, int]]  # id: (key, version)
    items: dict[int, tuple[str, str, str, float, bool]]  # id: (section key, item key, kind, points, critical)
    pseudonyms: dict[int, str]  # auditor id: pseudonym

    @classmethod
    def of(cls, session: Session, round_id: int) -> _Lookups:
        """Read the round's schools, scenarios, rubrics with their items, and auditors (five queries)."""
        in_round = Assignment.round_id == round_id
        rubric_ids = select(Contact.rubric_id).join(Contact.assignment).where(in_round)
        auditor_ids = select(Contact.auditor_id).join(Contact.assignment).where(in_round)
        items = (
            select(
                RubricItem.id,
                RubricSection.key,
                RubricItem.key,
                type_coerce(RubricItem.kind, String),
                RubricItem.points,
                RubricItem.critical,
            )
            .join(RubricSection, RubricSection.id == RubricItem.section_id)
            .where(RubricSection.rubric_id.in_(rubric_ids))
        )
        return cls(
            schools=_by_id(
                session,
                select(School.id, School.nces_id, School.name).where(
                    School.id.in_(select(Assignment.school_id).where(in_round))
                ),
            ),
            scenarios=_by_id(
                session,
                select(Scenario.id, Scenario.title).where(
                    Scenario.id.in_(select(Assignment.scenario_id).where(in_round))
                ),
            ),
            rubrics=_by_id(
                session, select(Rubric.id, Rubric.key, Rubric.version).where(Rubric.id.in_(rubric_ids))
            ),
            items=_by_id(session, items),
            pseudonyms=_by_id(session, select(User.id, User.pseudonym).where(User.id.in_(auditor_ids))),
        )


def _by_id(session: Session, query: Select) -> dict[int, Any]:
    """The rows of ``query`` by their first column: the second column, or a tuple of the rest."""
    return {row[0]: row[1] if len(row) == 2 else tuple(row[1:]) for row in session.execute(query)}


def raw_value(value: Any) -> Cell:
    """An answer as stored, for a spreadsheet: yes/no for booleans, numbers and text as they are."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None or isinstance(value, int | float | str):
        return value
    return str(value)


def _local_day(moment: datetime | None, zone: ZoneInfo) -> date | None:
    """The day of a stored UTC moment in ``zone`` (SQLite hands it back without its offset)."""
    if moment is None:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(zone).date()


class _AnswerCells:
    """Stored answers (JSON text) as export cells, each distinct short answer parsed once.

    A million answers are mostly a handful of values (``true``, ``3``, ``"Partly"``);
    parsing each one again was a tenth of the export. Only short answers are kept,
    and only so many, so free text never piles up in memory.
    """

    KEEP = 1024  # distinct answers remembered
    SHORT = 40  # characters of JSON text an answer may have to be remembered

    def __init__(self) -> None:
        self._known: dict[str, Cell] = {}

    def __call__(self, text: str | None) -> Cell:
        """The cell for one stored answer (``raw_value`` of its parsed JSON)."""
        if text is None:
            return None
        try:
            return self._known[text]
        except KeyError:
            cell = raw_value(json.loads(text))
            if len(text) <= self.SHORT and len(self._known) < self.KEEP:
                self._known[text] = cell
            return cell


def _rows(session: Session, round_: Round) -> Iterator[list[Cell]]:
    """Rows of the item export, fetched ``BATCH`` at a time (a server-side cursor on PostgreSQL)."""
    zone = ZoneInfo(round_.district.timezone)
    names = _Lookups.of(session, round_.id)
    items, round_name, answer_cell = names.items, round_.name, _AnswerCells()
    contact: int | None = None
    head: list[Cell] = []
    pseudonym = ""
    result = session.connection().execute(item_rows_query(round_.id), execution_options={"yield_per": BATCH})
    try:
        for partition in result.partitions():
            for (
                contact_id, school_id, channel, scenario_id, started_at, rubric_id, auditor_id,
                item_id, value, na, fraction, comment,
            ) in partition:  # fmt: skip
                if contact_id != contact:  # rows come contact by contact: name things once a contact
                    contact = contact_id
                    nces_id, school = names.schools[school_id]
                    rubric_key, rubric_version = names.rubrics[rubric_id]
                    day = _local_day(started_at, zone)
                    head = [
                        round_name,
                        nces_id,
                        school,
                        channel_label(channel),
                        names.scenarios[scenario_id],
                        contact_id,
                        day,
                    ]
                    head += [rubric_key, rubric_version]
                    pseudonym = names.pseudonyms[auditor_id]
                section_key, item_key, kind, points, critical = items[item_id]
                scored = not na and fraction is not None and kind != TEXT
                yield [
                    *head,
                    section_key,
                    item_key,
                    answer_cell(value),
                    na,
                    None if fraction is None else fraction * 100,
                    fraction * points if scored else 0.0,
                    points if scored else 0.0,
                    critical,
                    comment,
                    pseudonym,
                ]
    finally:
        result.close()


def item_table(session: Session, round_: Round) -> Table:
    """The round's item-level export; rows are read from the database as the table is consumed."""
    return Table("Items", ITEM_COLUMNS, _rows(session, round_))
