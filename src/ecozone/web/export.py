"""Any table of the pages as a download: CSV (UTF-8 with BOM, so Excel reads Chinese) or xlsx.

Exports keep raw values: numbers stay numbers, times become naive China
Standard Time (xlsx has no time zones). Keys starting with "_" (links, CSS
classes) and values that are not plain (handling histories) are left out.
Text that a spreadsheet would run as a formula (=, +, -, @) is written as
text: inert in xlsx, quoted with ' in CSV (OWASP CSV injection).
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from typing import Any
from urllib.parse import quote

from fastapi import Response
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from ecozone.times import cst_naive
from ecozone.web.model import Table, WebError

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise WebError(f"format must be one of json, {', '.join(FORMATS)}; not {fmt!r}")
    return fmt


def cell_value(value: Any) -> Any:
    """A value as a spreadsheet cell holds it: aware instants in CST wall-clock time."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return cst_naive(value)
    if value is None or isinstance(value, bool | int | float | str | date):
        return value
    return str(value)


def to_csv(table: Table) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([c.heading for c in table.columns])
    for row in table.rows:
        cells = []
        for c in table.columns:
            value = cell_value(row.get(c.key))
            if isinstance(value, datetime):
                value = value.strftime("%Y-%m-%d %H:%M:%S")
            elif isinstance(value, str) and value.startswith(_FORMULA_START):
                value = "'" + value
            cells.append("" if value is None else value)
        writer.writerow(cells)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(table: Table, title: str) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_sheet_title(title))
    bold = Font(bold=True)
    header = []
    for c in table.columns:
        cell = WriteOnlyCell(sheet, value=c.heading)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in table.rows:
        cells = []
        for c in table.columns:
            value = cell_value(row.get(c.key))
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula, whatever the text starts with
            elif isinstance(value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm:ss"
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _sheet_title(title: str) -> str:
    for bad in "[]:*?/\\":
        title = title.replace(bad, " ")
    return title[:31] or "Sheet"


def download(table: Table, fmt: str, filename: str) -> Response:
    """`table` as a file download named `filename`.`fmt` (UTF-8 names per RFC 6266)."""
    check_format(fmt)
    body = to_csv(table) if fmt == "csv" else to_xlsx(table, filename)
    full = f"{filename}.{fmt}"
    ascii_name = full.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(full)}"
    return Response(body, media_type=FORMATS[fmt], headers={"Content-Disposition": disposition})
