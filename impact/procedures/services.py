"""The procedure catalogue: the seed file, the admin's edits, the log screen's picker."""

from pathlib import Path

import yaml
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from app.errors import DomainError
from app.i18n import lazy_gettext as _l
from app.text import fold, sort_key
from impact.assists.models import AssistedSubmission, Procedure

#: the seed file: impact/procedures/procedures.yaml
SEED = Path(__file__).resolve().parent / "procedures.yaml"
#: how many of a volunteer's latest entries decide their "recently used" procedures
RECENT_ENTRIES = 50


class CatalogueError(DomainError, ValueError):
    """A catalogue operation was refused; ``code`` names why."""

    sentences = {"code_taken": _l("Another procedure already has this code.")}


def load_seed(path: Path = SEED) -> list[dict[str, str]]:
    """The seed file's procedures, checked: each has a unique code and both names."""
    items = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    seen = set()
    for item in items:
        if not all(isinstance(item.get(k), str) and item[k].strip() for k in ("code", "vi", "en")):
            raise ValueError(f"{path}: every procedure needs a code, vi and en: {item!r}")
        if item["code"] in seen:
            raise ValueError(f"{path}: code {item['code']} appears twice")
        seen.add(item["code"])
    return items


def _search_text(name_vi: str, name_en: str) -> str:
    return f"{fold(name_vi)} | {fold(name_en)}"


def import_procedures(session: Session, path: Path = SEED) -> dict[str, int]:
    """Add the seed file's procedures missing from the catalogue; a second run changes nothing.

    A procedure already stored is left alone: after the seed, the admin page owns its names and
    whether it is active, and `make run` must not undo an admin's edit.
    """
    existing = set(session.scalars(select(Procedure.code)))
    created = 0
    for item in load_seed(path):
        if item["code"] in existing:
            continue
        session.add(
            Procedure(
                code=item["code"],
                name_vi=item["vi"].strip(),
                name_en=item["en"].strip(),
                search_text=_search_text(item["vi"], item["en"]),
            )
        )
        created += 1
    session.flush()
    return {"created": created, "unchanged": len(existing)}


def save_procedure(
    session: Session,
    procedure: Procedure | None = None,
    *,
    code: str,
    name_vi: str,
    name_en: str,
    active: bool = True,
) -> Procedure:
    """Create a procedure or update one; a code already used by another is refused."""
    code = code.strip().lower()
    clash = session.scalar(select(Procedure).where(Procedure.code == code))
    if clash is not None and clash is not procedure:
        raise CatalogueError("code_taken")
    if procedure is None:
        procedure = Procedure()
        session.add(procedure)
    procedure.code = code
    procedure.name_vi = name_vi.strip()
    procedure.name_en = name_en.strip()
    procedure.search_text = _search_text(procedure.name_vi, procedure.name_en)
    procedure.active = active
    session.flush()
    return procedure


def procedures(
    session: Session, *, active_only: bool = True, locale: str = "vi"
) -> list[Procedure]:
    """The catalogue, sorted by name in the reader's language."""
    stmt = select(Procedure)
    if active_only:
        stmt = stmt.where(Procedure.active.is_(True))
    rows = session.scalars(stmt).all()
    return sorted(rows, key=lambda p: sort_key(p.name(locale)))


def search_procedures(
    session: Session, query: str, *, locale: str = "vi", active_only: bool = True
) -> list[Procedure]:
    """Procedures whose Vietnamese or English name (or code) contains the query, any accents."""
    folded = fold(query)
    stmt = select(Procedure)
    if active_only:
        stmt = stmt.where(Procedure.active.is_(True))
    if folded:
        escaped = folded.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        stmt = stmt.where(
            or_(
                Procedure.search_text.like(f"%{escaped}%", escape="\\"),
                Procedure.code.like(f"%{escaped}%", escape="\\"),
            )
        )
    return sorted(session.scalars(stmt).all(), key=lambda p: sort_key(p.name(locale)))


def recent_procedure_ids(session: Session, volunteer_id: int, limit: int = 5) -> list[int]:
    """The procedures of the volunteer's latest entries, the most recently used first."""
    latest = (
        select(AssistedSubmission.procedure_id, AssistedSubmission.received_at)
        .where(AssistedSubmission.volunteer_id == volunteer_id)
        .order_by(AssistedSubmission.received_at.desc())
        .limit(RECENT_ENTRIES)
        .subquery()
    )
    stmt = (
        select(latest.c.procedure_id)
        .group_by(latest.c.procedure_id)
        .order_by(func.max(latest.c.received_at).desc())
        .limit(limit)
    )
    return list(session.scalars(stmt))


def procedures_for_picker(
    session: Session, volunteer_id: int, locale: str = "vi"
) -> tuple[list[Procedure], list[Procedure]]:
    """(recent, others): the volunteer's recently used active procedures, then the rest."""
    everything = procedures(session, locale=locale)
    by_id = {p.id: p for p in everything}
    recent = [by_id[i] for i in recent_procedure_ids(session, volunteer_id) if i in by_id]
    others = [p for p in everything if p not in recent]
    return recent, others
