"""The record that a booking's reminder went out: its unique key is what forbids a second one."""

from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from app.database import UTCDateTime, utcnow
from app.extensions import db


class ShiftReminder(db.Model):
    """One reminder per booking, ever; two cron runs at once collide on the primary key."""

    __tablename__ = "shift_reminders"

    booking_id: Mapped[int] = mapped_column(
        ForeignKey("bookings.id", ondelete="CASCADE"), primary_key=True
    )
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
