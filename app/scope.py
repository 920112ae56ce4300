"""A coordinator's scope: the communes they coordinate, built once from their role grants.

An admin covers everything. A coordinator's grant names either a whole province (every commune
of it, and every commune added to it later) or one commune. Whoever asks "may this user see or
act here?" asks a ``CoordinatorScope``: in Python (``covers_commune``, ``covers_point``,
``covers_any``) for one object, and in SQL (``communes_clause``) for a list, so that a list never
loads rows out of scope. A campaign's scope lives with campaigns (scheduling.campaigns.services)
and is built on ``communes_clause``.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Select, bindparam, false, or_, select, true
from sqlalchemy.sql.elements import ColumnElement

from app.places.models import Commune
from app.roles import Role


@dataclass(frozen=True)
class CoordinatorScope:
    """What one user coordinates: everything (an admin), or their provinces and communes."""

    #: an admin covers every commune, whatever their grants
    everything: bool = False
    #: provinces granted whole
    province_ids: frozenset[int] = frozenset()
    #: communes granted one by one
    commune_ids: frozenset[int] = frozenset()

    @classmethod
    def of(cls, user) -> "CoordinatorScope":
        """The scope of a user's role grants; an anonymous visitor covers nothing."""
        if user is None or not user.is_authenticated:
            return cls()
        grants = [g for g in user.grants if g.role == Role.COORDINATOR]
        return cls(
            everything=user.has_role(Role.ADMIN),
            province_ids=frozenset(g.province_id for g in grants if g.province_id),
            commune_ids=frozenset(g.commune_id for g in grants if g.commune_id),
        )

    @property
    def granted(self) -> bool:
        """Whether the user holds a coordinator's grant (an admin may hold one too)."""
        return bool(self.province_ids or self.commune_ids)

    @property
    def empty(self) -> bool:
        return not (self.everything or self.granted)

    # --- one object --------------------------------------------------------------------------

    def covers_province(self, province_id: int | None) -> bool:
        """Whether the whole province is covered (an admin, or a grant of the province)."""
        return self.everything or province_id in self.province_ids

    def covers_commune(self, commune: Commune | None) -> bool:
        """Whether the commune is covered, directly or through its province."""
        if commune is None:
            return self.everything
        return (
            self.everything
            or commune.id in self.commune_ids
            or commune.province_id in self.province_ids
        )

    def covers_point(self, point) -> bool:
        """Whether the service point's commune is covered."""
        return self.covers_commune(point.commune)

    def covers_any(self, communes: Iterable[Commune]) -> bool:
        """Whether at least one of the communes is covered (everything covers even none)."""
        return self.everything or any(self.covers_commune(c) for c in communes)

    def covers_all(self, communes: Iterable[Commune]) -> bool:
        """Whether there are communes and every one is covered (everything covers even none)."""
        communes = list(communes)
        return self.everything or (bool(communes) and all(map(self.covers_commune, communes)))

    # --- SQL -----------------------------------------------------------------------------------

    def commune_ids_select(self) -> Select:
        """A select of the ids of the covered communes."""
        stmt = select(Commune.id)
        if self.everything:
            return stmt
        return stmt.where(
            or_(Commune.id.in_(self.commune_ids), Commune.province_id.in_(self.province_ids))
        )

    def communes_clause(self, commune_id, province_id=None) -> ColumnElement[bool]:
        """A condition keeping rows whose commune (the column `commune_id`) is covered; true for
        an admin, false for no grant. Given the commune's `province_id` column too (the query
        joins Commune), the condition reads both columns instead of a subquery."""
        if self.everything:
            return true()
        if self.empty:
            return false()
        if province_id is not None:
            # only the half that names something: a ward coordinator's "or province in ()" kept
            # SQLite from starting at the commune's row
            if not self.province_ids:
                return commune_id.in_(self.commune_ids)
            if not self.commune_ids:
                return province_id.in_(self.province_ids)
            return or_(commune_id.in_(self.commune_ids), province_id.in_(self.province_ids))
        return commune_id.in_(self.commune_ids_select())

    @property
    def shape(self) -> str:
        """Which form `communes_clause` takes: "everything", "nothing", "communes", "provinces"
        or "both"; a statement built once keeps one copy per shape (`bound_communes_clause`)."""
        if self.everything:
            return "everything"
        if self.empty:
            return "nothing"
        if not self.province_ids:
            return "communes"
        return "both" if self.commune_ids else "provinces"

    @staticmethod
    def bound_communes_clause(shape: str, commune_id, province_id) -> ColumnElement[bool]:
        """`communes_clause` (given both columns) for a statement built once, the ids bound at
        execution from `bound_values()`: the same condition, only the half that names something."""
        communes = commune_id.in_(bindparam("scope_commune_ids", expanding=True))
        provinces = province_id.in_(bindparam("scope_province_ids", expanding=True))
        return {
            "everything": true(),
            "nothing": false(),
            "communes": communes,
            "provinces": provinces,
            "both": or_(communes, provinces),
        }[shape]

    def bound_values(self) -> dict[str, list[int]]:
        """The values `bound_communes_clause` binds, for this scope's shape."""
        values = {}
        if self.shape in ("communes", "both"):
            values["scope_commune_ids"] = sorted(self.commune_ids)
        if self.shape in ("provinces", "both"):
            values["scope_province_ids"] = sorted(self.province_ids)
        return values

    def provinces_clause(self, province_id) -> ColumnElement[bool]:
        """A condition keeping rows of a province covered whole."""
        if self.everything:
            return true()
        return province_id.in_(self.province_ids) if self.province_ids else false()

    def covered_commune_ids(self, session) -> frozenset[int] | None:
        """The ids of the covered communes, read once; None for an admin (every commune)."""
        if self.everything:
            return None
        if not self.province_ids:
            return self.commune_ids
        return frozenset(session.scalars(self.commune_ids_select()))
