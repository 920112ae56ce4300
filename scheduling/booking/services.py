"""A volunteer's own bookings: book a shift (or its waitlist), cancel, and promote the waitlist.

Each operation tells the people it concerns (booking confirmed, promoted from the waitlist);
the caller commits once.
"""

from datetime import datetime, timedelta

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, joinedload

from app.auth.models import User
from app.database import begin_write, locked, read_holding, utcnow
from app.notifications.channels import Route
from app.notifications.services import notify, routes_for
from scheduling.booking.placement import Placement, Reason, confirmed_count, place
from scheduling.models import Booking, BookingStatus, Shift, ShiftStatus
from scheduling.services import Overlap, PastDeadline, ShiftClosed, WeeklyLimit

#: the notice a new confirmed place sends
CONFIRMED_NOTICE = "booking_confirmed"

#: the refusals of a self-booking, as the errors views and the API map to messages
REFUSALS = {
    Reason.OVERLAP: Overlap,
    Reason.WEEKLY_LIMIT: WeeklyLimit,
    Reason.SHIFT_CLOSED: ShiftClosed,
}


def book_shift(
    session: Session,
    shift: Shift,
    user: User,
    now: datetime | None = None,
    routes: list[tuple[str, Route]] | None = None,
) -> Placement:
    """Book a place on the shift, or the waitlist when it is full; a second call is a no-op.

    Returns the placement (`confirmed`, `waitlisted` or `already_booked`, with the booking);
    a refusal raises Overlap, WeeklyLimit or ShiftClosed. A new confirmed place is told
    ("booking_confirmed", on the `routes` read before the lock when given); a place on the
    waitlist is told when it is promoted.
    """
    begin_write(session)
    placement = place(session, shift, user, waitlist=True, weekly_limit=True, now=now)
    if placement.reason in REFUSALS:
        raise REFUSALS[placement.reason]()
    if placement.reason == Reason.CONFIRMED:
        notify(session, user, CONFIRMED_NOTICE, routes=routes, shift_id=placement.shift.id)
    return placement


def book(
    session: Session, shift_id: int, user: User, now: datetime | None = None
) -> Placement | None:
    """`book_shift` for the shift with this id, as a request names it; None when no shift has
    this id.

    The shift and its campaign are read before the write transaction (on SQLite, by the
    request's reader), by the statement that locks the person, and so is where a confirmation
    would reach the person (their notice choices); the statement that decides the
    verdict checks them again under the shift's lock (`place`). The person is locked before
    the shift, the order of every placement: a coordinator placing the same person on the same
    shift at that moment would otherwise wait for this booking while it waits for them
    (PostgreSQL aborts one of the two), and the shift's row, the lock other bookers queue for,
    is not held while the person's is awaited."""
    params = {"shift_id": shift_id, "user_id": user.id}
    shift = read_holding(session, _SHIFT_HOLDING_PERSON, params, User, user.id)
    if shift is None:
        return None
    # where a confirmation would reach them, read now, not inside the lock
    routes = routes_for(session, user, CONFIRMED_NOTICE, now, shift_id=shift.id)
    begin_write(session)
    return book_shift(session, shift, user, now=now, routes=routes)


#: `book`'s read of the shift, with its campaign, locking the person's row; built once
_SHIFT_HOLDING_PERSON = (
    select(Shift)
    .join(User, User.id == bindparam("user_id"))
    .where(Shift.id == bindparam("shift_id"))
    .options(joinedload(Shift.campaign, innerjoin=True))
    .with_for_update(of=User)
)


def cancel_booking(
    session: Session, booking: Booking, by_coordinator: bool = False, now: datetime | None = None
) -> Booking | None:
    """Give up a booking; return the waitlisted booking promoted to the freed place, if any."""
    now = now or utcnow()
    shift = locked(session, Shift, booking.shift_id)
    session.refresh(booking)
    if booking.status == BookingStatus.CANCELLED:
        return None
    was_confirmed = booking.status == BookingStatus.CONFIRMED
    deadline = shift.starts_at - timedelta(hours=shift.campaign.cancel_deadline_hours)
    # leaving the waitlist never leaves a counter short, so only a confirmed place has a deadline
    if was_confirmed and not by_coordinator and now >= deadline:
        raise PastDeadline()
    booking.status = BookingStatus.CANCELLED
    booking.cancelled_at = now
    session.flush()
    if not was_confirmed:
        return None
    promoted = promote_waitlist(session, shift, now=now)
    return promoted[0] if promoted else None


def promote_waitlist(session: Session, shift: Shift, now: datetime | None = None) -> list[Booking]:
    """Fill the shift's free confirmed places from its waitlist, first come first served.

    Each person promoted is told ("promoted"). The caller holds the shift's lock (book_shift
    and cancel_booking take it).
    """
    now = now or utcnow()
    if shift.status != ShiftStatus.ACTIVE or shift.starts_at <= now:
        return []
    free = shift.campaign.max_per_shift - confirmed_count(session, shift.id)
    if free <= 0:
        return []
    promoted = list(
        session.scalars(
            select(Booking)
            .where(Booking.shift_id == shift.id, Booking.status == BookingStatus.WAITLISTED)
            .order_by(Booking.created_at, Booking.id)
            .limit(free)
        )
    )
    for booking in promoted:
        booking.status = BookingStatus.CONFIRMED
    session.flush()
    for booking in promoted:
        notify(session, booking.user, "promoted", shift_id=shift.id)
    return promoted
