"""Reading an uploaded CSV file: decode its bytes, refuse what is not CSV, keep physical line numbers."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass

from audits.errors import ValidationError
from audits.vocabulary import count_of

# How Excel workbooks begin: .xlsx is a ZIP archive, .xls an OLE compound document.
_SPREADSHEET_SIGNATURES = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")

# C0 control characters other than tab, line feed and carriage return never occur in a text CSV.
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class ImportFileError(ValidationError):
    """The file cannot be imported at all; the problem concerns the ``file`` field."""


@dataclass(frozen=True)
class CsvRow:
    """One data row: the physical line it ends on (the header is line 1) and its fields."""

    line: int
    values: list[str]


@dataclass(frozen=True)
class CsvTable:
    """A parsed CSV file: its header row and its non-blank data rows."""

    header: list[str]
    rows: list[CsvRow]


def decode_text(data: bytes) -> str:
    """Decode ``data`` as UTF-8 (a BOM is dropped), else as Windows-1252.

    Raises :class:`ImportFileError` when ``data`` is empty or binary.
    """
    if data.startswith(_SPREADSHEET_SIGNATURES):
        raise ImportFileError("file", "this is a spreadsheet, not a CSV file: save it as CSV and import that")
    if b"\x00" in data:
        raise ImportFileError("file", "this is not a CSV file: it contains binary data")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise ImportFileError("file", "this is not a CSV file: it is not readable as text") from None
    if not text.strip():
        raise ImportFileError("file", "the file is empty")
    if _CONTROL_CHARACTERS.search(text):
        raise ImportFileError("file", "this is not a CSV file: it contains binary data")
    return text


def read_csv(data: bytes) -> CsvTable:
    """Parse ``data`` into a header and rows; raise :class:`ImportFileError` on anything malformed.

    Blank rows are dropped. Every other row must have as many fields as the header;
    a row that does not, or CSV that cannot be parsed, is reported with its line number.
    """
    reader = csv.reader(io.StringIO(decode_text(data), newline=""), strict=True)
    try:
        header = _first_nonblank(reader)
        rows = [_checked(reader.line_num, values, len(header)) for values in reader if _has_content(values)]
    except csv.Error as error:
        raise ImportFileError("file", f"line {reader.line_num}: this is not valid CSV ({error})") from None
    return CsvTable(header=header, rows=rows)


def _first_nonblank(reader: Iterator[list[str]]) -> list[str]:
    """Return the first row that has any content: the header."""
    for values in reader:
        if _has_content(values):
            return values
    raise ImportFileError("file", "the file is empty")


def _has_content(values: list[str]) -> bool:
    """Whether a row has any non-blank field."""
    return any(value.strip() for value in values)


def _checked(line: int, values: list[str], expected: int) -> CsvRow:
    """Return the row at ``line``, or raise if its field count differs from the header's."""
    if len(values) != expected:
        raise ImportFileError(
            "file", f"line {line}: found {count_of(len(values), 'field')} where the header has {expected}"
        )
    return CsvRow(line=line, values=values)
