"""A volunteer's offer of a shift they hold, to one named volunteer or to anyone eligible."""

import enum
import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, Enum, ForeignKey, Index, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.database import UTCDateTime, utcnow
from app.extensions import db
from scheduling.models import Booking, Shift


class OfferStatus(enum.StrEnum):
    OPEN = "open"
    #: taken in a campaign that asks a coordinator to approve each swap
    PENDING = "pending"
    TAKEN = "taken"
    WITHDRAWN = "withdrawn"
    #: refused by a coordinator (a pending one)
    REFUSED = "refused"


#: the offers that still hold the shift back from another offer
LIVE = (OfferStatus.OPEN, OfferStatus.PENDING)


class ShiftOffer(db.Model):
    """A confirmed booking its holder offers away; taking it moves the place in one transaction.

    An open offer past `expires_at` (the shift's cancellation deadline) is expired: it is never
    taken, and reads as expired without a job rewriting it.
    """

    __tablename__ = "shift_offers"
    __table_args__ = (
        # one live offer per booking: offering again answers the one already made
        Index(
            "uq_shift_offers_live_booking",
            "booking_id",
            unique=True,
            sqlite_where=text("status IN ('open', 'pending')"),
            postgresql_where=text("status IN ('open', 'pending')"),
        ),
        Index("ix_shift_offers_status_expires", "status", "expires_at"),
        CheckConstraint(
            "status IN ('open', 'pending', 'taken', 'withdrawn', 'refused')", name="offer_status"
        ),
        CheckConstraint("offered_to_id IS NULL OR offered_to_id <> offered_by_id", name="not_self"),
        CheckConstraint(
            "(status IN ('pending', 'taken')) = (taken_by_id IS NOT NULL)", name="taken_has_taker"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: made by the client (a phone retrying sends it again): the same id answers the same offer
    client_id: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True, default=uuid.uuid4)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id", ondelete="CASCADE"))
    shift_id: Mapped[int] = mapped_column(ForeignKey("shifts.id", ondelete="CASCADE"), index=True)
    offered_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    #: the one volunteer who may take it; None: anyone eligible
    offered_to_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[OfferStatus] = mapped_column(
        Enum(
            OfferStatus,
            native_enum=False,
            length=20,
            values_callable=lambda e: [m.value for m in e],
        ),
        default=OfferStatus.OPEN,
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: the shift's cancellation deadline when offered: after it only a coordinator moves people
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    taken_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: when it was taken (or asked for, pending approval), withdrawn or refused
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    booking: Mapped[Booking] = relationship()
    shift: Mapped[Shift] = relationship()
    offered_by: Mapped[User] = relationship(foreign_keys=[offered_by_id])
    offered_to: Mapped[User | None] = relationship(foreign_keys=[offered_to_id])
    taken_by: Mapped[User | None] = relationship(foreign_keys=[taken_by_id])

    def expired(self, now: datetime) -> bool:
        return self.status == OfferStatus.OPEN and self.expires_at <= now
