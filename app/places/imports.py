"""Importing service points from a spreadsheet: a preview row by row, then all or nothing.

A service point is known by its commune and its name (compared without accents or case): a row
naming one that exists updates its address, opening hours and whether it is open; the same file
twice changes nothing. A coordinator imports into the communes of their scope only.
"""

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.services import record
from app.places.models import Commune, Province, ServicePoint
from app.places.services import CommuneFinder, PlaceError, save_service_point
from app.scope import CoordinatorScope
from app.spreadsheets import Column, Outcome, Preview, RowPlan, read_table, refuse_formulas
from app.text import fold

COLUMNS = (
    Column(
        "commune",
        ("xã/phường", "phường/xã", "xã phường", "phường xã", "xã", "phường", "mã xã"),
    ),
    Column("name", ("tên", "tên điểm", "tên điểm phục vụ", "điểm phục vụ")),
    Column("address", ("địa chỉ",)),
    Column(
        "opening_hours",
        ("giờ mở cửa", "giờ làm việc", "thời gian làm việc", "giờ phục vụ"),
        required=False,
    ),
    Column("active", ("hoạt động", "đang hoạt động", "mở cửa"), required=False),
)
#: the template's example row
EXAMPLE = ("Phường Bồ Đề", "Trung tâm Phục vụ hành chính công phường Bồ Đề", "Số 1 Bồ Đề", "", "có")

_YES = {"", "1", "x", "yes", "y", "true", "co", "dung", "mo"}
_NO = {"0", "no", "n", "false", "khong", "sai", "dong"}
#: the longest of each text, as the table's columns and the service point form allow
LIMITS = {"name": 200, "address": 300, "opening_hours": 500}


@dataclass
class _Work:
    commune: Commune
    point: ServicePoint | None
    fields: dict[str, Any]
    before: dict[str, Any]


def plan(
    session: Session, data: bytes, filename: str, province: Province | None, scope: CoordinatorScope
) -> Preview:
    """What importing the file would do, row by row, without writing anything; communes named
    by name are looked for in `province`, by code anywhere."""
    table = read_table(data, filename, COLUMNS)
    finder = CommuneFinder(session, province)
    existing = {
        (p.commune_id, fold(p.name)): p
        for p in session.scalars(
            select(ServicePoint).join(Commune).where(_communes_named(table, finder))
        )
    }
    seen: dict[tuple[int, str], int] = {}
    rows = []
    for row in table.rows:
        plan_row = RowPlan(row.line, row.get("name") or row.get("commune"))
        rows.append(plan_row)
        refuse_formulas(row, plan_row)
        if plan_row.outcome == Outcome.REFUSED:
            continue
        commune = _commune(finder, row.get("commune"), plan_row)
        fields = _fields(row, plan_row)
        if commune is None or fields is None:
            continue
        if not scope.covers_commune(commune):
            plan_row.refuse(_("%(commune)s is outside your scope.", commune=commune.name))
            continue
        key = (commune.id, fold(fields["name"]))
        if key in seen:
            plan_row.refuse(_("The same service point is on line %(line)d.", line=seen[key]))
            continue
        seen[key] = row.line
        plan_row.label = f"{fields['name']} ({commune.name})"
        point = existing.get(key)
        before = {k: getattr(point, k) for k in fields} if point is not None else {}
        changed = {k: v for k, v in fields.items() if point is None or before[k] != v}
        if point is None:
            plan_row.outcome = Outcome.CREATED
        elif changed:
            plan_row.outcome = Outcome.UPDATED
            plan_row.notes += [f"{k}: {before[k]} → {v}" for k, v in changed.items()]
        plan_row.work = _Work(
            commune, point, changed, {k: before[k] for k in changed if k in before}
        )
    return Preview(rows, table.ignored)


def _communes_named(table, finder: CommuneFinder):
    """The service points worth loading: those of the communes the file may name."""
    ids = {c.id for cs in finder.by_name.values() for c in cs}
    ids |= {finder.by_code[code].id for code in _codes(table) if code in finder.by_code}
    return Commune.id.in_(ids)


def _codes(table) -> set[str]:
    return {
        f"{int(r.get('commune')):05d}" for r in table.rows if r.get("commune").strip().isdigit()
    }


def _commune(finder: CommuneFinder, text: str, plan_row: RowPlan) -> Commune | None:
    if not text:
        plan_row.refuse(_("The commune is missing."))
        return None
    try:
        return finder.find(text)
    except PlaceError as error:
        note = _('"%(name)s": %(refusal)s', refusal=error.message, name=text)
        if getattr(error, "suggestions", None):
            note += " " + _("Closest: %(names)s.", names=", ".join(error.suggestions))
        plan_row.refuse(note)
        return None


def _fields(row, plan_row: RowPlan) -> dict[str, Any] | None:
    """The row's values as save_service_point takes them, or None with the refusals noted."""
    fields: dict[str, Any] = {
        "name": row.get("name"),
        "address": row.get("address"),
        "opening_hours": row.get("opening_hours"),
    }
    if not fields["name"]:
        plan_row.refuse(_("The name is missing."))
    if not fields["address"]:
        plan_row.refuse(_("The address is missing."))
    for key, limit in LIMITS.items():
        if len(fields[key]) > limit:
            plan_row.refuse(_("%(column)s: at most %(max)d characters.", column=key, max=limit))
    active = fold(row.get("active"))
    if active in _YES:
        fields["active"] = True
    elif active in _NO:
        fields["active"] = False
    else:
        plan_row.refuse(_('active: write "yes" or "no".'))
    # A file without a column keeps that field of existing points as it is (a new point takes
    # the column's default: no hours, open).
    for optional in ("opening_hours", "active"):
        if optional not in row.cells:
            fields.pop(optional, None)
    return None if plan_row.outcome == Outcome.REFUSED else fields


def apply(session: Session, preview: Preview, actor) -> dict[Outcome, int]:
    """Write an acceptable preview's changes, each recorded in the audit log; flushes only."""
    assert preview.acceptable  # the caller shows a preview with refusals instead
    for row in preview.rows:
        work: _Work | None = row.work
        if work is None or row.outcome not in (Outcome.CREATED, Outcome.UPDATED):
            continue
        point = save_service_point(session, work.commune, work.point, **work.fields)
        record(
            session,
            actor,
            "import.service_point_created"
            if work.point is None
            else "import.service_point_updated",
            target=point,
            before=work.before or None,
            after=work.fields,
            commune=work.commune,
        )
    return preview.counts
