"""The one booking operation: place a person on a shift under the row locks, say what happened.

Capacity is enforced inside the caller's transaction (DESIGN.md): the person's row, then the
shift's row, are locked (``SELECT … FOR UPDATE`` on PostgreSQL; on SQLite the caller opens the
transaction as a writer, ``BEGIN IMMEDIATE``, app.database.begin_write or any POST request), and
the confirmed places are counted under the shift's lock. Always people before shifts, each in id
order, so no two placements deadlock. `place` flushes; the caller commits once.

A booking is the busiest write of a campaign's opening hour, so it is kept short: the shift and
its campaign are read before the lock; the statement that takes the shift's lock reads again its
status and times and its campaign's limits (checked against what was read before) and what
decides the verdict (the person's booking on the shift, the confirmed places, an overlapping
shift, the week's bookings): on SQLite in that one statement, on PostgreSQL in one more just
after it (app.database.lock_row says why); the person's row is locked without being read again.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import Session, joinedload

from app.auth.models import User
from app.database import lock_people, lock_row, locked, utcnow
from app.localtime import local_date, local_day_bounds
from scheduling.models import Booking, BookingStatus, Campaign, Shift, ShiftStatus
from scheduling.services import HOLDING


class Reason(StrEnum):
    """Why a person was or was not placed on a shift."""

    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    #: the person already holds what this placement would give them; nothing changed
    ALREADY_BOOKED = "already_booked"
    FULL = "full"
    OVERLAP = "overlap"
    WEEKLY_LIMIT = "weekly_limit"
    SHIFT_CLOSED = "shift_closed"


#: in the statements below: a value, or a bound parameter of the statement built once
Value = Any

#: the reasons a placement was made (a booking held after it that was not held before)
MADE = (Reason.CONFIRMED, Reason.WAITLISTED)


@dataclass
class Placement:
    """One person on one shift: what happened, the booking they hold, and the shift in the way.

    `created` is true when this placement made (or revived) the booking; `conflict` is the other
    shift of an `overlap`.
    """

    person: User
    shift: Shift
    reason: Reason
    booking: Booking | None = None
    conflict: Shift | None = None

    @property
    def created(self) -> bool:
        return self.reason in MADE

    @property
    def placed(self) -> bool:
        """Whether the person holds a confirmed place made by this placement."""
        return self.reason == Reason.CONFIRMED

    @property
    def held(self) -> bool:
        """Whether the person holds a booking on the shift after this placement."""
        return self.booking is not None and self.booking.status in HOLDING


def lock_for_placement(session: Session, people: Iterable[User], shifts: Iterable[Shift]) -> None:
    """Lock every person, then every shift, each in id order: the order every placement uses."""
    lock_people(session, User, {p.id for p in people})
    for shift_id in sorted({s.id for s in shifts}):
        lock_shift(session, shift_id)


def lock_shift(session: Session, shift_id: int) -> Shift | None:
    """The shift, read with its campaign under the shift's lock (the campaign's row is not
    locked); None when it does not exist."""
    return locked(session, Shift, shift_id, _WITH_CAMPAIGN)


#: lock_shift's loader option, made once (app.database.locked builds its statement once for it)
_WITH_CAMPAIGN = joinedload(Shift.campaign, innerjoin=True)


def place(
    session: Session,
    shift: Shift,
    person: User,
    *,
    waitlist: bool,
    weekly_limit: bool,
    closes_at: datetime | None = None,
    leaving: Shift | None = None,
    releasing: Booking | None = None,
    now: datetime | None = None,
) -> Placement:
    """Place the person on the shift under the locks, or say why not; flush what was made.

    The person's row and the shift's are locked here, then `judge` decides under them. A
    booking made (or revived from cancelled) starts its waitlist time now; a waitlisted person
    confirmed keeps theirs. A caller placing several people or on several shifts locks them all
    first (`lock_for_placement`), so the locks taken here are already held.
    """
    now = now or utcnow()
    lock_for_placement(session, [person], [])
    verdict = judge(
        session,
        shift,
        person,
        waitlist=waitlist,
        weekly_limit=weekly_limit,
        closes_at=closes_at,
        leaving=leaving,
        releasing=releasing,
        now=now,
        lock=True,
    )
    if not verdict.created:
        return verdict
    if releasing is not None and verdict.reason == Reason.CONFIRMED:
        # handed over: the place is given up in the flush that gives it, never free in between
        releasing.status = BookingStatus.CANCELLED
        releasing.cancelled_at = now
    booking = verdict.booking
    if booking is None:
        booking = Booking(shift_id=shift.id, user_id=person.id)
        session.add(booking)
    if booking.status != BookingStatus.WAITLISTED:
        booking.created_at = now
    booking.status = (
        BookingStatus.CONFIRMED if verdict.reason == Reason.CONFIRMED else BookingStatus.WAITLISTED
    )
    booking.cancelled_at = None
    session.flush()
    return Placement(person, shift, verdict.reason, booking)


def judge(
    session: Session,
    shift: Shift,
    person: User,
    *,
    waitlist: bool,
    weekly_limit: bool,
    closes_at: datetime | None = None,
    leaving: Shift | None = None,
    releasing: Booking | None = None,
    now: datetime | None = None,
    lock: bool = False,
) -> Placement:
    """What placing the person on the shift would do now, writing nothing (`place` writes it).

    The rules, in this order:

    - `already_booked` when they already hold a confirmed place (or, with `waitlist`, a place on
      the waitlist);
    - `shift_closed` when the shift is cancelled or `closes_at` has come (its start by default);
    - `full` when every place is confirmed and `waitlist` is false; with `waitlist` the person
      waits instead (`waitlisted`), first come first served;
    - `overlap` when they hold another active shift at the same time (`conflict` names it);
    - `weekly_limit` when `weekly_limit` is true and they already hold the campaign's limit of
      shifts in the shift's local week (waitlisted ones count);
    - otherwise `confirmed` (or `waitlisted` when full).

    `leaving` is a shift the person is moving away from: it counts neither as an overlap nor
    towards the week. `releasing` is another person's confirmed booking of this shift that
    they hand over to this person (a swap): its place counts as free, and `place` cancels it
    when it confirms the person, in the same flush. Without the locks `place` takes, the
    answer is a preview that another writer may change.

    With `lock` (`place`), the statement that reads the figures takes the shift's lock, and
    reads again what of the shift and its campaign decides the verdict: the lock is held from
    the moment the figures are known. When that changed since the shift was read (moved,
    cancelled, re-limited by a coordinator just before), both are read again and so are the
    figures, under the lock.
    """
    now = now or utcnow()
    params = _facts_params(shift, person, weekly_limit, leaving)
    if lock:
        held = lock_row(session, Shift, shift.id, _DECIDING, _figures(params), params)
        assert held is not None, "a shift being placed on was deleted"
        deciding, row = tuple(held[: len(_DECIDING)]), held[len(_DECIDING) :]
        if deciding != _deciding(shift):
            session.refresh(shift)
            session.refresh(shift.campaign)
            params = _facts_params(shift, person, weekly_limit, leaving)
            row = session.execute(_statement(params), params).one()
    else:
        row = session.execute(_statement(params), params).one()
    limit = shift.campaign.weekly_limit
    counts_week = "week_start" in params
    booking_id, confirmed, conflict_id = row[0], row[1], row[2]
    held_in_week_now: int = row[3] if counts_week else 0
    booking = session.get(Booking, booking_id) if booking_id is not None else None

    def verdict(reason: Reason, conflict: Shift | None = None) -> Placement:
        return Placement(person, shift, reason, booking, conflict)

    if booking is not None and (
        booking.status == BookingStatus.CONFIRMED
        or (waitlist and booking.status == BookingStatus.WAITLISTED)
    ):
        return verdict(Reason.ALREADY_BOOKED)
    if shift.status != ShiftStatus.ACTIVE or (closes_at or shift.starts_at) <= now:
        return verdict(Reason.SHIFT_CLOSED)
    freed = int(
        releasing is not None
        and releasing.shift_id == shift.id
        and releasing.status == BookingStatus.CONFIRMED
    )
    room = confirmed - freed < shift.campaign.max_per_shift
    if not room and not waitlist:
        return verdict(Reason.FULL)
    if conflict_id is not None:
        return verdict(Reason.OVERLAP, session.get(Shift, conflict_id))
    if limit is not None and counts_week and held_in_week_now >= limit:
        return verdict(Reason.WEEKLY_LIMIT)
    return verdict(Reason.CONFIRMED if room else Reason.WAITLISTED)


def confirmed_count(session: Session, shift_id: int) -> int:
    """Confirmed places of a shift; read under the shift's lock when it decides a booking."""
    return session.execute(_confirmed(shift_id)).scalar_one()


def _confirmed(shift_id: Value) -> Select:
    return (
        select(func.count())
        .select_from(Booking)
        .where(Booking.shift_id == shift_id, Booking.status == BookingStatus.CONFIRMED)
    )


def overlapping_shift(
    session: Session, user_id: int, shift: Shift, ignore: Iterable[int] = ()
) -> Shift | None:
    """Another active shift the person holds (or waits for) that overlaps this one, but the
    `ignore`d ones."""
    skip = [shift.id, *ignore]
    return session.scalar(_overlapping(user_id, shift.starts_at, shift.ends_at, skip))


def _overlapping(user_id: Value, starts_at: Value, ends_at: Value, skip: Value) -> Select:
    return (
        select(Shift)
        .join(Booking, Booking.shift_id == Shift.id)
        .where(
            Booking.user_id == user_id,
            Booking.status.in_(HOLDING),
            Shift.id.not_in(skip),
            Shift.status == ShiftStatus.ACTIVE,
            Shift.starts_at < ends_at,
            Shift.ends_at > starts_at,
        )
        .order_by(Shift.starts_at)
        .limit(1)
    )


def held_in_week(session: Session, user_id: int, shift: Shift, ignore: Iterable[int] = ()) -> int:
    """Bookings the person holds in the campaign during the local ISO week of the shift, but on
    this shift and the `ignore`d ones (a move leaves one of them).

    Waitlisted bookings count too: a promotion must never take a person over the limit.
    """
    week_start, week_end = _week_of(shift)
    skip = [shift.id, *ignore]
    stmt = _held_in_week(user_id, shift.campaign_id, week_start, week_end, skip)
    return session.execute(stmt).scalar_one()


def _week_of(shift: Shift) -> tuple[datetime, datetime]:
    """The UTC bounds of the shift's local ISO week, Monday to Sunday."""
    local_day = local_date(shift.starts_at)
    monday = local_day - timedelta(days=local_day.weekday())
    week_start, _ = local_day_bounds(monday)
    _, week_end = local_day_bounds(monday + timedelta(days=6))
    return week_start, week_end


def _held_in_week(
    user_id: Value, campaign_id: Value, week_start: Value, week_end: Value, skip: Value
) -> Select:
    return (
        select(func.count())
        .select_from(Booking)
        .join(Shift, Shift.id == Booking.shift_id)
        .where(
            Booking.user_id == user_id,
            Booking.status.in_(HOLDING),
            Booking.shift_id.not_in(skip),
            Shift.campaign_id == campaign_id,
            Shift.status == ShiftStatus.ACTIVE,
            Shift.starts_at >= week_start,
            Shift.starts_at < week_end,
        )
    )


def _facts(with_week: bool) -> tuple:
    """What decides a verdict, in one statement, each figure a subquery: the person's booking
    on the shift, the shift's confirmed places, an overlapping shift the person holds, and (with
    `with_week`) the bookings they hold in the shift's week. Built once with bound parameters:
    a booking holds the write lock while it runs, and building the statement anew each time
    cost more than running it. The figures alone: selected on their own, or beside the shift
    by the statement that locks it (`judge` with `lock`); none refers to that shift's row."""
    user_id: Value = bindparam("user_id")
    skip: Value = bindparam("skip", expanding=True)
    figures = [
        select(Booking.id)
        .where(Booking.shift_id == bindparam("shift_id"), Booking.user_id == user_id)
        .scalar_subquery(),
        _confirmed(bindparam("shift_id")).scalar_subquery(),
        _overlapping(user_id, bindparam("starts_at"), bindparam("ends_at"), skip)
        .with_only_columns(Shift.id)
        .correlate(None)
        .scalar_subquery(),
    ]
    if with_week:
        week = _held_in_week(
            user_id, bindparam("campaign_id"), bindparam("week_start"), bindparam("week_end"), skip
        )
        figures.append(week.correlate(None).scalar_subquery())
    return tuple(figures)


def _facts_params(
    shift: Shift, person: User, weekly_limit: bool, leaving: Shift | None
) -> dict[str, Value]:
    """The parameters of the verdict's figures; the week's only when the week counts."""
    params: dict[str, Value] = {
        "shift_id": shift.id,
        "user_id": person.id,
        "starts_at": shift.starts_at,
        "ends_at": shift.ends_at,
        "skip": [shift.id, leaving.id] if leaving is not None else [shift.id],
    }
    if weekly_limit and shift.campaign.weekly_limit is not None:
        params["campaign_id"] = shift.campaign_id
        params["week_start"], params["week_end"] = _week_of(shift)
    return params


#: what of a shift and its campaign decides a verdict, read again under the shift's lock
_DECIDING = (
    Shift.status,
    Shift.starts_at,
    Shift.ends_at,
    Shift.campaign_id,
    select(Campaign.max_per_shift).where(Campaign.id == Shift.campaign_id).scalar_subquery(),
    select(Campaign.weekly_limit).where(Campaign.id == Shift.campaign_id).scalar_subquery(),
)


def _deciding(shift: Shift) -> tuple:
    """`_DECIDING` as the session holds it."""
    campaign = shift.campaign
    return (
        shift.status,
        shift.starts_at,
        shift.ends_at,
        shift.campaign_id,
        campaign.max_per_shift,
        campaign.weekly_limit,
    )


def _figures(params: dict[str, Value]) -> tuple:
    return _FIGURES_WITH_WEEK if "week_start" in params else _FIGURES


def _statement(params: dict[str, Value]) -> Select:
    return _FACTS_WITH_WEEK if "week_start" in params else _FACTS


_FIGURES = _facts(with_week=False)
_FIGURES_WITH_WEEK = _facts(with_week=True)
_FACTS = select(*_FIGURES)
_FACTS_WITH_WEEK = select(*_FIGURES_WITH_WEEK)
