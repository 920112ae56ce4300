"""What a volunteer and a coordinator need first when they open the site: their day's shifts."""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from app.auth.models import User
from app.database import utcnow
from app.localtime import local_day_bounds, local_today
from app.places.models import Commune
from app.scope import CoordinatorScope
from scheduling import services
from scheduling.campaigns.services import campaigns_in_scope
from scheduling.checkin import services as checkin
from scheduling.checkin.models import Attendance
from scheduling.coverage import services as coverage
from scheduling.coverage.services import ShiftCount
from scheduling.models import Booking, BookingStatus, Campaign, Shift

#: understaffed shifts and today's shifts listed on a coordinator's home; the board has the rest
SHOWN = 5


@dataclass
class VolunteerToday:
    """The volunteer's next held shift, waitlist places, check-ins and hours."""

    next_booking: Booking | None
    #: the next shift has started and not ended
    running: bool
    #: the last moment the volunteer may cancel the next shift themselves, if that is still open
    cancel_until: datetime | None
    #: check-ins not yet checked out on shifts still running
    checked_in: list[Attendance]
    #: (booking, place on the waitlist) for each upcoming waitlisted booking, soonest first
    waitlisted: list[tuple[Booking, int]]
    #: (campaign, hours attended), the latest campaign first
    hours: list[tuple[Campaign, float]]
    home_commune: Commune | None


def volunteer_today(session: Session, user: User, now: datetime | None = None) -> VolunteerToday:
    """Gather the volunteer's today: the next confirmed shift first, then what waits."""
    now = now or utcnow()
    upcoming = [b for b in services.bookings_of(session, user.id) if b.shift.ends_at > now]
    upcoming.reverse()  # the soonest first
    confirmed = [b for b in upcoming if b.status == BookingStatus.CONFIRMED]
    following = confirmed[0] if confirmed else None
    return VolunteerToday(
        next_booking=following,
        running=following is not None and following.shift.starts_at <= now,
        cancel_until=(
            services.cancel_deadline(following.shift)
            if following is not None and services.may_cancel(following, now)
            else None
        ),
        checked_in=checkin.open_attendances(session, user.id, now),
        waitlisted=[
            (b, services.waitlist_position(session, b))
            for b in upcoming
            if b.status == BookingStatus.WAITLISTED
        ],
        hours=hours_by_campaign(session, user.id, now),
        home_commune=user.home_commune,
    )


def hours_by_campaign(
    session: Session, user_id: int, now: datetime | None = None
) -> list[tuple[Campaign, float]]:
    """The hours the person attended in each campaign (as the attendance reports count them)."""
    now = now or utcnow()
    attendances = session.scalars(
        select(Attendance)
        .join(Attendance.booking)
        .where(Booking.user_id == user_id)
        .options(
            joinedload(Attendance.booking).joinedload(Booking.shift).joinedload(Shift.campaign)
        )
    )
    totals: dict[int, tuple[Campaign, float]] = {}
    for attendance in attendances:
        campaign = attendance.shift.campaign
        _campaign, hours = totals.get(campaign.id, (campaign, 0.0))
        totals[campaign.id] = (campaign, hours + attendance.hours(now))
    return sorted(totals.values(), key=lambda item: (item[0].starts_on, item[0].id), reverse=True)


@dataclass
class TodayShift:
    """One of today's shifts with the people booked and those who have checked in so far."""

    count: ShiftCount
    arrived: int

    @property
    def missing(self) -> int:
        return max(self.count.confirmed - self.arrived, 0)


@dataclass
class CoordinatorToday:
    """The coordinator's current campaign, in their scope: what to staff and who came today."""

    campaign: Campaign | None
    #: understaffed shifts starting within 72 hours, the soonest first
    understaffed: list[ShiftCount] = field(default_factory=list)
    #: today's shifts, the started ones with the most people missing first
    today: list[TodayShift] = field(default_factory=list)

    @property
    def booked_today(self) -> int:
        return sum(s.count.confirmed for s in self.today)

    @property
    def arrived_today(self) -> int:
        return sum(s.arrived for s in self.today)


def coordinator_today(
    session: Session, user: User, now: datetime | None = None
) -> CoordinatorToday:
    """Gather the coordinator's today in their scope, in the campaign the coverage board opens."""
    now = now or utcnow()
    today = local_today(now)
    campaign = coverage.current_campaign(
        campaigns_in_scope(session, CoordinatorScope.of(user)), today
    )
    if campaign is None:
        return CoordinatorToday(None)
    start, end = local_day_bounds(today)
    counts = coverage.shift_counts(session, campaign, user, starts_from=start, starts_before=end)
    arrived = _arrivals(session, [c.shift_id for c in counts])
    shifts = [TodayShift(c, arrived.get(c.shift_id, 0)) for c in counts]
    shifts.sort(key=lambda s: (s.count.starts_at > now, -s.missing, s.count.starts_at))
    return CoordinatorToday(
        campaign, coverage.understaffed_soon(session, campaign, user, now), shifts
    )


def _arrivals(session: Session, shift_ids: list[int]) -> dict[int, int]:
    """The number of people checked in on each of these shifts."""
    if not shift_ids:
        return {}
    rows = session.execute(
        select(Booking.shift_id, func.count(Attendance.id))
        .join(Attendance, Attendance.booking_id == Booking.id)
        .where(Booking.shift_id.in_(shift_ids))
        .group_by(Booking.shift_id)
    )
    return {shift_id: int(n) for shift_id, n in rows}
