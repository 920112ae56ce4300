"""A notice for one person; its text is built from `kind` and `params` when it is read."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.database import UTCDateTime, utcnow
from app.extensions import db


class Notification(db.Model):
    """Something that happened to a person's shifts, kept for the notifications page."""

    __tablename__ = "notifications"
    __table_args__ = (
        # the header's unread count and the page's list, both by user
        Index("ix_notifications_user_read", "user_id", "read_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    #: one of app.notifications.services.KINDS, e.g. "booking_confirmed"
    kind: Mapped[str] = mapped_column(String(40))
    #: ids and plain values (shift_id, from_shift_id, …), never text: the text is made in the
    #: reader's language when shown
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def unread(self) -> bool:
        return self.read_at is None
