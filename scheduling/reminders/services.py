"""Send each confirmed volunteer one reminder in the 24 hours before their shift."""

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.database import utcnow
from app.notifications.services import notify
from scheduling.models import Booking, BookingStatus, Shift, ShiftStatus
from scheduling.reminders.models import ShiftReminder

#: how long before a shift its reminder goes out
REMINDER_WINDOW = timedelta(hours=24)


def due_bookings(session: Session, now: datetime) -> list[Booking]:
    """Confirmed bookings of active shifts starting within the window, not yet reminded."""
    return list(
        session.scalars(
            select(Booking)
            .join(Shift, Shift.id == Booking.shift_id)
            .outerjoin(ShiftReminder, ShiftReminder.booking_id == Booking.id)
            .where(
                Booking.status == BookingStatus.CONFIRMED,
                Shift.status == ShiftStatus.ACTIVE,
                Shift.starts_at > now,
                Shift.starts_at <= now + REMINDER_WINDOW,
                ShiftReminder.booking_id.is_(None),
            )
            .order_by(Shift.starts_at, Booking.id)
        )
    )


def send_reminders(session: Session, now: datetime | None = None) -> int:
    """Remind every due booking once; return how many reminders were sent.

    The reminder row is inserted in a savepoint before the notice: a concurrent run that got
    there first makes the insert fail (primary key) and that booking is skipped, so no one is
    reminded twice even when two cron runs overlap. The caller commits.
    """
    now = now or utcnow()
    sent = 0
    for booking in due_bookings(session, now):
        try:
            with session.begin_nested():
                session.add(ShiftReminder(booking_id=booking.id, sent_at=now))
                session.flush()
        except IntegrityError:
            continue
        notify(session, booking.user, "reminder", shift_id=booking.shift_id)
        sent += 1
    return sent
