"""CSV downloads that Excel opens right: UTF-8 with a byte-order mark, no formula injection, and
a file name that may hold Vietnamese (RFC 5987) with an ASCII fallback. Every CSV of the site is
written here."""

import csv
import io
from urllib.parse import quote

from flask import Response

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
