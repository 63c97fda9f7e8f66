"""Round exports: item-level and school-level tables, as CSV or XLSX, streamed with flat memory.

Only approved, counted contacts appear; auditors appear only as their pseudonym. Columns
are headed for people ("Overall score (%)"), and figures are rounded to one decimal; the
JSON API keeps its own field names and full precision.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator

from sqlalchemy.orm import Session

from audits.models import Round
from reports.exports.items import ITEM_COLUMNS, item_table
from reports.exports.schools import school_columns, school_table
from reports.exports.table import Column, Kind, Table
from reports.exports.writers import csv_chunks, neutralise, write_xlsx, xlsx_chunks

LEVELS: dict[str, Callable[[Session, Round], Table]] = {"items": item_table, "schools": school_table}
FORMATS: dict[str, Callable[[Table], Iterator[bytes]]] = {"csv": csv_chunks, "xlsx": xlsx_chunks}
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

__all__ = [
    "FORMATS",
    "ITEM_COLUMNS",
    "LEVELS",
    "MEDIA_TYPES",
    "Column",
    "Kind",
    "Table",
    "csv_chunks",
    "export_filename",
    "item_table",
    "neutralise",
    "round_table",
    "school_columns",
    "school_table",
    "write_xlsx",
    "xlsx_chunks",
]


def round_table(session: Session, round_: Round, level: str) -> Table:
    """The ``items`` or ``schools`` table of ``round_``."""
    return LEVELS[level](session, round_)


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def export_filename(round_: Round, level: str, extension: str) -> str:
    """A clean download name, e.g. ``duval-county-spring-2027-items.csv``."""
    stem = "-".join(part for part in (_slug(round_.district.name), _slug(round_.name)) if part)
    return f"{stem[:100].strip('-') or f'round-{round_.id}'}-{level}.{extension}"
