"""Requests for help at home and the volunteers assigned to them.

The address is the one piece of a resident's personal data the site holds: only the assigned
volunteers and the commune's coordinators see it, and closing the request erases it.
"""

import enum
from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    Enum,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.database import UTCDateTime, utcnow
from app.extensions import db
from app.places.models import Commune


def _values(enum_class):
    return [member.value for member in enum_class]


class RequestStatus(enum.StrEnum):
    OPEN = "open"
    ASSIGNED = "assigned"
    CLOSED = "closed"


class TimeWindow(enum.StrEnum):
    MORNING = "morning"
    AFTERNOON = "afternoon"
    EVENING = "evening"
    ANY = "any"


class HomeSupportRequest(db.Model):
    """A resident's request to be helped at home with a procedure."""

    __tablename__ = "home_support_requests"
    __table_args__ = (
        Index("ix_home_support_commune_status", "commune_id", "status"),
        # a closed request keeps no address (the resident's data is erased with the visit)
        CheckConstraint("(status = 'closed') = (closed_at IS NOT NULL)", name="closed_has_time"),
        CheckConstraint(
            "status != 'closed' OR (address IS NULL AND need IS NULL)", name="closed_is_erased"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("communes.id", ondelete="RESTRICT"))
    #: where to go; NULL once the request is closed
    address: Mapped[str | None] = mapped_column(String(300))
    #: what the resident needs help with, in a few words; NULL once the request is closed
    need: Mapped[str | None] = mapped_column(String(500))
    #: the first local day the resident can be visited
    preferred_on: Mapped[date] = mapped_column(Date)
    time_window: Mapped[TimeWindow] = mapped_column(
        Enum(TimeWindow, native_enum=False, length=20, values_callable=_values)
    )
    status: Mapped[RequestStatus] = mapped_column(
        Enum(RequestStatus, native_enum=False, length=20, values_callable=_values),
        default=RequestStatus.OPEN,
    )
    #: the officer who asked on the resident's behalf; NULL when the resident asked publicly
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    commune: Mapped[Commune] = relationship()
    requested_by: Mapped[User | None] = relationship()
    assignments: Mapped[list["HomeSupportAssignment"]] = relationship(
        back_populates="request",
        cascade="all, delete-orphan",
        order_by="HomeSupportAssignment.id",
    )

    @property
    def volunteers(self) -> list[User]:
        return [a.volunteer for a in self.assignments]


class HomeSupportAssignment(db.Model):
    """One of the (two) volunteers a coordinator sent to a request."""

    __tablename__ = "home_support_assignments"
    __table_args__ = (UniqueConstraint("request_id", "volunteer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("home_support_requests.id", ondelete="CASCADE")
    )
    volunteer_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    request: Mapped[HomeSupportRequest] = relationship(back_populates="assignments")
    volunteer: Mapped[User] = relationship(foreign_keys=[volunteer_id])
