"""Reading a spreadsheet a person uploads (.xlsx, or .csv in UTF-8 with or without a BOM, comma
or semicolon), and the preview every import shows before it writes anything.

An import reads the file into rows of text (`read_table`), judges each row against the database
without writing (its part's `plan_*`), shows the `Preview`, and writes only when every row is
accepted, all in one transaction. Between the preview and the confirmation the file waits under
the instance folder, named by a signed token (`stash`, `unstash`): the browser sends back the
token, never the rows, so what is written is what the server read and judged again.
"""

import csv
import hashlib
import io
import secrets
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from time import time
from typing import Any

from flask import current_app
from flask_babel import gettext as _

from app.database import create_private_file
from app.errors import DomainError
from app.i18n import lazy_gettext as _l
from app.text import fold
from app.tokens import BadToken, signer

#: the most rows one import reads: a city's volunteers, never a country's
MAX_ROWS = 10_000
#: how long an uploaded file waits for its confirmation (the token's max_age says the same)
STASH_SECONDS = 3600


class SheetError(DomainError):
    """The file as a whole cannot be read; `detail` names what (a line, the columns)."""

    status = 400
    sentences = {
        "unknown_format": _l("Upload a .xlsx or .csv file."),
        "not_utf8": _l(
            'The file is not in UTF-8 (line %(line)s). In Excel, save it as "CSV UTF-8", or '
            "upload the .xlsx file itself."
        ),
        "bad_xlsx": _l("This .xlsx file cannot be opened. Save it again from Excel and retry."),
        "empty": _l("The file has no rows under its header."),
        "too_many_rows": _l("The file has more than %(max)s rows: split it into several files."),
        "missing_columns": _l(
            "The file lacks the columns %(missing)s. Its first row must name the columns, as "
            "in the template."
        ),
        "expired": _l("This preview is too old or not yours: upload the file again."),
    }

    def __init__(self, code: str, **detail: object):
        super().__init__(code)
        self.detail = detail

    @property
    def message(self) -> str:
        return str(self.sentences.get(self.code, self.sentence)) % {
            "max": MAX_ROWS,
            "line": "",
            "missing": "",
            **self.detail,
        }


@dataclass(frozen=True)
class Column:
    """A column an import reads: its name in the template and the headers that name it too."""

    name: str
    #: other headers accepted (Vietnamese ones), compared folded: without accents or case
    aliases: tuple[str, ...] = ()
    required: bool = True

    def matches(self, header: str) -> bool:
        folded = fold(header).replace("_", " ")
        return folded in {fold(self.name).replace("_", " "), *map(fold, self.aliases)}


@dataclass
class Row:
    """One row of the file: its line number as a spreadsheet shows it, and its cells by column."""

    line: int
    cells: dict[str, str]

    def get(self, name: str) -> str:
        return self.cells.get(name, "")

    @property
    def formulas(self) -> list[str]:
        """The columns holding a formula: an import takes values, never formulas."""
        return [name for name, value in self.cells.items() if value.startswith("=")]


@dataclass
class Table:
    rows: list[Row]
    #: headers the import does not know, shown as ignored (a row number column, notes)
    ignored: list[str]


def read_table(data: bytes, filename: str, columns: Sequence[Column]) -> Table:
    """The rows of an uploaded file, by column; empty rows are skipped. SheetError when the file
    as a whole cannot be read."""
    suffix = Path(filename or "").suffix.lower()
    if suffix == ".xlsx" or data[:2] == b"PK":
        lines = _xlsx_lines(data)
    elif suffix in {".csv", ".txt", ""}:
        lines = _csv_lines(data)
    else:
        raise SheetError("unknown_format")
    header: list[str] | None = None
    positions: dict[str, int] = {}
    ignored: list[str] = []
    rows: list[Row] = []
    for line, values in lines:
        if not any(values):
            continue
        if header is None:
            header = values
            positions, ignored = _positions(header, columns)
            continue
        if len(rows) >= MAX_ROWS:
            raise SheetError("too_many_rows")
        cells = {
            name: values[index] if index < len(values) else "" for name, index in positions.items()
        }
        rows.append(Row(line, cells))
    if not rows:
        raise SheetError("empty")
    return Table(rows, ignored)


def _positions(header: list[str], columns: Sequence[Column]) -> tuple[dict[str, int], list[str]]:
    positions: dict[str, int] = {}
    ignored = []
    for index, title in enumerate(header):
        column = next((c for c in columns if c.matches(title)), None)
        if column is None or column.name in positions:
            if title:
                ignored.append(title)
            continue
        positions[column.name] = index
    missing = [c.name for c in columns if c.required and c.name not in positions]
    if missing:
        raise SheetError("missing_columns", missing=", ".join(missing))
    return positions, ignored


def _clean(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a code or a phone typed as a number
    return " ".join(str(value).split()) if not isinstance(value, str) else value.strip()


def _csv_lines(data: bytes) -> Iterator[tuple[int, list[str]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise SheetError("not_utf8", line=line) from error
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    for values in reader:
        yield reader.line_num, [_clean(v) for v in values]


def _xlsx_lines(data: bytes) -> Iterator[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise SheetError("bad_xlsx") from error
    try:
        sheet = book.worksheets[0]
        for line, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield line, [_clean(v) for v in values]
    finally:
        book.close()


# --- the preview ------------------------------------------------------------------------------


class Outcome(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    REFUSED = "refused"


OUTCOME_LABELS = {
    Outcome.CREATED: _l("Created"),
    Outcome.UPDATED: _l("Updated"),
    Outcome.UNCHANGED: _l("Unchanged"),
    Outcome.REFUSED: _l("Refused"),
}


@dataclass
class RowPlan:
    """What importing one row would do, and why a refused row is refused."""

    line: int
    #: what the row names, as the reader recognises it (an email, a service point's name)
    label: str
    outcome: Outcome = Outcome.UNCHANGED
    #: sentences in the reader's language: the refusals, or what will change
    notes: list[str] = field(default_factory=list)
    #: what the import's apply step needs to write the row, never shown
    work: Any = None

    def refuse(self, note: str) -> None:
        self.outcome = Outcome.REFUSED
        self.notes.append(note)


@dataclass
class Preview:
    """Every row's plan; the import may be written only when `acceptable`."""

    rows: list[RowPlan]
    ignored: list[str] = field(default_factory=list)

    @property
    def counts(self) -> dict[Outcome, int]:
        counts = dict.fromkeys(Outcome, 0)
        for row in self.rows:
            counts[row.outcome] += 1
        return counts

    @property
    def acceptable(self) -> bool:
        return bool(self.rows) and not self.counts[Outcome.REFUSED]

    @property
    def changes(self) -> int:
        counts = self.counts
        return counts[Outcome.CREATED] + counts[Outcome.UPDATED]


def refuse_formulas(row: Row, plan: RowPlan) -> None:
    """Refuse a row holding a formula, naming its columns."""
    if row.formulas:
        plan.refuse(
            _(
                "A formula in %(columns)s: type the value itself.",
                columns=", ".join(row.formulas),
            )
        )


# --- the file between the preview and the confirmation ----------------------------------------


def _stash_folder() -> Path:
    folder = Path(current_app.instance_path) / "imports"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


def stash(data: bytes, *, user_id: int | None, kind: str, **context: object) -> str:
    """Keep an uploaded file until it is confirmed; the token names it, whose it is, what it
    imports and the choices made with it (`context`). Files older than an hour are removed."""
    folder = _stash_folder()
    for old in folder.glob("*.upload"):
        if old.stat().st_mtime < time() - STASH_SECONDS:
            old.unlink(missing_ok=True)
    name = secrets.token_hex(16)
    path = folder / f"{name}.upload"
    create_private_file(path)
    path.write_bytes(data)
    digest = hashlib.sha256(data).hexdigest()
    return signer("import-upload").dumps(
        {"file": name, "sha256": digest, "user": user_id, "kind": kind, **context}
    )


def unstash(token: str, *, user_id: int | None, kind: str) -> tuple[bytes, dict]:
    """The stashed file and the context it was stashed with; SheetError("expired") when the
    token is too old, forged, another person's or another import's, or the file is gone."""
    try:
        payload = signer("import-upload").loads(token)
    except BadToken as error:
        raise SheetError("expired") from error
    if not isinstance(payload, dict) or payload.get("user") != user_id:
        raise SheetError("expired")
    if payload.get("kind") != kind:
        raise SheetError("expired")
    path = _stash_folder() / f"{payload['file']}.upload"
    try:
        data = path.read_bytes()
    except OSError as error:
        raise SheetError("expired") from error
    if hashlib.sha256(data).hexdigest() != payload["sha256"]:
        raise SheetError("expired")
    return data, payload


def discard(token: str) -> None:
    """Remove a stashed file once its import is written."""
    try:
        payload = signer("import-upload").loads(token)
    except BadToken:
        return
    (_stash_folder() / f"{payload['file']}.upload").unlink(missing_ok=True)
