"""Scheduling operations: generate a campaign's shifts, find them, and read a person's bookings.

Booking itself (placing a person on a shift under the row locks, cancelling, the waitlist) is in
scheduling.booking. Services flush; the caller commits once.
"""

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import ScalarSelect, Select, and_, case, func, or_, select
from sqlalchemy.orm import Session, contains_eager

from app.auth.models import User
from app.database import alphabetical, utcnow
from app.errors import DomainError
from app.localtime import local_day_bounds, local_periods
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


@dataclass
class Generated:
    """What generating a campaign's shifts did: how many it added, and which it skipped because
    another campaign already has a shift at the same point and times."""

    added: int = 0
    #: service point name -> slots left to the other campaign's shift, in the points' order
    skipped: dict[str, int] = field(default_factory=dict)

    @property
    def skipped_total(self) -> int:
        return sum(self.skipped.values())


def generate_shifts(session: Session, campaign: Campaign) -> Generated:
    """Add the shifts of the campaign that do not exist yet; say how many were added and where
    another campaign's shift took the slot."""
    points = session.scalars(
        select(ServicePoint)
        .join(campaign_communes, campaign_communes.c.commune_id == ServicePoint.commune_id)
        .where(campaign_communes.c.campaign_id == campaign.id, ServicePoint.active.is_(True))
        .order_by(ServicePoint.id)
    ).all()
    if not points:
        return Generated()
    window_start, _ = local_day_bounds(campaign.starts_on)
    _, window_end = local_day_bounds(campaign.ends_on)
    # any shift at the same point and times blocks a new one (the unique constraint), whichever
    # campaign made it; a cancelled one stays cancelled
    existing = {
        (point_id, starts_at, ends_at): campaign_id
        for point_id, starts_at, ends_at, campaign_id in session.execute(
            select(Shift.service_point_id, Shift.starts_at, Shift.ends_at, Shift.campaign_id).where(
                Shift.service_point_id.in_([p.id for p in points]),
                Shift.starts_at >= window_start,
                Shift.starts_at < window_end,
            )
        )
    }
    weekdays = set(campaign.weekdays)
    result = Generated()
    day = campaign.starts_on
    while day <= campaign.ends_on:
        if day.weekday() in weekdays:
            for starts_at, ends_at in local_periods(day, campaign.shift_pattern):
                for point in points:
                    holder = existing.get((point.id, starts_at, ends_at))
                    if holder is not None:
                        if holder != campaign.id:
                            result.skipped[point.name] = result.skipped.get(point.name, 0) + 1
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
                    existing[(point.id, starts_at, ends_at)] = campaign.id
                    result.added += 1
        day += timedelta(days=1)
    session.flush()
    return result


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


def find_shifts(
    session: Session,
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
        # the communes named first (a few of 3,321), then their points' shifts through the
        # (service point, start) index: a filter on the joined commune's name made the planner
        # read every campaign's shifts of the day (5 ms at 30 campaigns, 1 ms at one)
        named = select(Commune.id).where(Commune.search_name.like(f"%{escaped}%", escape="\\"))
        stmt = stmt.where(ServicePoint.commune_id.in_(named))
    if free_only:
        stmt = stmt.where(confirmed < Campaign.max_per_shift)
    home_first = case((Commune.id == home_commune_id, 0), else_=1)
    stmt = stmt.order_by(
        home_first,
        Shift.starts_at,
        alphabetical(Commune.name),
        alphabetical(ServicePoint.name),
        Shift.id,
    )
    rows = session.execute(stmt.limit(limit).offset(offset)).all()
    return [ShiftRow(shift, n_confirmed, n_waitlisted) for shift, n_confirmed, n_waitlisted in rows]


def waitlist_position(session: Session, booking: Booking) -> int:
    """The booking's place in its shift's waitlist, counting from 1."""
    return session.execute(
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
    ).scalar_one()


def cancel_deadline(shift: Shift) -> datetime:
    """The last moment a volunteer may give up a confirmed place on the shift by themselves."""
    return shift.starts_at - timedelta(hours=shift.campaign.cancel_deadline_hours)


def may_cancel(booking: Booking, now: datetime | None = None) -> bool:
    """Whether the person may cancel the booking themselves now (as cancel_booking allows)."""
    now = now or utcnow()
    if booking.status == BookingStatus.WAITLISTED:
        return booking.shift.starts_at > now
    return booking.status == BookingStatus.CONFIRMED and now < cancel_deadline(booking.shift)


def bookings_of(session: Session, user_id: int, *, limit: int = 100) -> list[Booking]:
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


def count_of(status: BookingStatus) -> ScalarSelect[int]:
    """A correlated count of the shift's bookings with this status, for a SELECT list."""
    return (
        select(func.count())
        .select_from(Booking)
        .where(Booking.shift_id == Shift.id, Booking.status == status)
        .correlate(Shift)
        .scalar_subquery()
    )


# --- a commune's shifts on one day ----------------------------------------------------------------


def shifts_for_commune_on(session: Session, commune: Commune, day: date) -> list[ShiftRow]:
    """Every active shift at the commune's service points starting on one local day, by time."""
    stmt = (
        _active_shifts_on(day, count_of(BookingStatus.CONFIRMED))
        .where(ServicePoint.commune_id == commune.id)
        .order_by(Shift.starts_at, alphabetical(ServicePoint.name), Shift.id)
    )
    return [
        ShiftRow(shift, confirmed, waitlisted)
        for shift, confirmed, waitlisted in session.execute(stmt)
    ]


def _active_shifts_on(day: date, confirmed: ScalarSelect[int]) -> Select[Shift, int, int]:
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


def usual_commune(session: Session, user: User) -> Commune | None:
    """Where the volunteer looks for shifts first: their home commune, else the commune of the
    shift they booked last."""
    if user.home_commune is not None:
        return user.home_commune
    return session.scalar(
        select(Commune)
        .join(ServicePoint, ServicePoint.commune_id == Commune.id)
        .join(Shift, Shift.service_point_id == ServicePoint.id)
        .join(Booking, Booking.shift_id == Shift.id)
        .where(Booking.user_id == user.id)
        .order_by(Booking.created_at.desc(), Booking.id.desc())
        .limit(1)
    )


def held_and_overlaps(
    session: Session, user_id: int, shifts: Collection[Shift]
) -> tuple[dict[int, BookingStatus], dict[int, Shift]]:
    """For a page of shifts, in one statement: the status of the person's confirmed or
    waitlisted booking on each shift they hold, and, for each shift they do not hold that
    overlaps another they hold (or wait for), that other shift: the rule booking applies."""
    if not shifts:
        return {}, {}
    rows = session.execute(
        select(Shift, Booking.status)
        .join(Booking, Booking.shift_id == Shift.id)
        .where(
            Booking.user_id == user_id,
            Booking.status.in_(HOLDING),
            Shift.status == ShiftStatus.ACTIVE,
            Shift.starts_at < max(s.ends_at for s in shifts),
            Shift.ends_at > min(s.starts_at for s in shifts),
        )
        .order_by(Shift.starts_at)
    ).all()
    listed = {s.id for s in shifts}
    statuses = {h.id: BookingStatus(status) for h, status in rows if h.id in listed}
    overlaps = {}
    for shift in shifts:
        if shift.id in statuses:
            continue
        other = next(
            (
                h
                for h, _status in rows
                if h.id != shift.id and h.starts_at < shift.ends_at and h.ends_at > shift.starts_at
            ),
            None,
        )
        if other is not None:
            overlaps[shift.id] = other
    return statuses, overlaps
