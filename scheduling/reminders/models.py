"""The record that a booking's reminder went out: its key is what forbids a second one."""

from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from app.database import UTCDateTime, utcnow
from app.extensions import db


class ShiftReminder(db.Model):
    """One reminder per booking and lead time, ever; two runs at once collide on the key."""

    __tablename__ = "shift_reminders"

    booking_id: Mapped[int] = mapped_column(
        ForeignKey("bookings.id", ondelete="CASCADE"), primary_key=True
    )
    #: how long before the shift it went out: 24 (the day before) or 2 hours
    hours_before: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
