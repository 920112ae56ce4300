"""Remind each confirmed volunteer of their shift the day before and two hours before, and tell
the coordinator whether each reminder reached its person."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased, selectinload

from app.database import utcnow
from app.notifications.models import Delivery, Notification
from app.notifications.services import deliveries_of, notify
from scheduling.models import Booking, BookingStatus, Shift, ShiftStatus
from scheduling.reminders.models import ShiftReminder

#: the reminders' lead times in hours, longest first: each goes out once its window opens
LEADS = (24, 2)


def _window(hours: int) -> tuple[timedelta, timedelta]:
    """The lead's window before the shift: (24 h, 2 h] for the day-before reminder, (2 h, 0]
    for the last one, so a booking made an hour before gets only the last."""
    shorter = [lead for lead in LEADS if lead < hours]
    return timedelta(hours=hours), timedelta(hours=max(shorter, default=0))


def due_bookings(
    session: Session, now: datetime, hours: int, limit: int | None = None
) -> list[Booking]:
    """Confirmed bookings of active shifts inside the lead's window, not yet reminded for it,
    soonest first (at most `limit`), with their people."""
    longest, shortest = _window(hours)
    reminded = aliased(ShiftReminder)
    return list(
        session.scalars(
            select(Booking)
            .join(Shift, Shift.id == Booking.shift_id)
            .outerjoin(
                reminded,
                (reminded.booking_id == Booking.id) & (reminded.hours_before == hours),
            )
            .where(
                Booking.status == BookingStatus.CONFIRMED,
                Shift.status == ShiftStatus.ACTIVE,
                Shift.starts_at > now + shortest,
                Shift.starts_at <= now + longest,
                reminded.booking_id.is_(None),
            )
            .order_by(Shift.starts_at, Booking.id)
            .options(selectinload(Booking.user))
            .limit(limit)
        )
    )


def send_reminders(session: Session, now: datetime | None = None, limit: int | None = None) -> int:
    """Remind every due booking once per lead time (at most `limit` of them); return how many
    reminders were sent.

    The reminder row is inserted in a savepoint before the notice: a concurrent run that got
    there first makes the insert fail (primary key) and that booking is skipped, so no one is
    reminded twice for one lead even when two runs overlap. The caller commits.
    """
    now = now or utcnow()
    sent = 0
    for hours in LEADS:
        for booking in due_bookings(session, now, hours, None if limit is None else limit - sent):
            try:
                with session.begin_nested():
                    session.add(
                        ShiftReminder(booking_id=booking.id, hours_before=hours, sent_at=now)
                    )
                    session.flush()
            except IntegrityError:
                continue
            notify(session, booking.user, "reminder", shift_id=booking.shift_id, hours=hours)
            sent += 1
    return sent


@dataclass(frozen=True)
class ReminderDelivered:
    """The latest reminder of a shift one person got, and how it went out on each channel."""

    hours_before: int
    #: one per channel; empty when no channel reaches the person (only the in-app notice)
    deliveries: list[Delivery]


def reminders_delivered(
    session: Session, shift: Shift, user_ids: list[int]
) -> dict[int, ReminderDelivered]:
    """For the shift's staff page: each person's latest reminder of this shift, by user id."""
    if not user_ids:
        return {}
    notices = session.scalars(
        select(Notification)
        .where(
            Notification.kind == "reminder",
            Notification.user_id.in_(user_ids),
            # no reminder of this shift is older than its longest lead (and a margin)
            Notification.created_at >= shift.starts_at - timedelta(hours=max(LEADS) + 1),
        )
        .order_by(Notification.created_at, Notification.id)
    ).all()
    latest = {n.user_id: n for n in notices if (n.params or {}).get("shift_id") == shift.id}
    deliveries = deliveries_of(session, [n.id for n in latest.values()])
    return {
        user_id: ReminderDelivered(
            hours_before=int((notice.params or {}).get("hours", max(LEADS))),
            deliveries=deliveries.get(notice.id, []),
        )
        for user_id, notice in latest.items()
    }
