"""Table downloads that spreadsheets open right. Every CSV and .xlsx file of the site is written
here, from one header and rows: no formula injection, and a file name that may hold Vietnamese
(RFC 5987) with an ASCII fallback.

The CSV is UTF-8 with a byte-order mark, which Excel honours but LibreOffice ignores unless told,
and a spreadsheet opening it turns a phone number 0900000009 into 900000009. So each CSV has an
.xlsx sibling: text stays text (phone numbers, codes), dates are dates, the header row is frozen
and the columns are wide enough to read."""

import csv
import io
import re
from datetime import date, datetime
from pathlib import PurePath
from urllib.parse import quote

from flask import Response
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: the widest a column is made, in characters: longer cells wrap in the reader's eye, not the file
MAX_WIDTH = 60

#: a cell starting with one of these is read as a formula by Excel and LibreOffice
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """A cell a spreadsheet shows as text: a leading apostrophe before a formula sign."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_text(header, rows) -> str:
    """The CSV text with a byte-order mark, so Excel reads Vietnamese names as UTF-8."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([neutralise(h) for h in header])
    writer.writerows([neutralise(v) for v in row] for row in rows)
    return out.getvalue()


def csv_bytes(header, rows) -> bytes:
    """The CSV file's bytes: UTF-8 with a byte-order mark."""
    return csv_text(header, rows).encode("utf-8")


def content_disposition(filename: str, fallback: str | None = None) -> str:
    """An attachment header naming the file in UTF-8 (RFC 5987) and in ASCII for old clients;
    the ASCII name is `fallback` when given, else the file name with other letters replaced."""
    if fallback is None:
        fallback = filename.encode("ascii", "replace").decode().replace("?", "_")
    fallback = fallback.replace('"', "")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"


def csv_response(header, rows, filename: str, fallback: str | None = None) -> Response:
    """A CSV download named `filename` (see content_disposition for `fallback`)."""
    return Response(
        csv_text(header, rows),
        mimetype="text/csv",
        headers={"Content-Disposition": content_disposition(filename, fallback)},
    )


def xlsx_bytes(header, rows, title: str = "") -> bytes:
    """The workbook of one sheet: the header in bold and frozen, strings as text (a phone number
    keeps its leading zero), dates as dates shown YYYY-MM-DD, numbers as numbers, and the same
    formula guard as the CSV."""
    book = Workbook()
    sheet = book.active
    sheet.title = _sheet_title(title)
    sheet.append([_cell(str(h)) for h in header])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_cell(value) for value in row])
    for cells in sheet.iter_rows():
        for cell in cells:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # never an error value such as "#N/A"
            elif isinstance(cell.value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(cell.value, date):
                cell.number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "A2"
    for index, column in enumerate(sheet.iter_cols(), start=1):
        width = max(_shown_width(cell.value) for cell in column)
        sheet.column_dimensions[get_column_letter(index)].width = min(width + 2, MAX_WIDTH)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def xlsx_response(header, rows, filename: str, fallback: str | None = None) -> Response:
    """An .xlsx download named `filename`, its sheet named after it (see content_disposition)."""
    return Response(
        xlsx_bytes(header, rows, title=PurePath(filename).stem),
        mimetype=XLSX_MIMETYPE,
        headers={"Content-Disposition": content_disposition(filename, fallback)},
    )


def _cell(value):
    """A value openpyxl stores as the type it is; anything else (a lazy string) as its text,
    without the control characters a workbook may not hold."""
    if value is None or isinstance(value, int | float | date | datetime):
        return value
    return neutralise(ILLEGAL_CHARACTERS_RE.sub("", str(value)))


def _shown_width(value) -> int:
    if value is None:
        return 0
    if isinstance(value, datetime):
        return 16
    if isinstance(value, date):
        return 10
    return max(len(line) for line in str(value).splitlines() or [""])


def _sheet_title(title: str) -> str:
    """A sheet name spreadsheets accept: at most 31 characters, none of []:*?/\\."""
    return re.sub(r"[\[\]:*?/\\]", "-", title)[:31] or "Sheet1"
