"""Operations on places: importing the official list, finding communes, keeping service points."""

import difflib
from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import Row, func, or_, select
from sqlalchemy.orm import Session
from vietnam_provinces import Province as OfficialProvince
from vietnam_provinces import Ward as OfficialCommune

from app.database import alphabetical
from app.errors import DomainError
from app.i18n import lazy_gettext as _l
from app.places.models import Commune, Province, ServicePoint
from app.scope import CoordinatorScope
from app.text import fold, sort_key


class PlaceError(DomainError, ValueError):
    """A place operation was refused; ``code`` names why."""

    sentences = {
        "ambiguous_commune": _l(
            'Several communes have that name: write it in full, e.g. "Phường An Phú".'
        ),
        "unknown_commune": _l("No commune or ward of that name in this province."),
        "unknown_code": _l("No commune or ward has this code."),
    }
    #: the names of the communes closest to the one asked for
    suggestions: list[str]


def province_code(code: int | str) -> str:
    return f"{int(code):02d}"


def commune_code(code: int | str) -> str:
    return f"{int(code):05d}"


def import_places(session: Session) -> dict[str, int]:
    """Load or refresh the 34 provinces and 3,321 communes; a second run changes nothing."""
    provinces = {p.code: p for p in session.scalars(select(Province))}
    created = updated = 0
    for official in OfficialProvince.iter_all():
        fields: dict[str, object] = {
            "name": official.name,
            "division_type": official.division_type.value,
            "search_name": fold(official.name),
        }
        row = provinces.get(province_code(official.code))
        if row is None:
            row = Province(code=province_code(official.code), **fields)
            session.add(row)
            provinces[row.code] = row
            created += 1
        elif _update(row, fields):
            updated += 1
    session.flush()

    communes = {c.code: c for c in session.scalars(select(Commune))}
    for ward in OfficialCommune.iter_all():
        fields = {
            "name": ward.name,
            "division_type": ward.division_type.value,
            "search_name": fold(ward.name),
            "province_id": provinces[province_code(ward.province_code)].id,
        }
        commune_row = communes.get(commune_code(ward.code))
        if commune_row is None:
            session.add(Commune(code=commune_code(ward.code), **fields))
            created += 1
        elif _update(commune_row, fields):
            updated += 1
    session.flush()
    return {"created": created, "updated": updated}


def _update(row: Province | Commune, fields: dict[str, Any]) -> bool:
    changed = {k: v for k, v in fields.items() if getattr(row, k) != v}
    for key, value in changed.items():
        setattr(row, key, value)
    return bool(changed)


def provinces_with_counts(session: Session) -> Sequence[Row[Province, int]]:
    """Every province with its number of communes, in alphabetical order."""
    count = func.count(Commune.id)
    stmt = (
        select(Province, count)
        .outerjoin(Commune)
        .group_by(Province.id)
        .order_by(alphabetical(Province.name))
    )
    return session.execute(stmt).all()


def search_communes(session: Session, province: Province, query: str = "") -> Sequence[Commune]:
    """Communes of a province whose name contains the query, ignoring diacritics and case."""
    stmt = select(Commune).where(Commune.province_id == province.id)
    folded = fold(query)
    if folded:
        escaped = folded.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        stmt = stmt.where(Commune.search_name.like(f"%{escaped}%", escape="\\"))
    return session.scalars(stmt.order_by(alphabetical(Commune.name))).all()


_Place = TypeVar("_Place", Province, Commune)


def get_by_code(session: Session, model: type[_Place], code: str) -> _Place | None:
    return session.scalar(select(model).where(model.code == code))


def save_service_point(
    session: Session, commune: Commune, point: ServicePoint | None = None, **fields: Any
) -> ServicePoint:
    """Create a service point in a commune, or update one; the point must belong there."""
    if point is None:
        point = ServicePoint(commune=commune)
        session.add(point)
    elif point.commune_id != commune.id:
        raise PlaceError("other_commune")  # the service point belongs to another commune
    for key in ("name", "address", "opening_hours", "active"):
        if key in fields:
            setattr(point, key, fields[key])
    session.flush()
    return point


def get_service_point(session: Session, point_id: int) -> ServicePoint | None:
    """The service point with this id, or None."""
    return session.get(ServicePoint, point_id)


def find_commune(session: Session, province: Province, name: str) -> Commune:
    """The commune of a province a person named, with or without its type and accents."""
    folded = fold(name)
    candidates = [
        c
        for c in search_communes(session, province, folded)
        if c.search_name == folded or c.search_name.endswith(" " + folded)
    ]
    if len(candidates) != 1:
        raise PlaceError("ambiguous_commune" if candidates else "unknown_commune")
    return candidates[0]


def province_choices(session: Session) -> list[tuple[str, str]]:
    return [
        (p.code, p.name)
        for p in session.scalars(select(Province).order_by(alphabetical(Province.name)))
    ]


def provinces_covered(session: Session, scope: CoordinatorScope) -> list[Province]:
    """The provinces a scope reaches at least a commune of, in official code order."""
    stmt = select(Province).order_by(Province.code)
    if not scope.everything:
        stmt = stmt.where(
            or_(
                Province.id.in_(scope.province_ids),
                Province.id.in_(
                    select(Commune.province_id).where(Commune.id.in_(scope.commune_ids))
                ),
            )
        )
    return list(session.scalars(stmt))


class CommuneFinder:
    """Finds the communes a file names, by official code (anywhere in the country) or by name in
    one province, with or without accents or the word "Phường"/"Xã"; loaded once per file."""

    def __init__(self, session: Session, province: Province | None):
        communes = session.scalars(select(Commune)).all()
        self.by_code = {c.code: c for c in communes}
        self.by_name: dict[str, list[Commune]] = {}
        for commune in communes:
            if province is None or commune.province_id != province.id:
                continue
            for key in {commune.search_name, _bare(commune)}:
                self.by_name.setdefault(key, []).append(commune)

    def find(self, text: str) -> Commune:
        """The commune; PlaceError("unknown_commune" or "ambiguous_commune") with `suggestions`,
        the names of the closest communes."""
        text = text.strip()
        if text.isdigit():
            found = self.by_code.get(commune_code(text))
            if found is None:
                raise PlaceError("unknown_code")
            return found
        candidates = {c.id: c for c in self.by_name.get(fold(text), [])}
        if len(candidates) == 1:
            return next(iter(candidates.values()))
        error = PlaceError("ambiguous_commune" if candidates else "unknown_commune")
        if candidates:
            error.suggestions = sorted((c.name for c in candidates.values()), key=sort_key)
        else:
            close = difflib.get_close_matches(fold(text), list(self.by_name), n=6, cutoff=0.6)
            names = [c.name for key in close for c in self.by_name[key]]
            error.suggestions = list(dict.fromkeys(names))[:3]
        raise error


def _bare(commune: Commune) -> str:
    """The commune's folded name without its type: "bo de" for "Phường Bồ Đề"."""
    prefix = fold(commune.division_type) + " "
    name = commune.search_name
    return name[len(prefix) :] if name.startswith(prefix) else name
