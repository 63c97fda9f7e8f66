"""Item-level rows: one per response of every counted contact of a round, read in a single streamed query.

Earned and possible follow the item rule: earned = fraction × points and possible =
points for a scored answer; an N/A answer, an unanswered item or a ``text`` item
has earned 0 and possible 0. Contact-level rules (critical policy, unreached) are
not applied here: the school-level export carries the scores.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import DateTime, Select, String, select, type_coerce
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
from reports.exports.table import Cell, Table

ITEM_COLUMNS = [
    "round",
    "school_nces_id",
    "school_name",
    "channel",
    "scenario",
    "contact_id",
    "contact_date",
    "rubric_key",
    "rubric_version",
    "section_key",
    "item_key",
    "raw_value",
    "na",
    "fraction",
    "earned",
    "possible",
    "critical",
    "comment",
    "auditor_pseudonym",
]
BATCH = 2000  # rows fetched from the database at a time
TEXT = ItemKind.TEXT.value


def item_rows_query(round_id: int) -> Select:  # type: ignore[type-arg]
    """Every response of the round's counted contacts: school by school, contact by contact, rubric order.

    Enum and timestamp columns come back as plain values (``type_coerce``): converting
    them on every one of a million rows costs more than the query.
    """
    return (
        select(
            Round.name.label("round"),
            School.nces_id,
            School.name.label("school"),
            type_coerce(Assignment.channel, String).label("channel"),
            Scenario.title.label("scenario"),
            Contact.id.label("contact_id"),
            type_coerce(Contact.started_at, DateTime(timezone=True)).label("started_at"),
            Rubric.key.label("rubric_key"),
            Rubric.version.label("rubric_version"),
            RubricSection.key.label("section_key"),
            RubricItem.key.label("item_key"),
            type_coerce(RubricItem.kind, String).label("kind"),
            RubricItem.points,
            RubricItem.critical,
            Response.value,
            Response.na,
            Response.fraction,
            Response.comment,
            User.pseudonym,
        )
        .select_from(Response)
        .join(Contact, Contact.id == Response.contact_id)
        .join(Assignment, Assignment.id == Contact.assignment_id)
        .join(Round, Round.id == Assignment.round_id)
        .join(School, School.id == Assignment.school_id)
        .join(Scenario, Scenario.id == Assignment.scenario_id)
        .join(Rubric, Rubric.id == Contact.rubric_id)
        .join(RubricItem, RubricItem.id == Response.item_id)
        .join(RubricSection, RubricSection.id == RubricItem.section_id)
        .join(User, User.id == Contact.auditor_id)
        .where(counted(), Assignment.round_id == round_id)
        .order_by(School.name, School.id, Contact.id, RubricSection.position, RubricItem.position)
    )


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


def _rows(session: Session, round_: Round) -> Iterator[list[Cell]]:
    """Rows of the item export, fetched ``BATCH`` at a time (a server-side cursor on PostgreSQL)."""
    zone = ZoneInfo(round_.district.timezone)
    contact: int | None = None
    day: date | None = None
    result = session.connection().execute(item_rows_query(round_.id), execution_options={"yield_per": BATCH})
    try:
        for partition in result.partitions():
            for (
                round_name, nces_id, school, channel, scenario, contact_id, started_at, rubric_key,
                rubric_version, section_key, item_key, kind, points, critical, value, na, fraction,
                comment, pseudonym,
            ) in partition:  # fmt: skip
                if contact_id != contact:  # rows come contact by contact
                    contact = contact_id
                    day = _local_day(started_at, zone)
                scored = not na and fraction is not None and kind != TEXT
                yield [
                    round_name,
                    nces_id,
                    school,
                    channel,
                    scenario,
                    contact_id,
                    day,
                    rubric_key,
                    rubric_version,
                    section_key,
                    item_key,
                    raw_value(value),
                    na,
                    fraction,
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
