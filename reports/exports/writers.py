"""CSV and XLSX writers that turn a table into chunks of bytes without holding its rows.

Both head each column with its header (``Column.header``: "Overall score (%)") and write
every figure of a decimal column rounded to one decimal; numbers stay numbers.

Spreadsheet formula injection: a CSV text field that starts with ``=``, ``+``, ``-``, ``@``,
a tab or a carriage return gets a leading apostrophe, so a spreadsheet opening the CSV
shows it as text instead of running it. An XLSX cell says what it holds, so text is
written as a text cell, exactly as typed: never a formula, and no apostrophe to see.
The workbook has its header row frozen and filterable, a width for each column and a
number format for each figure.
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
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from reports.exports.table import Cell as Value
from reports.exports.table import Kind, Table

CHUNK = 64 * 1024
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMULA_FIRST = frozenset(FORMULA_STARTS)  # each is one character
BOM = "\ufeff"  # lets spreadsheet programs read the CSV as UTF-8
XLSX_MAX_TEXT = 32_767  # the most characters a spreadsheet cell holds
ONE_DECIMAL = "0.0"  # the number format of a decimal column (a day gets openpyxl's ``yyyy-mm-dd``)


def neutralise(text: str) -> str:
    """Prefix an apostrophe to text a spreadsheet would read as a formula."""
    return "'" + text if text[:1] in FORMULA_FIRST else text


def _bool_text(value: bool) -> str:
    return "true" if value else "false"


# The types of cell written to CSV as they are: ints, floats and None (an empty field).
_CSV_AS_IS = frozenset({int, float, type(None)})


def _csv_cell(value: Value) -> str | int | float | None:
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
    writer.writerow([neutralise(header) for header in table.headers])
    formula_first, as_is = FORMULA_FIRST, _CSV_AS_IS
    decimals = [index for index, column in enumerate(table.columns) if column.kind is Kind.DECIMAL]
    for row in table:
        for index in decimals:
            if type(figure := row[index]) is float:
                row[index] = round(figure, 1)
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


def _text_cell(sheet: WriteOnlyWorksheet, text: str) -> str | Cell:
    """Text for a cell, as typed: marked as text where a spreadsheet would read a formula or an error."""
    text = ILLEGAL_CHARACTERS_RE.sub("", text)[:XLSX_MAX_TEXT]
    if text[:1] != "=" and text not in ERROR_CODES:
        return text
    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"  # openpyxl reads "=…" as a formula and "#N/A" as an error: it is text here
    return cell


def _decimal_cell(sheet: WriteOnlyWorksheet, value: float) -> Cell:
    """``value`` rounded to one decimal, in a cell that shows one decimal."""
    cell = WriteOnlyCell(sheet, value=round(value, 1))
    cell.number_format = ONE_DECIMAL
    return cell


def _xlsx_row(row: list[Value], decimal: list[bool], sheet: WriteOnlyWorksheet) -> list[object]:
    cells: list[object] = []
    for value, is_decimal in zip(row, decimal, strict=True):
        if isinstance(value, str):
            cells.append(_text_cell(sheet, value))
        elif is_decimal and isinstance(value, float | int) and not isinstance(value, bool):
            cells.append(_decimal_cell(sheet, value))
        else:
            cells.append(value)
    return cells


def write_xlsx(table: Table, target: BinaryIO) -> None:
    """Write the table as a one-sheet workbook to ``target``; rows go to disk as they come.

    The header row is bold, frozen and filterable; each column has its width, each figure of a
    decimal column one decimal (days are dates, ``yyyy-mm-dd``).
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=table.title)
    sheet.freeze_panes = "A2"
    for number, column in enumerate(table.columns, start=1):
        sheet.column_dimensions[get_column_letter(number)].width = column.characters
    bold, wrapped = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    header = []
    for column in table.columns:
        cell = WriteOnlyCell(sheet, value=column.header)
        cell.data_type = "s"
        cell.font, cell.alignment = bold, wrapped
        header.append(cell)
    sheet.append(header)
    decimal = [column.kind is Kind.DECIMAL for column in table.columns]
    for row in table:
        sheet.append(_xlsx_row(row, decimal, sheet))
    if table.columns:
        last = get_column_letter(len(table.columns))
        sheet.auto_filter.ref = f"A1:{last}{table.written + 1}"
    workbook.save(target)


def xlsx_chunks(table: Table, chunk_size: int = CHUNK) -> Iterator[bytes]:
    """The table as an XLSX workbook in chunks, built in a temporary file first (a zip needs its end)."""
    with tempfile.TemporaryFile() as spool:
        write_xlsx(table, spool)
        spool.seek(0)
        while chunk := spool.read(chunk_size):
            yield chunk
