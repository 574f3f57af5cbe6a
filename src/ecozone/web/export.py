"""Any table of the pages as a download: CSV (UTF-8 with BOM, so Excel reads Chinese) or xlsx;
pages that are reports (an evaluation, a declaration) also as a PDF of their tables.

Rows arrive as an iterable and leave as a stream: CSV line by line, xlsx written by
xlsxwriter in constant-memory mode into a temporary file and sent in chunks (openpyxl
took ~35 s for 20k rows; bench/export.py has the figures). Numbers stay numbers; a
column listed as `printed` is rounded to the row's `_decimals` the way the standard prints
it and keeps those decimals in the cell format (`printed` maps a column to fixed decimals,
or to None for the row's `_decimals`). Times become naive China Standard Time
(xlsx has no time zones). Stored text is made printable (old rows may hold control
characters) and text a spreadsheet would run as a formula (=, +, -, @) stays text: inert in
xlsx, quoted with ' in CSV (OWASP CSV injection). Keys starting with "_" are left out.
File names may be Chinese: RFC 6266 filename* in UTF-8 with an ASCII fallback.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO, Any
from urllib.parse import quote

import xlsxwriter
from fastapi.responses import Response, StreamingResponse
from jinja2 import Environment, PackageLoader, select_autoescape

from ecozone.measurements.rules import print_value, round_as_printed
from ecozone.textguard import printable
from ecozone.times import cst_naive
from ecozone.web.i18n import show
from ecozone.web.model import Column, Table, WebError

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_CHUNK = 64 * 1024
_NONE: Mapping[str, int | None] = {}
_EXCEL_MAX_ROWS = 1_048_576


def check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise WebError(f"format must be one of json, {', '.join(FORMATS)}; not {fmt!r}")
    return fmt


def cell_value(value: Any) -> Any:
    """A value as a spreadsheet cell holds it: aware instants in CST wall-clock time, stored
    text printable, anything else not plain as its text."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return cst_naive(value)
    if isinstance(value, str):
        return printable(value)
    if value is None or isinstance(value, bool | int | float | date):
        return value
    return printable(str(value))


def content_disposition(filename: str) -> str:
    """An attachment named `filename` (may be Chinese): RFC 6266 / RFC 5987 filename* in
    UTF-8, and an ASCII filename for clients that read only that."""
    fallback = "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\;' else "_" for ch in filename)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def _decimals(printed: Mapping[str, int | None], key: str, row: dict[str, Any]) -> int | None:
    if key not in printed:
        return None
    fixed = printed[key]
    return row.get("_decimals") if fixed is None else fixed


def _csv_text(value: Any, decimals: int | None) -> Any:
    value = cell_value(value)
    if value is None:
        return ""
    if isinstance(value, float) and decimals is not None:
        return print_value(value, decimals)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_chunks(
    columns: Sequence[Column],
    rows: Iterable[dict[str, Any]],
    *,
    printed: Mapping[str, int | None] = _NONE,
    notes: Sequence[str] = (),
) -> Iterator[bytes]:
    """The CSV file in chunks: BOM and headings, the rows, then `notes` one per line."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow([printable(c.heading) for c in columns])
    for row in rows:
        writer.writerow(
            [_csv_text(row.get(c.key), _decimals(printed, c.key, row)) for c in columns]
        )
        if buffer.tell() >= _CHUNK:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    for note in notes:
        writer.writerow([printable(note)])
    yield buffer.getvalue().encode("utf-8")


def sheet_title(title: str) -> str:
    for bad in "[]:*?/\\'":
        title = title.replace(bad, " ")
    return title.strip()[:31] or "Sheet"


def xlsx_file(
    columns: Sequence[Column],
    rows: Iterable[dict[str, Any]],
    title: str,
    *,
    printed: Mapping[str, int | None] = _NONE,
    notes: Sequence[str] = (),
) -> IO[bytes]:
    """The xlsx file in a temporary file at its start (the caller closes it): bold frozen
    headings, the rows, then `notes` in bold below them."""
    out = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the caller, who closes it
    book = xlsxwriter.Workbook(
        out,
        {
            "constant_memory": True,  # each row leaves memory once written
            "strings_to_numbers": False,
            "strings_to_formulas": False,  # text is never run as a formula
            "strings_to_urls": False,
        },
    )
    sheet = book.add_worksheet(sheet_title(title))
    bold = book.add_format({"bold": True})
    when = book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    fixed: dict[int, Any] = {}
    for i, c in enumerate(columns):
        sheet.set_column(i, i, max(10, min(40, 2 * len(c.heading) + 2)))
        sheet.write_string(0, i, printable(c.heading), bold)
    sheet.freeze_panes(1, 0)
    r = 0
    for r, row in enumerate(rows, start=1):
        if r >= _EXCEL_MAX_ROWS:
            raise WebError(f"xlsx holds at most {_EXCEL_MAX_ROWS - 1} rows; export CSV instead")
        for i, c in enumerate(columns):
            value = cell_value(row.get(c.key))
            decimals = _decimals(printed, c.key, row)
            if value is None:
                continue
            if isinstance(value, str):
                sheet.write_string(r, i, value)
            elif isinstance(value, bool):
                sheet.write_boolean(r, i, value)
            elif isinstance(value, datetime):
                sheet.write_datetime(r, i, value, when)
            elif isinstance(value, date):
                sheet.write_datetime(r, i, datetime(value.year, value.month, value.day), day)
            elif isinstance(value, float) and decimals is not None:
                number = round_as_printed(value, decimals)
                if number is not None:
                    if decimals not in fixed:
                        fixed[decimals] = book.add_format(
                            {"num_format": "0." + "0" * decimals if decimals else "0"}
                        )
                    sheet.write_number(r, i, number, fixed[decimals])
            else:
                sheet.write_number(r, i, value)
    for offset, note in enumerate(notes, start=2):
        sheet.write_string(r + offset, 0, printable(note), bold)
    book.close()
    out.seek(0)
    return out


def _file_chunks(handle: IO[bytes]) -> Iterator[bytes]:
    try:
        while chunk := handle.read(_CHUNK):
            yield chunk
    finally:
        handle.close()


def stream(
    columns: Sequence[Column],
    rows: Iterable[dict[str, Any]],
    fmt: str,
    filename: str,
    *,
    printed: Mapping[str, int | None] = _NONE,
    notes: Sequence[str] = (),
) -> StreamingResponse:
    """`rows` as the download `filename`.`fmt`; CSV leaves while the rows are still read."""
    check_format(fmt)
    full = f"{filename}.{fmt}"
    if fmt == "csv":
        body: Iterator[bytes] = csv_chunks(columns, rows, printed=printed, notes=notes)
    else:
        body = _file_chunks(xlsx_file(columns, rows, filename, printed=printed, notes=notes))
    return StreamingResponse(
        body, media_type=FORMATS[fmt], headers={"Content-Disposition": content_disposition(full)}
    )


def to_csv(table: Table) -> bytes:
    return b"".join(csv_chunks(table.columns, table.rows))


def to_xlsx(table: Table, title: str) -> bytes:
    with xlsx_file(table.columns, table.rows, title) as handle:
        return handle.read()


@dataclass(frozen=True)
class PdfDocument:
    """A report page as print: its title, lead, key facts, tables under headings and notes.
    `footer` runs at the foot of every page (what the document is and when it was made)."""

    title: str
    sections: Sequence[tuple[str, Table]]
    footer: str
    lead: str = ""
    facts: Sequence[tuple[str, Any]] = ()
    notes: Sequence[str] = ()
    lang: str = "zh"
    empty: str = "—"


_PDF_TEMPLATES = Environment(
    loader=PackageLoader("ecozone.web", "templates"), autoescape=select_autoescape(("html",))
)


def pdf_html(document: PdfDocument) -> str:
    """The document as self-contained HTML: landscape and denser once a table is wide."""
    widest = max((len(table.columns) for _h, table in document.sections), default=0)

    def cell(value: Any) -> str:
        return show(printable(value) if isinstance(value, str) else value, document.lang)

    return _PDF_TEMPLATES.get_template("export_pdf.html").render(
        title=document.title, lead=document.lead, facts=document.facts,
        sections=document.sections, notes=document.notes, lang=document.lang,
        footer=document.footer, empty=document.empty, cell=cell,
        landscape=widest > 8, dense=widest > 14,
    )  # fmt: skip


def to_pdf(document: PdfDocument) -> bytes:
    # Imported here: WeasyPrint loads Pango and fonts, which CSV and xlsx never need.
    import weasyprint

    return weasyprint.HTML(string=pdf_html(document)).write_pdf()


def pdf_response(document: PdfDocument, filename: str) -> Response:
    """The document as a PDF download named `filename`.pdf (UTF-8 names per RFC 6266)."""
    return Response(
        to_pdf(document),
        media_type="application/pdf",
        headers={"Content-Disposition": content_disposition(f"{filename}.pdf")},
    )


def download(table: Table, fmt: str, filename: str) -> StreamingResponse:
    """`table` as a file download named `filename`.`fmt` (UTF-8 names per RFC 6266)."""
    return stream(table.columns, table.rows, fmt, filename)
