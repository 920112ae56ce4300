"""CSV downloads that Excel opens right: UTF-8 with a byte-order mark, no formula injection."""

import csv
import io
from urllib.parse import quote

from flask import Response

#: a cell starting with one of these is a formula to a spreadsheet
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value):
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def csv_text(header, rows) -> str:
    """The CSV text with a byte-order mark, so Excel reads Vietnamese names as UTF-8."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow([_cell(h) for h in header])
    writer.writerows([_cell(v) for v in row] for row in rows)
    return out.getvalue()


def csv_response(header, rows, filename: str) -> Response:
    """A CSV download; the file name may hold Vietnamese (RFC 5987) with an ASCII fallback."""
    fallback = filename.encode("ascii", "replace").decode().replace("?", "_").replace('"', "")
    return Response(
        csv_text(header, rows),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{fallback}"; '
            f"filename*=UTF-8''{quote(filename)}"
        },
    )
