"""A notice for one person (its text is built from `kind` and `params` when it is read), and the
delivery log: each notice on each channel, and whether it arrived."""

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Integer, String, Text
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


class DeliveryState:
    """Where a delivery stands; a failed one will not be tried again."""

    QUEUED = "queued"  #: waiting for its next attempt (the first, or a retry after a back-off)
    SENT = "sent"  #: the channel's service accepted it
    FAILED = "failed"  #: refused for good (no such address, a gateway's 4xx)
    GAVE_UP = "gave_up"  #: transient errors until the give-up time passed

    ALL = (QUEUED, SENT, FAILED, GAVE_UP)


class Delivery(db.Model):
    """One notice (or one kernel mail such as a password reset) on one channel to one address:
    the delivery log every channel's worker reads and writes."""

    __tablename__ = "deliveries"
    __table_args__ = (
        CheckConstraint("state IN ('queued', 'sent', 'failed', 'gave_up')", name="delivery_state"),
        # the retry job's scan: queued deliveries by their due time
        Index("ix_deliveries_state_next_attempt", "state", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: a name in app.notifications.channels.CHANNELS: "mail", "push", "sms"
    channel: Mapped[str] = mapped_column(String(16))
    #: the channel's address when it was routed: an email, a phone, a push subscription
    address: Mapped[str] = mapped_column(Text)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    #: the notice it carries; empty for a kernel mail worded in advance (a password reset)
    notification_id: Mapped[int | None] = mapped_column(
        ForeignKey("notifications.id", ondelete="CASCADE"), index=True
    )
    #: what was (or will be) sent: a notice's words are filled in by the worker, in the
    #: recipient's language, when it sends
    subject: Mapped[str | None] = mapped_column(String(200))
    body: Mapped[str | None] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(8), default=DeliveryState.QUEUED)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))
    #: not before then: quiet hours at first, then each retry's back-off
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: a worker holds it until then while it sends; past it, the worker is presumed dead
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
