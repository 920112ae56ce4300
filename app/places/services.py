"""Operations on places: importing the official list, finding communes, keeping service points."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from vietnam_provinces import Province as OfficialProvince
from vietnam_provinces import Ward as OfficialCommune

from app.errors import DomainError
from app.places.models import Commune, Province, ServicePoint
from app.text import fold


class PlaceError(DomainError, ValueError):
    """A place operation was refused; ``code`` names why."""

    sentences = {
        "ambiguous_commune": _l(
            'Several communes have that name: write it in full, e.g. "Phường An Phú".'
        ),
        "unknown_commune": _l("No commune or ward of that name in this province."),
    }


def province_code(code) -> str:
    return f"{int(code):02d}"


def commune_code(code) -> str:
    return f"{int(code):05d}"


def import_places(session) -> dict[str, int]:
    """Load or refresh the 34 provinces and 3,321 communes; a second run changes nothing."""
    provinces = {p.code: p for p in session.scalars(select(Province))}
    created = updated = 0
    for official in OfficialProvince.iter_all():
        fields = {
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
    for official in OfficialCommune.iter_all():
        fields = {
            "name": official.name,
            "division_type": official.division_type.value,
            "search_name": fold(official.name),
            "province_id": provinces[province_code(official.province_code)].id,
        }
        row = communes.get(commune_code(official.code))
        if row is None:
            session.add(Commune(code=commune_code(official.code), **fields))
            created += 1
        elif _update(row, fields):
            updated += 1
    session.flush()
    return {"created": created, "updated": updated}


def _update(row, fields) -> bool:
    changed = {k: v for k, v in fields.items() if getattr(row, k) != v}
    for key, value in changed.items():
        setattr(row, key, value)
    return bool(changed)


def provinces_with_counts(session):
    """Every province with its number of communes, in official code order."""
    count = func.count(Commune.id)
    stmt = select(Province, count).outerjoin(Commune).group_by(Province.id).order_by(Province.code)
    return session.execute(stmt).all()


def search_communes(session, province, query=""):
    """Communes of a province whose name contains the query, ignoring diacritics and case."""
    stmt = select(Commune).where(Commune.province_id == province.id)
    folded = fold(query)
    if folded:
        escaped = folded.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        stmt = stmt.where(Commune.search_name.like(f"%{escaped}%", escape="\\"))
    return session.scalars(stmt.order_by(Commune.search_name)).all()


def get_by_code(session, model, code):
    return session.scalar(select(model).where(model.code == code))


def save_service_point(session, commune, point=None, **fields) -> ServicePoint:
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


def get_service_point(session, point_id) -> ServicePoint | None:
    """The service point with this id, or None."""
    return session.get(ServicePoint, point_id)


def find_commune(session, province, name) -> Commune:
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


def province_choices(session):
    return [(p.code, p.name) for p in session.scalars(select(Province).order_by(Province.name))]
