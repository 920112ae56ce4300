"""Corrections of attendance: a coordinator's word on a booking's hours, beside the scans."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.database import UTCDateTime, utcnow
from app.extensions import db
from scheduling.models import Booking


class AttendanceCorrection(db.Model):
    """A coordinator corrected the hours of one booking, with a reason; rows are appended, never
    changed, and the latest one of a booking counts. The scans and the check-in stay as they
    were: a correction says what the hours are, not what the phones said."""

    __tablename__ = "attendance_corrections"
    __table_args__ = (CheckConstraint("minutes >= 0", name="minutes_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(
        ForeignKey("bookings.id", ondelete="CASCADE"), index=True
    )
    #: the minutes the person served on the shift, as the coordinator vouches
    minutes: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(300))
    corrected_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    booking: Mapped[Booking] = relationship()
    corrected_by: Mapped[User | None] = relationship()

    @property
    def hours(self) -> float:
        return self.minutes / 60
