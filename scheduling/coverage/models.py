"""The per-person version of the secret calendar feed URL."""

from datetime import datetime

from sqlalchemy import ForeignKey, Integer
from sqlalchemy.orm import Mapped, mapped_column

from app.database import UTCDateTime, utcnow
from app.extensions import db


class CalendarFeed(db.Model):
    """A volunteer's calendar feed: the version its signed URL carries.

    A person without a row has version 0; resetting the link writes a row with the next version,
    so every URL signed for an older version stops working.
    """

    __tablename__ = "calendar_feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    #: signed into the feed URL; bumped by a reset
    version: Mapped[int] = mapped_column(Integer, default=0)
    #: when the person last reset the link
    reset_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
