"""CSV and XLSX writers that turn a table into chunks of bytes without holding its rows.

Spreadsheet formula injection is neutralised: a text cell that starts with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return gets a leading apostrophe, so a
spreadsheet shows it as text instead of running it. Numbers are left alone.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterator
from datetime import date
from typing import BinaryIO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from reports.exports.table import Cell, Table

CHUNK = 64 * 1024
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMULA_FIRST = frozenset(FORMULA_STARTS)  # each is one character
BOM = "\ufeff"  # lets spreadsheet programs read the CSV as UTF-8
XLSX_MAX_TEXT = 32_767  # the most characters a spreadsheet cell holds


def neutralise(text: str) -> str:
    """Prefix an apostrophe to text a spreadsheet would read as a formula."""
    return "'" + text if text[:1] in FORMULA_FIRST else text


def _bool_text(value: bool) -> str:
    return "true" if value else "false"


# The types of cell written to CSV as they are: ints, floats and None (an empty field).
_CSV_AS_IS = frozenset({int, float, type(None)})


def _csv_cell(value: Cell) -> str | int | float | None:
    if isinstance(value, bool):  # before int, which bool is
        return _bool_text(value)
    if value is None or isinstance(value, int | float):
        return value
    if type(value) is date:  # a datetime, a date too, is written whole below
        return value.isoformat()
    return neutralise(str(value))


def csv_chunks(table: Table, chunk_size: int = CHUNK) -> Iterator[bytes]:
    """The table as UTF-8 CSV (with a byte-order mark), in chunks of about ``chunk_size`` bytes."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write(BOM)
    writer.writerow(table.columns)
    formula_first, as_is = FORMULA_FIRST, _CSV_AS_IS
    for row in table:
        # ``neutralise`` and ``_csv_cell`` written out for text and plain numbers: an item
        # export has a million rows of nineteen cells, and a call per cell is most of its time.
        writer.writerow(
            [
                ("'" + value if value[:1] in formula_first else value)
                if type(value) is str
                else (value if type(value) in as_is else _csv_cell(value))
                for value in row
            ]
        )
        if buffer.tell() >= chunk_size:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def _xlsx_cell(value: Cell) -> Cell:
    if isinstance(value, str):
        return neutralise(ILLEGAL_CHARACTERS_RE.sub("", value))[:XLSX_MAX_TEXT]
    return value


def write_xlsx(table: Table, target: BinaryIO) -> None:
    """Write the table as a one-sheet workbook to ``target``; rows go to disk as they come."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=table.title)
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for name in table.columns:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in table:
        sheet.append([_xlsx_cell(value) for value in row])
    workbook.save(target)


def xlsx_chunks(table: Table, chunk_size: int = CHUNK) -> Iterator[bytes]:
    """The table as an XLSX workbook in chunks, built in a temporary file first (a zip needs its end)."""
    with tempfile.TemporaryFile() as spool:
        write_xlsx(table, spool)
        spool.seek(0)
        while chunk := spool.read(chunk_size):
            yield chunk
