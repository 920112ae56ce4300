"""Scheduling operations: generate a campaign's shifts, find them, and read a person's bookings.

Booking itself (placing a person on a shift under the row locks, cancelling, the waitlist) is in
scheduling.booking. Services flush; the caller commits once.
"""

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import NamedTuple

from sqlalchemy import (
    Integer,
    ScalarSelect,
    Select,
    String,
    and_,
    bindparam,
    case,
    func,
    or_,
    select,
)
from sqlalchemy.orm import Session, contains_eager

from app.auth.models import User
from app.database import alphabetical, utcnow
from app.errors import DomainError
from app.i18n import lazy_gettext as _l
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
from scheduling.skills.services import SkillNeed, lacks_reader_skill, needs_column, parse

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
    #: the skills the shift asks for (scheduling.skills), each saying if the reader has it
    skills: tuple[SkillNeed, ...] = ()

    @property
    def wants_your_skill(self) -> list[SkillNeed]:
        """The skills of the reader's that the shift is short of."""
        return [n for n in self.skills if n.yours and n.lacking]

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
    reader_id: int | None = None,
    now: datetime | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[ShiftRow]:
    """Active shifts not yet started on one local day: those short of a skill the reader has
    first, then the home commune's.

    ``commune_query`` matches the commune's name ignoring diacritics and case, or is its
    official code (``00004``, as the API and the imports name communes).
    """
    day_start, day_end = local_day_bounds(day)
    params: dict[str, object] = {
        "day_start": day_start,
        "day_end": day_end,
        "now": now or utcnow(),
        "home_commune_id": home_commune_id,
        "reader_id": reader_id,
        "limit": limit,
        "offset": offset,
    }
    folded = fold(commune_query or "")
    if folded:
        escaped = folded.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        params["pattern"] = f"%{escaped}%"
        params["code"] = commune_query.strip() if folded.isdigit() else None
    rows = session.execute(_FIND_SHIFTS[bool(folded), free_only], params).all()
    return [
        ShiftRow(shift, n_confirmed, n_waitlisted, parse(needs))
        for shift, n_confirmed, n_waitlisted, needs in rows
    ]


def _find_shifts(by_commune: bool, free_only: bool) -> Select[Shift, int, int, str | None]:
    """find_shifts' statement, its values bound at execution: built once per shape (a page of
    /shifts spent a fifth of its time building it anew)."""
    confirmed = count_of(BookingStatus.CONFIRMED)
    stmt = _active_shifts_on(confirmed).where(Shift.starts_at > bindparam("now"))
    if by_commune:
        # the communes named first (a few of 3,321), then their points' shifts through the
        # (service point, start) index: a filter on the joined commune's name made the planner
        # read every campaign's shifts of the day (5 ms at 30 campaigns, 1 ms at one)
        named = select(Commune.id).where(
            or_(
                Commune.search_name.like(bindparam("pattern"), escape="\\"),
                Commune.code == bindparam("code", type_=String),
            )
        )
        stmt = stmt.where(ServicePoint.commune_id.in_(named))
    if free_only:
        stmt = stmt.where(confirmed < Campaign.max_per_shift)
    home_first = case((Commune.id == bindparam("home_commune_id", type_=Integer), 0), else_=1)
    return (
        stmt.order_by(
            case((lacks_reader_skill(_READER), 0), else_=1),
            home_first,
            Shift.starts_at,
            alphabetical(Commune.name),
            alphabetical(ServicePoint.name),
            Shift.id,
        )
        .limit(bindparam("limit", type_=Integer))
        .offset(bindparam("offset", type_=Integer))
    )


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


class CommuneDayShift(NamedTuple):
    """A shift of a commune's day as the API lists it: plain values read in one statement, no
    mapped object (loading three objects per shift cost more than the query itself)."""

    id: int
    starts_at: datetime
    ends_at: datetime
    service_point_id: int
    service_point_name: str
    capacity: int
    confirmed: int
    waitlisted: int
    #: the skills the shift asks for (scheduling.skills), each saying if the reader has it
    skills: tuple[SkillNeed, ...]

    @property
    def wants_your_skill(self) -> list[SkillNeed]:
        """The skills of the reader's that the shift is short of."""
        return [n for n in self.skills if n.yours and n.lacking]


class CommuneDay(NamedTuple):
    """A commune (by its official code) and its active shifts on one local day."""

    code: str
    name: str
    shifts: list[CommuneDayShift]


def commune_day(
    session: Session, code: str, day: date, reader_id: int | None = None
) -> CommuneDay | None:
    """The commune of this official code and every active shift at its service points starting
    on one local day, by time; with a reader, those short of a skill they have first. None when
    no commune has the code.

    The shifts come with their commune's name, in one statement; the commune is read on its own
    only when the day has no shift, to tell an empty day from an unknown code. Both run on the
    session's connection: they return plain values, and the ORM's execution layer around a
    statement cost more than the statement (every phone that looks for shifts asks this)."""
    day_start, day_end = local_day_bounds(day)
    connection = session.connection()
    rows = connection.execute(
        _COMMUNE_DAY,
        {"code": code, "day_start": day_start, "day_end": day_end, "reader_id": reader_id},
    ).all()
    if rows:
        name = rows[0][-1]
        return CommuneDay(
            code, name, [CommuneDayShift._make((*row[:-2], parse(row[-2]))) for row in rows]
        )
    commune_name = connection.execute(_COMMUNE_NAME, {"code": code}).scalar_one_or_none()
    return None if commune_name is None else CommuneDay(code, commune_name, [])


def _active_shifts_on(confirmed: ScalarSelect[int]) -> Select[Shift, int, int, str | None]:
    """Active shifts starting between the bound ``day_start`` and ``day_end``, with their place,
    campaign, counts and skill needs (for the bound ``reader_id``) loaded."""
    return (
        select(Shift, confirmed, count_of(BookingStatus.WAITLISTED), needs_column(_READER))
        .join(Shift.service_point)
        .join(ServicePoint.commune)
        .join(Shift.campaign)
        .options(
            contains_eager(Shift.service_point).contains_eager(ServicePoint.commune),
            contains_eager(Shift.campaign),
        )
        .where(
            Shift.status == ShiftStatus.ACTIVE,
            Shift.starts_at >= bindparam("day_start"),
            Shift.starts_at < bindparam("day_end"),
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
        _HELD,
        {
            "user_id": user_id,
            "before": max(s.ends_at for s in shifts),
            "after": min(s.starts_at for s in shifts),
        },
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


#: held_and_overlaps' statement: the person's held shifts in a window, with their service point
#: (the page names the point of the shift another one overlaps)
_HELD = (
    select(Shift, Booking.status)
    .join(Booking, Booking.shift_id == Shift.id)
    .join(Shift.service_point)
    .options(contains_eager(Shift.service_point))
    .where(
        Booking.user_id == bindparam("user_id"),
        Booking.status.in_(HOLDING),
        Shift.status == ShiftStatus.ACTIVE,
        Shift.starts_at < bindparam("before"),
        Shift.ends_at > bindparam("after"),
    )
    .order_by(Shift.starts_at)
)

# Statements built once, at import (no database is touched), their values bound at execution.

#: the person reading a list of shifts (None when nobody is signed in): their skills come first
_READER = bindparam("reader_id", type_=Integer)

_shifts, _points, _campaigns = Shift.__table__, ServicePoint.__table__, Campaign.__table__
_communes = Commune.__table__
_bookings = Booking.__table__


def _count_on_table(status: BookingStatus) -> ScalarSelect[int]:
    """count_of, on the tables."""
    return (
        select(func.count())
        .select_from(_bookings)
        .where(_bookings.c.shift_id == _shifts.c.id, _bookings.c.status == status)
        .correlate(_shifts)
        .scalar_subquery()
    )


#: (filtered by a commune's name, free places only) -> find_shifts' statement
_FIND_SHIFTS = {
    (by_commune, free_only): _find_shifts(by_commune, free_only)
    for by_commune in (False, True)
    for free_only in (False, True)
}


#: commune_day's statement, on the tables: it returns values, not mapped objects
_COMMUNE_DAY = (
    select(
        _shifts.c.id,
        _shifts.c.starts_at,
        _shifts.c.ends_at,
        _points.c.id,
        _points.c.name,
        _campaigns.c.max_per_shift,
        _count_on_table(BookingStatus.CONFIRMED),
        _count_on_table(BookingStatus.WAITLISTED),
        needs_column(_READER),
        _communes.c.name,
    )
    .select_from(
        _shifts.join(_points, _points.c.id == _shifts.c.service_point_id)
        .join(_communes, _communes.c.id == _points.c.commune_id)
        .join(_campaigns, _campaigns.c.id == _shifts.c.campaign_id)
    )
    .where(
        _communes.c.code == bindparam("code"),
        _shifts.c.status == ShiftStatus.ACTIVE,
        _shifts.c.starts_at >= bindparam("day_start"),
        _shifts.c.starts_at < bindparam("day_end"),
    )
    .order_by(
        case((lacks_reader_skill(_READER), 0), else_=1),
        _shifts.c.starts_at,
        alphabetical(_points.c.name),
        _shifts.c.id,
    )
)

#: commune_day's statement for a day without shifts
_COMMUNE_NAME = select(_communes.c.name).where(_communes.c.code == bindparam("code"))
