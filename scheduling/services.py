"""Scheduling operations: generate a campaign's shifts, book them, cancel and promote the waitlist.

Capacity is enforced inside the caller's transaction (DESIGN.md): the shift row is locked with
``SELECT … FOR UPDATE`` on PostgreSQL; on SQLite the caller opens the transaction as a writer
(``BEGIN IMMEDIATE``, app.database.begin_write or any POST request). Services flush; the caller
commits once.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import contains_eager

from app.auth.models import User
from app.database import locked, utcnow
from app.errors import DomainError
from app.notifications.services import notify
from app.places.models import Commune, ServicePoint
from app.text import fold
from scheduling.models import (
    Booking,
    BookingStatus,
    Campaign,
    Shift,
    ShiftStatus,
    campaign_communes,
)

LOCAL_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
HOLDING = (BookingStatus.CONFIRMED, BookingStatus.WAITLISTED)


class SchedulingError(DomainError):
    """A scheduling operation refused; `code` names the reason for views and the API."""

    code = "scheduling"
    sentence = _l("This shift cannot be booked.")


class Overlap(SchedulingError):
    code = "overlap"
    sentence = _l("You already hold a shift at the same time.")
    page_sentence = _l("You already hold a shift at that time: cancel it first.")


class WeeklyLimit(SchedulingError):
    code = "weekly_limit"
    sentence = _l("You have reached this campaign's limit of shifts per week.")
    page_sentence = _l(
        "You have reached this campaign's limit of shifts for that week: pick another week."
    )


class ShiftClosed(SchedulingError):
    code = "shift_closed"
    sentence = _l("This shift is no longer open for booking.")
    page_sentence = _l("This shift can no longer be booked: it has started or was cancelled.")


class PastDeadline(SchedulingError):
    code = "past_deadline"
    sentence = _l("The cancellation deadline has passed. Ask your coordinator to release you.")


def local_shift_times(campaign: Campaign, day: date) -> list[tuple[datetime, datetime]]:
    """The (start, end) of each shift of the pattern on one local day, in UTC."""
    times = []
    for entry in campaign.shift_pattern:
        start = datetime.combine(day, time.fromisoformat(entry["start"]), tzinfo=LOCAL_ZONE)
        end = datetime.combine(day, time.fromisoformat(entry["end"]), tzinfo=LOCAL_ZONE)
        if end <= start:
            raise ValueError(f"shift pattern entry ends before it starts: {entry}")
        times.append((start.astimezone(UTC), end.astimezone(UTC)))
    return times


def generate_shifts(session, campaign: Campaign) -> int:
    """Add the shifts of the campaign that do not exist yet; return how many were added."""
    points = session.scalars(
        select(ServicePoint)
        .join(campaign_communes, campaign_communes.c.commune_id == ServicePoint.commune_id)
        .where(campaign_communes.c.campaign_id == campaign.id, ServicePoint.active.is_(True))
        .order_by(ServicePoint.id)
    ).all()
    if not points:
        return 0
    window_start, _ = local_day_bounds(campaign.starts_on)
    _, window_end = local_day_bounds(campaign.ends_on)
    # any shift at the same point and times blocks a new one (the unique constraint), whichever
    # campaign made it; a cancelled one stays cancelled
    existing = {
        tuple(row)
        for row in session.execute(
            select(Shift.service_point_id, Shift.starts_at, Shift.ends_at).where(
                Shift.service_point_id.in_([p.id for p in points]),
                Shift.starts_at >= window_start,
                Shift.starts_at < window_end,
            )
        )
    }
    weekdays = set(campaign.weekdays)
    added = 0
    day = campaign.starts_on
    while day <= campaign.ends_on:
        if day.weekday() in weekdays:
            for starts_at, ends_at in local_shift_times(campaign, day):
                for point in points:
                    if (point.id, starts_at, ends_at) in existing:
                        continue
                    session.add(
                        Shift(
                            campaign=campaign,
                            service_point_id=point.id,
                            starts_at=starts_at,
                            ends_at=ends_at,
                            status=ShiftStatus.ACTIVE,
                        )
                    )
                    existing.add((point.id, starts_at, ends_at))
                    added += 1
        day += timedelta(days=1)
    session.flush()
    return added


def book_shift(session, shift: Shift, user: User, now: datetime | None = None) -> Booking:
    """Book a place on the shift, or the waitlist when it is full; a second call is a no-op."""
    now = now or utcnow()
    # Lock the person first, then the shift (always in this order, so no deadlock): the person's
    # lock serialises their own bookings (overlaps, weekly limit), the shift's its capacity.
    locked(session, User, user.id)
    shift = _locked_shift(session, shift.id)
    booking = session.scalar(
        select(Booking).where(Booking.shift_id == shift.id, Booking.user_id == user.id)
    )
    if booking is not None and booking.status in HOLDING:
        return booking
    if shift.status != ShiftStatus.ACTIVE or shift.starts_at <= now:
        raise ShiftClosed()
    if holds_overlapping(session, user.id, shift):
        raise Overlap()
    campaign = shift.campaign
    if (
        campaign.weekly_limit is not None
        and held_in_week(session, user.id, shift) >= campaign.weekly_limit
    ):
        raise WeeklyLimit()
    status = (
        BookingStatus.CONFIRMED
        if confirmed_count(session, shift.id) < campaign.max_per_shift
        else BookingStatus.WAITLISTED
    )
    if booking is None:
        booking = Booking(shift_id=shift.id, user_id=user.id)
        session.add(booking)
    booking.status = status
    booking.created_at = now
    booking.cancelled_at = None
    session.flush()
    return booking


def cancel_booking(
    session, booking: Booking, by_coordinator: bool = False, now: datetime | None = None
) -> Booking | None:
    """Give up a booking; return the waitlisted booking promoted to the freed place, if any."""
    now = now or utcnow()
    shift = _locked_shift(session, booking.shift_id)
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


def promote_waitlist(session, shift: Shift, now: datetime | None = None) -> list[Booking]:
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


def _locked_shift(session, shift_id: int) -> Shift:
    shift = locked(session, Shift, shift_id)
    # the lock may have waited for another writer: read the row as that writer left it
    session.refresh(shift)
    return shift


def confirmed_count(session, shift_id: int) -> int:
    """Confirmed places of a shift; read under the shift's lock when it decides a booking."""
    return session.scalar(
        select(func.count())
        .select_from(Booking)
        .where(Booking.shift_id == shift_id, Booking.status == BookingStatus.CONFIRMED)
    )


def holds_overlapping(session, user_id: int, shift: Shift) -> bool:
    """Whether the person already holds (or waits for) another active shift at the same time."""
    return (
        session.scalar(
            select(Booking.id)
            .join(Shift, Shift.id == Booking.shift_id)
            .where(
                Booking.user_id == user_id,
                Booking.status.in_(HOLDING),
                Booking.shift_id != shift.id,
                Shift.status == ShiftStatus.ACTIVE,
                Shift.starts_at < shift.ends_at,
                Shift.ends_at > shift.starts_at,
            )
            .limit(1)
        )
        is not None
    )


def held_in_week(session, user_id: int, shift: Shift, ignore=()) -> int:
    """Bookings the person holds in the campaign during the local ISO week of the shift, but on
    this shift and the `ignore`d ones (a move leaves one of them).

    Waitlisted bookings count too: a promotion must never take a person over the limit.
    """
    local_day = shift.starts_at.astimezone(LOCAL_ZONE).date()
    monday = local_day - timedelta(days=local_day.weekday())
    week_start, _ = local_day_bounds(monday)
    _, week_end = local_day_bounds(monday + timedelta(days=6))
    return session.scalar(
        select(func.count())
        .select_from(Booking)
        .join(Shift, Shift.id == Booking.shift_id)
        .where(
            Booking.user_id == user_id,
            Booking.status.in_(HOLDING),
            Booking.shift_id.not_in([shift.id, *ignore]),
            Shift.campaign_id == shift.campaign_id,
            Shift.status == ShiftStatus.ACTIVE,
            Shift.starts_at >= week_start,
            Shift.starts_at < week_end,
        )
    )


def local_day_bounds(day: date) -> tuple[datetime, datetime]:
    """The UTC instants at which a local day starts and the next one starts."""
    start = datetime.combine(day, time(), tzinfo=LOCAL_ZONE)
    end = datetime.combine(day + timedelta(days=1), time(), tzinfo=LOCAL_ZONE)
    return start.astimezone(UTC), end.astimezone(UTC)


# --- the volunteer's pages: finding shifts and listing one's own bookings ---------------------


@dataclass(frozen=True)
class ShiftRow:
    """A shift found for a volunteer, with its counts of confirmed and waitlisted bookings."""

    shift: Shift
    confirmed: int
    waitlisted: int

    @property
    def capacity(self) -> int:
        return self.shift.campaign.max_per_shift

    @property
    def full(self) -> bool:
        return self.confirmed >= self.capacity


def local_today(now: datetime | None = None) -> date:
    """Today's date in Asia/Ho_Chi_Minh."""
    return (now or utcnow()).astimezone(LOCAL_ZONE).date()


def find_shifts(
    session,
    *,
    commune_query: str = "",
    day: date,
    free_only: bool = False,
    home_commune_id: int | None = None,
    now: datetime | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[ShiftRow]:
    """Active shifts not yet started on one local day, the home commune's first.

    ``commune_query`` matches the commune's name ignoring diacritics and case.
    """
    confirmed = count_of(BookingStatus.CONFIRMED)
    stmt = _active_shifts_on(day, confirmed).where(Shift.starts_at > (now or utcnow()))
    folded = fold(commune_query or "")
    if folded:
        escaped = folded.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        stmt = stmt.where(Commune.search_name.like(f"%{escaped}%", escape="\\"))
    if free_only:
        stmt = stmt.where(confirmed < Campaign.max_per_shift)
    home_first = case((Commune.id == home_commune_id, 0), else_=1)
    stmt = stmt.order_by(
        home_first, Shift.starts_at, Commune.search_name, ServicePoint.name, Shift.id
    )
    rows = session.execute(stmt.limit(limit).offset(offset)).all()
    return [ShiftRow(shift, n_confirmed, n_waitlisted) for shift, n_confirmed, n_waitlisted in rows]


def held_statuses(session, user_id: int, shift_ids) -> dict[int, BookingStatus]:
    """The status of the person's confirmed or waitlisted bookings on these shifts, by shift id."""
    if not shift_ids:
        return {}
    rows = session.execute(
        select(Booking.shift_id, Booking.status).where(
            Booking.user_id == user_id,
            Booking.shift_id.in_(list(shift_ids)),
            Booking.status.in_(HOLDING),
        )
    )
    return {shift_id: BookingStatus(status) for shift_id, status in rows}


def waitlist_position(session, booking: Booking) -> int:
    """The booking's place in its shift's waitlist, counting from 1."""
    return session.scalar(
        select(func.count())
        .select_from(Booking)
        .where(
            Booking.shift_id == booking.shift_id,
            Booking.status == BookingStatus.WAITLISTED,
            or_(
                Booking.created_at < booking.created_at,
                and_(Booking.created_at == booking.created_at, Booking.id <= booking.id),
            ),
        )
    )


def cancel_deadline(shift: Shift) -> datetime:
    """The last moment a volunteer may give up a confirmed place on the shift by themselves."""
    return shift.starts_at - timedelta(hours=shift.campaign.cancel_deadline_hours)


def may_cancel(booking: Booking, now: datetime | None = None) -> bool:
    """Whether the person may cancel the booking themselves now (as cancel_booking allows)."""
    now = now or utcnow()
    if booking.status == BookingStatus.WAITLISTED:
        return booking.shift.starts_at > now
    return booking.status == BookingStatus.CONFIRMED and now < cancel_deadline(booking.shift)


def bookings_of(session, user_id: int, *, limit: int = 100) -> list[Booking]:
    """The person's bookings, confirmed, waitlisted or cancelled, the latest shift first."""
    return list(
        session.scalars(
            select(Booking)
            .join(Booking.shift)
            .join(Shift.service_point)
            .join(ServicePoint.commune)
            .join(Shift.campaign)
            .options(
                contains_eager(Booking.shift)
                .contains_eager(Shift.service_point)
                .contains_eager(ServicePoint.commune),
                contains_eager(Booking.shift).contains_eager(Shift.campaign),
            )
            .where(Booking.user_id == user_id)
            .order_by(Shift.starts_at.desc(), Booking.id.desc())
            .limit(limit)
        )
    )


def count_of(status: BookingStatus):
    """A correlated count of the shift's bookings with this status, for a SELECT list."""
    return (
        select(func.count())
        .select_from(Booking)
        .where(Booking.shift_id == Shift.id, Booking.status == status)
        .correlate(Shift)
        .scalar_subquery()
    )


# --- the JSON API -------------------------------------------------------------------------------


def shifts_for_commune_on(session, commune: Commune, day: date) -> list[ShiftRow]:
    """Every active shift at the commune's service points starting on one local day, by time."""
    stmt = (
        _active_shifts_on(day, count_of(BookingStatus.CONFIRMED))
        .where(ServicePoint.commune_id == commune.id)
        .order_by(Shift.starts_at, ServicePoint.name, Shift.id)
    )
    return [
        ShiftRow(shift, confirmed, waitlisted)
        for shift, confirmed, waitlisted in session.execute(stmt)
    ]


def _active_shifts_on(day: date, confirmed):
    """Active shifts starting on one local day, with their place, campaign and counts loaded."""
    day_start, day_end = local_day_bounds(day)
    return (
        select(Shift, confirmed, count_of(BookingStatus.WAITLISTED))
        .join(Shift.service_point)
        .join(ServicePoint.commune)
        .join(Shift.campaign)
        .options(
            contains_eager(Shift.service_point).contains_eager(ServicePoint.commune),
            contains_eager(Shift.campaign),
        )
        .where(
            Shift.status == ShiftStatus.ACTIVE,
            Shift.starts_at >= day_start,
            Shift.starts_at < day_end,
        )
    )
