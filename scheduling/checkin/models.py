"""Check-in keys of service points, the append-only log of scans, and attendance per booking."""

import enum
from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, Enum, ForeignKey, Index, Integer, String, case
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.database import UTCDateTime, utcnow
from app.extensions import db
from app.places.models import ServicePoint
from scheduling.models import Booking, Shift


def _values(enum_class):
    return [member.value for member in enum_class]


class ScanResult(enum.StrEnum):
    """The outcome of one scan; the stable reason codes of the pages and the API."""

    OK = "ok"
    ALREADY_CHECKED_IN = "already_checked_in"
    NO_SHIFT_NOW = "no_shift_now"
    EXPIRED_TOKEN = "expired_token"
    INVALID_TOKEN = "invalid_token"
    ROTATED_TOKEN = "rotated_token"
    SHIFT_FULL = "shift_full"
    #: an offline scan received after its shift ended: stored, but no hours until confirmed
    LATE_SYNC = "late_sync"
    #: an offline scan claiming a time before its shift's check-in opened
    SCANNED_BEFORE_SHIFT = "scanned_before_shift"
    #: an offline scan claiming a time after the server received it
    SCANNED_IN_FUTURE = "scanned_in_future"


class ScanMethod(enum.StrEnum):
    """What was scanned: the printed poster, the live QR, or a volunteer's badge (QR or code)."""

    POSTER = "poster"
    LIVE = "live"
    BADGE = "badge"
    UNKNOWN = "unknown"


def _checked_in_at(context):
    """A check-in written without its receipt time (demo data, tests) was received at once."""
    return context.get_current_parameters()["checked_in_at"]


class CheckinKey(db.Model):
    """The version of a service point's check-in tokens; raising it invalidates old posters.

    A point without a row is at version 1: only a rotation writes here.
    """

    __tablename__ = "checkin_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    service_point_id: Mapped[int] = mapped_column(
        ForeignKey("service_points.id", ondelete="CASCADE"), unique=True
    )
    #: signed into every poster and live token of the point; a token of another version is refused
    version: Mapped[int] = mapped_column(Integer, default=1)
    rotated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rotated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class Attendance(db.Model):
    """A volunteer's presence on a booked shift: checked in, and checked out or closed at its end.

    Hours attended are computed, never stored: min(check-out, shift end) − max(credited from,
    shift start). A check-in left open counts until the shift's end. Hours count from what the
    server can vouch for, the time it received the check-in, unless a coordinator confirmed the
    time the device says it was scanned (an offline scan); a late sync (received after the
    shift ended) therefore counts for nothing until it is confirmed.
    """

    __tablename__ = "attendances"
    __table_args__ = (
        CheckConstraint(
            "checked_out_at IS NULL OR checked_out_at >= checked_in_at", name="out_after_in"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: one attendance per booking: a second check-in finds this row (already_checked_in)
    booking_id: Mapped[int] = mapped_column(
        ForeignKey("bookings.id", ondelete="CASCADE"), unique=True
    )
    #: when the volunteer checked in: the device's time for an offline scan, else the server's
    checked_in_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: when the server received the check-in: what it can vouch for
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_checked_in_at)
    checked_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: True when nobody checked out and the shift's end closed it
    closed_automatically: Mapped[bool] = mapped_column(Boolean, default=False)
    #: the booking was made by the check-in itself (the volunteer had none)
    walk_in: Mapped[bool] = mapped_column(Boolean, default=False)
    #: who checked the volunteer out (themselves or a coordinator); None when closed automatically
    checked_out_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )

    #: received after its shift had ended (an offline queue): counts only once confirmed
    late_sync: Mapped[bool] = mapped_column(Boolean, default=False)
    #: when a coordinator confirmed the device's check-in time; hours then count from it
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    booking: Mapped[Booking] = relationship()

    @property
    def shift(self) -> Shift:
        return self.booking.shift

    @hybrid_property
    def credited_from(self) -> datetime:
        """From when hours count: the device's time once confirmed, else the server's."""
        if self.confirmed_at is not None:
            return self.checked_in_at
        return max(self.checked_in_at, self.received_at)

    @credited_from.inplace.expression
    @classmethod
    def _credited_from_expression(cls):
        return case((cls.confirmed_at.is_not(None), cls.checked_in_at), else_=cls.received_at)

    @property
    def awaits_confirmation(self) -> bool:
        """The device's time is earlier than what the server vouches and nobody confirmed it."""
        return self.confirmed_at is None and self.checked_in_at < self.received_at

    def is_open(self, now: datetime) -> bool:
        """Checked in and neither checked out nor past the shift's end."""
        return self.checked_out_at is None and now < self.shift.ends_at

    def hours(self, now: datetime | None = None) -> float:
        """Hours attended within the shift, up to now for a shift still running."""
        now = now or utcnow()
        shift = self.shift
        end = min(self.checked_out_at or now, shift.ends_at)
        start = max(self.credited_from, shift.starts_at)
        return max((end - start).total_seconds(), 0) / 3600


class Scan(db.Model):
    """One scan of a check-in QR or badge, whatever its result; rows are never changed.

    The client makes the nonce; the same nonce sent again (a retry, the offline queue) finds this
    row and its result instead of making another.
    """

    __tablename__ = "scans"
    __table_args__ = (
        Index("ix_scans_point_received", "service_point_id", "received_at"),
        Index("ix_scans_shift", "shift_id"),
        Index("ix_scans_user", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    nonce: Mapped[str] = mapped_column(String(64), unique=True)
    #: the volunteer checked in (or refused); None when a badge could not be read
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    #: who scanned: the volunteer themselves, or the coordinator or leader at the scanner
    scanned_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    #: None when the token was forged or names no service point
    service_point_id: Mapped[int | None] = mapped_column(
        ForeignKey("service_points.id", ondelete="CASCADE")
    )
    shift_id: Mapped[int | None] = mapped_column(ForeignKey("shifts.id", ondelete="CASCADE"))
    attendance_id: Mapped[int | None] = mapped_column(
        ForeignKey("attendances.id", ondelete="SET NULL")
    )
    method: Mapped[ScanMethod] = mapped_column(
        Enum(ScanMethod, native_enum=False, length=20, values_callable=_values)
    )
    result: Mapped[ScanResult] = mapped_column(
        Enum(ScanResult, native_enum=False, length=30, values_callable=_values)
    )
    #: when the device says the scan happened (may be late: the offline queue)
    scanned_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: when the server received it
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: sent from a device's offline queue, after the network came back
    offline: Mapped[bool] = mapped_column(Boolean, default=False)

    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    scanned_by: Mapped[User] = relationship(foreign_keys=[scanned_by_id])
    service_point: Mapped[ServicePoint | None] = relationship()
    shift: Mapped[Shift | None] = relationship()
    attendance: Mapped[Attendance | None] = relationship()

    @property
    def by_self(self) -> bool:
        return self.user_id == self.scanned_by_id
