"""The audit log's one table: rows are appended, never changed or removed.

The ORM refuses to update or delete an entry (``before_update``/``before_delete`` and bulk
statements), and on PostgreSQL a trigger refuses it too, so neither a route nor a script can
rewrite what happened. People are kept by id without a foreign key: an entry outlives the
account it names, and no cascade may touch it.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, event
from sqlalchemy.orm import Mapped, ORMExecuteState, Session, mapped_column

from app.database import UTCDateTime, utcnow
from app.extensions import db


class AuditEntry(db.Model):
    """One action of a coordinator, an admin or a script on someone else's data."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_at", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: the user who acted; None for a command run on the server
    actor_id: Mapped[int | None] = mapped_column(Integer, index=True)
    #: a code of app.audit.services.ACTIONS, e.g. "booking.moved"
    action: Mapped[str] = mapped_column(String(40), index=True)
    #: the person whose data changed, if the action is about one person
    subject_user_id: Mapped[int | None] = mapped_column(Integer, index=True)
    #: the table of the object acted on ("bookings", "service_points"…) and its id
    target_type: Mapped[str] = mapped_column(String(40), default="")
    target_id: Mapped[int | None] = mapped_column(Integer)
    #: where it happened, so a coordinator sees the entries of their communes
    commune_id: Mapped[int | None] = mapped_column(Integer, index=True)
    #: a province-wide action (a campaign reshaped, a province's import)
    province_id: Mapped[int | None] = mapped_column(Integer, index=True)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class AppendOnly(RuntimeError):
    """Someone tried to change or remove an audit entry."""


def _refuse(mapper, connection, target) -> None:
    raise AppendOnly("audit entries are never changed or removed")


event.listen(AuditEntry, "before_update", _refuse)
event.listen(AuditEntry, "before_delete", _refuse)


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk(state: ORMExecuteState) -> None:
    """An ``update(AuditEntry)`` or ``delete(AuditEntry)`` statement is refused as well."""
    if (state.is_update or state.is_delete) and state.bind_mapper is AuditEntry.__mapper__:
        raise AppendOnly("audit entries are never changed or removed")
