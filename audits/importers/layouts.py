"""The two school-directory layouts NCES publishes, recognised from a file's header row."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from audits.importers.csvfile import ImportFileError
from audits.phones import is_missing


class Standing(StrEnum):
    """Whether a school in a directory file is open, closed or not open yet."""

    OPEN = "open"
    CLOSED = "closed"
    INACTIVE = "inactive"
    FUTURE = "not yet open"
    UNKNOWN = "unknown status"


@dataclass(frozen=True)
class Layout:
    """A directory layout: its name, its status column and where each school field is found.

    ``columns`` maps a field (``nces_id``, ``name``, ``district``, ``street``, ``city``,
    ``state``, ``zip``, ``phone``, ``grade_low``, ``grade_high``, ``status``) to header
    names in order of preference, written as :func:`header_key` returns them.
    """

    name: str
    label: str
    key_labels: tuple[str, str]
    status_column: str
    statuses: dict[str, Standing]
    columns: dict[str, tuple[str, ...]]

    @property
    def key_columns(self) -> tuple[str, ...]:
        """The header names that identify this layout: the NCES id and school name columns."""
        return (self.columns["nces_id"][0], self.columns["name"][0])

    def standing(self, value: str) -> Standing:
        """Interpret a status value; a blank or missing status counts as open."""
        if is_missing(value):
            return Standing.OPEN
        key = value.strip().casefold()
        if key.lstrip("0").isdigit():
            key = key.lstrip("0")
        return self.statuses.get(key, Standing.UNKNOWN)

    def status_reason(self, standing: Standing, value: str) -> str:
        """Why a row with this status is skipped, e.g. ``closed (STATUS 2)``."""
        return f"{standing} ({self.status_column} {value.strip()})"


NCES_EXPORT = Layout(
    name="nces-export",
    label="an NCES school search export",
    key_labels=("NCES School ID", "School Name"),
    status_column="Status",
    statuses={
        "open": Standing.OPEN,
        "new": Standing.OPEN,
        "added": Standing.OPEN,
        "reopened": Standing.OPEN,
        "changed boundary/agency": Standing.OPEN,
        "changed": Standing.OPEN,
        "closed": Standing.CLOSED,
        "inactive": Standing.INACTIVE,
        "future": Standing.FUTURE,
    },
    columns={
        "nces_id": ("nces school id",),
        "name": ("school name",),
        "district": ("district", "district name"),
        "street": ("street address",),
        "city": ("city",),
        "state": ("state",),
        "zip": ("zip",),
        "phone": ("phone",),
        "grade_low": ("low grade",),
        "grade_high": ("high grade",),
        "status": ("status",),
    },
)

CCD_FLAT_FILE = Layout(
    name="ccd",
    label="a CCD flat file",
    key_labels=("NCESSCH", "SCHNAM"),
    status_column="STATUS",
    statuses={
        "1": Standing.OPEN,
        "2": Standing.CLOSED,
        "3": Standing.OPEN,
        "4": Standing.OPEN,
        "5": Standing.OPEN,
        "6": Standing.INACTIVE,
        "7": Standing.FUTURE,
        "8": Standing.OPEN,
    },
    columns={
        "nces_id": ("ncessch",),
        "name": ("schnam",),
        "district": ("leanm",),
        "street": ("lstree", "mstree"),
        "city": ("lcity", "mcity"),
        "state": ("lstate", "mstate"),
        "zip": ("lzip", "mzip"),
        "phone": ("phone",),
        "grade_low": ("gslo",),
        "grade_high": ("gshi",),
        "status": ("status",),
    },
)

LAYOUTS = (NCES_EXPORT, CCD_FLAT_FILE)

_EXPECTED = (
    "expected an NCES school search export (columns such as 'NCES School ID', 'School Name', 'District', "
    "'Phone', 'Low Grade*', 'Status') or a CCD flat file (columns such as 'NCESSCH', 'SCHNAM', 'LEANM', "
    "'PHONE', 'GSLO', 'STATUS')"
)


def header_key(name: str) -> str:
    """Normalise a header name for matching: no BOM, no surrounding space or ``*``, lower case."""
    name = name.replace("\ufeff", "").strip().rstrip("*").strip()
    return re.sub(r"\s+", " ", name).casefold()


@dataclass(frozen=True)
class ColumnMap:
    """Which column of a particular file holds each field of its layout."""

    layout: Layout
    positions: dict[str, int]

    def has(self, field: str) -> bool:
        """Whether the file has a column for ``field``."""
        return field in self.positions

    def value(self, values: list[str], field: str) -> str:
        """The stripped value of ``field`` in a row, or ``""`` when the file lacks that column."""
        position = self.positions.get(field)
        return "" if position is None else values[position].strip()


def detect_layout(header: list[str]) -> ColumnMap:
    """Recognise the layout of a header row and locate its columns.

    Raises :class:`ImportFileError` when the header matches neither layout, naming
    the columns that were expected.
    """
    keys = [header_key(name) for name in header]
    for layout in LAYOUTS:
        found = [column for column in layout.key_columns if column in keys]
        if len(found) == len(layout.key_columns):
            return ColumnMap(layout, _positions(layout, keys))
        if found:
            missing = [
                repr(label)
                for column, label in zip(layout.key_columns, layout.key_labels, strict=True)
                if column not in keys
            ]
            raise ImportFileError("file", f"this looks like {layout.label} but has no {missing[0]} column")
    raise ImportFileError(
        "file", f"the header row matches no known school directory layout: {_EXPECTED}{_hint(header)}"
    )


def _positions(layout: Layout, keys: list[str]) -> dict[str, int]:
    """Map each field of ``layout`` to the first column whose header matches one of its names."""
    positions: dict[str, int] = {}
    for field, names in layout.columns.items():
        for name in names:
            if name in keys:
                positions[field] = keys.index(name)
                break
    return positions


def _hint(header: list[str]) -> str:
    """A note on what the header looked like, to help spot a wrong file or separator."""
    if len(header) == 1 and any(separator in header[0] for separator in ";\t|"):
        return "; the file does not seem to be comma-separated"
    shown = ", ".join(repr(name.strip()) for name in header[:6])
    more = ", …" if len(header) > 6 else ""
    return f"; found {shown}{more}"
