"""Campaigns, the shifts they open at service points, and the bookings volunteers make on them."""

import enum
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.database import UTCDateTime, alphabetical, utcnow
from app.extensions import db
from app.places.models import Commune, Province, ServicePoint

#: the two shifts a day of Hanoi's "45 days and nights" campaign, in local time
DEFAULT_SHIFT_PATTERN = ({"start": "07:30", "end": "11:30"}, {"start": "13:30", "end": "17:30"})


def _default_shift_pattern():
    return [dict(shift) for shift in DEFAULT_SHIFT_PATTERN]


def _every_weekday():
    return list(range(7))


def _values(enum_class):
    return [member.value for member in enum_class]


class ShiftStatus(enum.StrEnum):
    ACTIVE = "active"
    CANCELLED = "cancelled"


class BookingStatus(enum.StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"


campaign_communes = Table(
    "campaign_communes",
    db.metadata,
    Column("campaign_id", ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "commune_id", ForeignKey("communes.id", ondelete="RESTRICT"), primary_key=True, index=True
    ),
)


class Campaign(db.Model):
    """A campaign staffing the service points of some communes of one province over a date range."""

    __tablename__ = "campaigns"
    __table_args__ = (
        CheckConstraint("ends_on >= starts_on", name="ends_after_start"),
        CheckConstraint("min_per_shift >= 0", name="min_not_negative"),
        CheckConstraint("max_per_shift >= 1 AND max_per_shift >= min_per_shift", name="max_valid"),
        CheckConstraint("cancel_deadline_hours >= 0", name="deadline_not_negative"),
        CheckConstraint("weekly_limit IS NULL OR weekly_limit >= 1", name="weekly_limit_positive"),
        CheckConstraint(
            "target_online BETWEEN 0 AND 100 AND target_fully_online BETWEEN 0 AND 100 "
            "AND target_result_electronic BETWEEN 0 AND 100",
            name="target_percentages",
        ),
        CheckConstraint("target_self_done >= 1", name="target_self_done_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    province_id: Mapped[int] = mapped_column(
        ForeignKey("provinces.id", ondelete="RESTRICT"), index=True
    )
    #: first and last local day (Asia/Ho_Chi_Minh) of the campaign, both included
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    #: below this many confirmed volunteers a shift is understaffed
    min_per_shift: Mapped[int] = mapped_column(Integer, default=5)
    #: confirmed places per shift; further bookings go to the waitlist
    max_per_shift: Mapped[int] = mapped_column(Integer, default=8)
    #: a volunteer may cancel until this many hours before the shift starts
    cancel_deadline_hours: Mapped[int] = mapped_column(Integer, default=12)
    #: a swap between volunteers waits for a coordinator's approval (scheduling.swaps)
    swaps_need_approval: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    #: shifts one volunteer may hold (confirmed or waitlisted) per ISO week; None for no limit
    weekly_limit: Mapped[int | None] = mapped_column(Integer)
    #: local times of each day's shifts, e.g. [{"start": "07:30", "end": "11:30"}, ...]
    shift_pattern: Mapped[list[dict[str, str]]] = mapped_column(
        JSON, default=_default_shift_pattern
    )
    #: days with shifts, Monday = 0 … Sunday = 6 (datetime.date.weekday)
    weekdays: Mapped[list[int]] = mapped_column(JSON, default=_every_weekday)
    #: the campaign's targets, read by the impact dashboard (Hanoi's by default, DESIGN.md):
    #: % of submitted dossiers filed online, fully online, with results returned electronically
    target_online: Mapped[int] = mapped_column(Integer, default=80, server_default="80")
    target_fully_online: Mapped[int] = mapped_column(Integer, default=20, server_default="20")
    target_result_electronic: Mapped[int] = mapped_column(
        Integer, default=100, server_default="100"
    )
    #: procedures every carded resident should do online by themselves
    target_self_done: Mapped[int] = mapped_column(Integer, default=2, server_default="2")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    province: Mapped[Province] = relationship()
    communes: Mapped[list[Commune]] = relationship(
        secondary=campaign_communes, order_by=alphabetical(Commune.name)
    )
    shifts: Mapped[list["Shift"]] = relationship(
        back_populates="campaign", cascade="all, delete-orphan", passive_deletes=True
    )

    def __str__(self):
        return self.name


class Shift(db.Model):
    """A stretch of time at one service point that volunteers book."""

    __tablename__ = "shifts"
    __table_args__ = (
        UniqueConstraint("service_point_id", "starts_at", "ends_at"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        Index("ix_shifts_campaign_starts", "campaign_id", "starts_at"),
        Index("ix_shifts_starts_at", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    service_point_id: Mapped[int] = mapped_column(
        ForeignKey("service_points.id", ondelete="RESTRICT")
    )
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[ShiftStatus] = mapped_column(
        Enum(ShiftStatus, native_enum=False, length=20, values_callable=_values),
        default=ShiftStatus.ACTIVE,
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    campaign: Mapped[Campaign] = relationship(back_populates="shifts")
    service_point: Mapped[ServicePoint] = relationship()
    bookings: Mapped[list["Booking"]] = relationship(
        back_populates="shift", passive_deletes=True, order_by="Booking.created_at, Booking.id"
    )

    @property
    def capacity(self) -> int:
        return self.campaign.max_per_shift

    def __str__(self):
        return f"{self.service_point} {self.starts_at:%Y-%m-%d %H:%M}Z"


class Booking(db.Model):
    """One person's place on one shift: confirmed, on the waitlist, or given up.

    There is one row per person and shift (a unique constraint, so a double tap can never make
    two); booking again after cancelling reactivates the row.
    """

    __tablename__ = "bookings"
    __table_args__ = (
        UniqueConstraint("shift_id", "user_id"),
        # capacity count and waitlist order of a shift
        Index("ix_bookings_shift_status_created", "shift_id", "status", "created_at"),
        # a person's own bookings: overlaps, weekly limit, "my shifts"
        Index("ix_bookings_user_status", "user_id", "status"),
        CheckConstraint(
            "(status = 'cancelled') = (cancelled_at IS NOT NULL)", name="cancelled_has_time"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shift_id: Mapped[int] = mapped_column(ForeignKey("shifts.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    status: Mapped[BookingStatus] = mapped_column(
        Enum(BookingStatus, native_enum=False, length=20, values_callable=_values)
    )
    #: when the person (last) booked; reset when a cancelled booking is made again, because the
    #: waitlist is served in this order
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    shift: Mapped[Shift] = relationship(back_populates="bookings")
    user: Mapped[User] = relationship()

    @property
    def active(self) -> bool:
        return self.status != BookingStatus.CANCELLED
