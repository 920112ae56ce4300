"""Recording and reading the audit log.

`record` is the one call: the services that change someone else's data (a booking moved, a role
granted, an import) append an entry in the same transaction as the change, so an entry exists
exactly when the change does. Entries are read three ways: all of them by admins
(`/admin/audit`), those of their communes and provinces by coordinators, those about oneself on
one's profile.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import Session

from app.audit.models import AuditEntry
from app.auth.models import User
from app.i18n import lazy_gettext as _l
from app.localtime import local_day_bounds
from app.scope import CoordinatorScope

#: every action recorded, with its label in the reader's language
ACTIONS = {
    "booking.placed": _l("Person placed on a shift"),
    "booking.removed": _l("Person removed from a shift"),
    "booking.moved": _l("Person moved to another shift"),
    "booking.swapped": _l("Shift handed over to another volunteer"),
    "role.granted": _l("Role granted"),
    "role.revoked": _l("Role removed"),
    "attendance.confirmed": _l("Offline check-in confirmed"),
    "attendance.corrected": _l("Attendance corrected"),
    "campaign.reshaped": _l("Campaign changed"),
    "home_support.assigned": _l("Volunteers sent on a home visit"),
    "import.volunteer_created": _l("Volunteer account created by an import"),
    "import.team_member_added": _l("Volunteer added to a team by an import"),
    "import.service_point_created": _l("Service point created by an import"),
    "import.service_point_updated": _l("Service point changed by an import"),
}


def _plain(value: Any) -> Any:
    """A value JSON keeps as is: dates and times as ISO text, other objects as their text."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value)


def record(
    session: Session,
    actor,
    action: str,
    subject_user=None,
    target=None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    *,
    commune=None,
    province=None,
) -> AuditEntry:
    """Append one entry: `actor` (a user, or None for a command) did `action` to `subject_user`'s
    data, on `target` (a model row), changing `before` into `after`; `commune` or `province` say
    where (by default the target's commune, when it has one). The entry is added to the
    session, written by its next flush: an import of thousands of rows flushes them together."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action: {action}")
    commune_id = getattr(commune, "id", None) or getattr(target, "commune_id", None)
    entry = AuditEntry(
        actor_id=getattr(actor, "id", None),
        action=action,
        subject_user_id=getattr(subject_user, "id", None),
        target_type=getattr(target, "__tablename__", "") if target is not None else "",
        target_id=getattr(target, "id", None),
        commune_id=commune_id,
        province_id=getattr(province, "id", None),
        before=_plain(before) if before is not None else None,
        after=_plain(after) if after is not None else None,
    )
    session.add(entry)
    return entry


@dataclass(frozen=True)
class Filters:
    """What a reader narrowed the log to; every field optional."""

    actor_id: int | None = None
    action: str | None = None
    subject_user_id: int | None = None
    #: local days, both included
    since: date | None = None
    until: date | None = None


def _in_scope(scope: CoordinatorScope):
    """The entries a coordinator sees: those of a covered commune or of a province granted
    whole; an admin sees every entry."""
    if scope.everything:
        return None
    clauses = [
        and_(
            AuditEntry.commune_id.is_not(None),
            scope.communes_clause(AuditEntry.commune_id),
        ),
        scope.provinces_clause(AuditEntry.province_id),
    ]
    return or_(*clauses)


def entries(
    session: Session, scope: CoordinatorScope, filters: Filters = Filters(), limit: int = 200
) -> Sequence[AuditEntry]:
    """The newest entries the scope may read that match the filters."""
    stmt: Select = select(AuditEntry)
    clause = _in_scope(scope)
    if clause is not None:
        stmt = stmt.where(clause)
    if filters.actor_id is not None:
        stmt = stmt.where(AuditEntry.actor_id == filters.actor_id)
    if filters.action:
        stmt = stmt.where(AuditEntry.action == filters.action)
    if filters.subject_user_id is not None:
        stmt = stmt.where(AuditEntry.subject_user_id == filters.subject_user_id)
    if filters.since is not None:
        stmt = stmt.where(AuditEntry.at >= local_day_bounds(filters.since)[0])
    if filters.until is not None:
        stmt = stmt.where(AuditEntry.at < local_day_bounds(filters.until)[1])
    stmt = stmt.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)
    return session.scalars(stmt).all()


def entries_about(session: Session, user_id: int, limit: int = 50) -> Sequence[AuditEntry]:
    """The newest entries about one person, for their profile."""
    return session.scalars(
        select(AuditEntry)
        .where(AuditEntry.subject_user_id == user_id)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(limit)
    ).all()


def names_of(session: Session, found: Sequence[AuditEntry]) -> dict[int, str]:
    """The names of the actors and people the entries name, read in one query."""
    ids = {e.actor_id for e in found} | {e.subject_user_id for e in found}
    ids.discard(None)
    if not ids:
        return {}
    return dict(session.execute(select(User.id, User.full_name).where(User.id.in_(ids))).all())
