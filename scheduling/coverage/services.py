"""The coverage board and the rosters: who is booked where, counted in one query per view.

Scope (app.scope.CoordinatorScope): an admin sees every commune, a coordinator the communes of
their grants, a commune directly or every commune of a province; its ``communes_clause`` is one
SQL condition on ``Commune`` so the counts never load out-of-scope rows.
"""

import enum
import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, bindparam, case, func, select
from sqlalchemy.orm import Session, joinedload

from app.auth.models import User
from app.database import alphabetical, utcnow
from app.localtime import (
    LOCAL_ZONE,
    local,
    local_date,
    local_day_bounds,
    local_days_bounds,
    local_today,
)
from app.places.models import Commune, ServicePoint
from app.scope import CoordinatorScope
from app.text import fold, sort_key
from scheduling.models import (
    Booking,
    BookingStatus,
    Campaign,
    Shift,
    ShiftStatus,
)
from scheduling.services import HOLDING
from scheduling.skills.services import SkillNeed, lacking, needs_column, parse

#: the widest date range of the board, so one page stays light
MAX_DAYS = 31
#: rows (service points) on one page of the board; Hanoi's 126 wards fit in four pages
ROWS_PER_PAGE = 40
#: the horizon of the "understaffed soon" list
SOON = timedelta(hours=72)


class CellState(enum.StrEnum):
    #: fewer confirmed than the campaign's minimum, or short of a skill it asks for
    UNDERSTAFFED = "understaffed"
    PARTLY_STAFFED = "partly"  # the minimum is reached, places are still free
    FULL = "full"  # the maximum is reached; more bookings go to the waitlist


def current_campaign(campaigns: list[Campaign], today: date) -> Campaign | None:
    """The campaign running today, else the next to start, else the last to end."""
    running = [c for c in campaigns if c.starts_on <= today <= c.ends_on]
    if running:
        return max(running, key=lambda c: (c.starts_on, c.id))
    coming = [c for c in campaigns if c.starts_on > today]
    if coming:
        return min(coming, key=lambda c: (c.starts_on, c.id))
    return max(campaigns, key=lambda c: (c.ends_on, c.id), default=None)


@dataclass(frozen=True)
class ShiftCount:
    """One shift of the board with its counts of confirmed and waitlisted bookings."""

    shift_id: int
    starts_at: datetime
    ends_at: datetime
    point_id: int
    point_name: str
    commune_id: int
    commune_name: str
    confirmed: int
    waitlisted: int
    minimum: int
    maximum: int
    #: the skills the shift asks for, with how many confirmed people have each
    skills: tuple[SkillNeed, ...] = ()

    @property
    def lacking(self) -> list[SkillNeed]:
        """The skills the shift is short of."""
        return lacking(self.skills)

    @property
    def short_of_people(self) -> bool:
        return self.confirmed < self.minimum

    @functools.cached_property
    def state(self) -> CellState:
        """Read several times per cell of the board: worked out once (the counts never change)."""
        if self.short_of_people or self.lacking:
            return CellState.UNDERSTAFFED
        if self.confirmed < self.maximum:
            return CellState.PARTLY_STAFFED
        return CellState.FULL

    @property
    def local_day(self) -> date:
        return local_date(self.starts_at)

    @property
    def slot(self) -> tuple[time, time]:
        """The local start and end times, which name the shift's column on the board."""
        return (
            local(self.starts_at).time(),
            local(self.ends_at).time(),
        )

    @property
    def hours(self) -> float:
        return (self.ends_at - self.starts_at).total_seconds() / 3600


def _escaped_like(folded: str) -> str:
    return "%" + folded.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


_shifts, _points, _communes = Shift.__table__, ServicePoint.__table__, Commune.__table__
_bookings = Booking.__table__


@functools.cache
def _counts_statement(scope_shape: str, by_commune: bool) -> Select:
    """shift_counts' statement, built once per scope shape and filter (on the tables: values,
    not mapped objects), its values bound at execution."""
    confirmed = func.coalesce(
        func.sum(case((_bookings.c.status == BookingStatus.CONFIRMED, 1), else_=0)), 0
    )
    waitlisted = func.coalesce(
        func.sum(case((_bookings.c.status == BookingStatus.WAITLISTED, 1), else_=0)), 0
    )
    # Communes granted one by one are few: the plan starts from their service points and reads
    # each point's shifts of the window by its unique index (service point, start); "+ 0" keeps
    # SQLite from starting at the campaign's index instead, which reads every shift the
    # campaign has in the window (~1,800 in the demo's week) to keep one commune's. A province
    # or an admin covers most of the campaign: there the campaign's index is the right start.
    campaign = _shifts.c.campaign_id + 0 if scope_shape == "communes" else _shifts.c.campaign_id
    stmt = (
        select(
            _shifts.c.id,
            _shifts.c.starts_at,
            _shifts.c.ends_at,
            _points.c.id,
            _points.c.name,
            _communes.c.id,
            _communes.c.name,
            confirmed,
            waitlisted,
            needs_column(),
        )
        .select_from(
            _shifts.join(_points, _points.c.id == _shifts.c.service_point_id)
            .join(_communes, _communes.c.id == _points.c.commune_id)
            .outerjoin(
                _bookings,
                and_(_bookings.c.shift_id == _shifts.c.id, _bookings.c.status.in_(HOLDING)),
            )
        )
        .where(
            campaign == bindparam("campaign_id"),
            _shifts.c.status == ShiftStatus.ACTIVE,
            _shifts.c.starts_at >= bindparam("starts_from"),
            _shifts.c.starts_at < bindparam("starts_before"),
            CoordinatorScope.bound_communes_clause(
                scope_shape, _communes.c.id, _communes.c.province_id
            ),
        )
        .group_by(_shifts.c.id, _points.c.id, _communes.c.id)
        .order_by(
            _shifts.c.starts_at,
            alphabetical(_communes.c.name),
            alphabetical(_points.c.name),
            _shifts.c.id,
        )
    )
    if by_commune:
        stmt = stmt.where(_communes.c.search_name.like(bindparam("pattern"), escape="\\"))
    return stmt


def shift_counts(
    session: Session,
    campaign: Campaign,
    user: User,
    *,
    starts_from: datetime,
    starts_before: datetime,
    commune_query: str = "",
) -> list[ShiftCount]:
    """The campaign's active shifts in the user's scope starting in [from, before), with counts.

    One aggregate query (bookings grouped by shift), whatever the number of communes.
    """
    scope = CoordinatorScope.of(user)
    folded = fold(commune_query or "")
    params: dict[str, Any] = {
        "campaign_id": campaign.id,
        "starts_from": starts_from,
        "starts_before": starts_before,
        **scope.bound_values(),
    }
    if folded:
        params["pattern"] = _escaped_like(folded)
    rows = session.execute(_counts_statement(scope.shape, bool(folded)), params)
    return [
        ShiftCount(  # type: ignore[misc]  # row[:7] is the first seven fields; mypy cannot count a slice
            *row[:7],
            confirmed=int(row[7]),
            waitlisted=int(row[8]),
            minimum=campaign.min_per_shift,
            maximum=campaign.max_per_shift,
            skills=parse(row[9]),
        )
        for row in rows
    ]


@dataclass
class BoardRow:
    """A service point's line on the board: its shifts by (local day, slot)."""

    commune_name: str
    point_id: int
    point_name: str
    cells: dict[tuple[date, tuple[time, time]], ShiftCount] = field(default_factory=dict)

    @property
    def understaffed(self) -> int:
        return sum(1 for c in self.cells.values() if c.state == CellState.UNDERSTAFFED)

    @property
    def first_understaffed(self) -> datetime | None:
        starts = [c.starts_at for c in self.cells.values() if c.state == CellState.UNDERSTAFFED]
        return min(starts, default=None)


@dataclass
class Board:
    """The grid of a filter: days × slots as columns, service points as rows."""

    days: list[date]
    slots: list[tuple[time, time]]
    rows: list[BoardRow]
    #: confirmed bookings × shift length over every shift of the filter
    volunteer_hours: float
    #: shifts of the filter by state
    states: dict[CellState, int]


def days_between(first: date, last: date) -> list[date]:
    """Every day from first to last, both included."""
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def build_board(
    counts: list[ShiftCount], first: date, last: date, only_understaffed: bool = False
) -> Board:
    """Arrange shift counts as a board; the rows with the most understaffed shifts come first."""
    rows: dict[int, BoardRow] = {}
    slots = set()
    states = dict.fromkeys(CellState, 0)
    hours = 0.0
    for count in counts:
        row = rows.setdefault(
            count.point_id, BoardRow(count.commune_name, count.point_id, count.point_name)
        )
        row.cells[(count.local_day, count.slot)] = count
        slots.add(count.slot)
        states[count.state] += 1
        hours += count.confirmed * count.hours
    ordered = sorted(
        rows.values(),
        key=lambda r: (
            -r.understaffed,
            r.first_understaffed or datetime.max.replace(tzinfo=LOCAL_ZONE),
            sort_key(r.commune_name),
            sort_key(r.point_name),
            r.point_id,
        ),
    )
    if only_understaffed:
        ordered = [r for r in ordered if r.understaffed]
    return Board(days_between(first, last), sorted(slots), ordered, hours, states)


def understaffed_soon(
    session: Session,
    campaign: Campaign,
    user: User,
    now: datetime | None = None,
    commune_query: str = "",
    counted: "Counted | None" = None,
) -> list[ShiftCount]:
    """Shifts starting within 72 hours with fewer confirmed people than the minimum, or short
    of a skill the campaign asks for there. `counted`: the shift counts already read for the
    same campaign, user and commune query; when their window holds the 72 hours (the board's
    default week does), the shifts are taken from them instead of a second query."""
    now = now or utcnow()
    until = now + SOON
    if counted is not None and counted.starts_from <= now and until <= counted.starts_before:
        counts = [c for c in counted.counts if now <= c.starts_at < until]
    else:
        counts = shift_counts(
            session,
            campaign,
            user,
            starts_from=now,
            starts_before=until,
            commune_query=commune_query,
        )
    return [c for c in counts if c.state == CellState.UNDERSTAFFED]


@dataclass(frozen=True)
class Counted:
    """Shift counts read by `shift_counts` with the window they cover."""

    starts_from: datetime
    starts_before: datetime
    counts: list[ShiftCount]


def default_range(today: date | None = None) -> tuple[date, date]:
    """Today and the six days after it."""
    today = today or local_today()
    return today, today + timedelta(days=6)


# --- rosters ------------------------------------------------------------------------------------


@dataclass
class RosterShift:
    """A shift of the roster with its confirmed people and its waitlist, in booking order."""

    shift: Shift
    confirmed: list[Booking] = field(default_factory=list)
    waitlisted: list[Booking] = field(default_factory=list)


def roster(session: Session, point: ServicePoint, day: date) -> list[RosterShift]:
    """The shifts at a service point starting on one local day, with who booked them."""
    day_start, day_end = local_day_bounds(day)
    shifts = session.scalars(
        select(Shift)
        .options(joinedload(Shift.campaign))
        .where(
            Shift.service_point_id == point.id,
            Shift.starts_at >= day_start,
            Shift.starts_at < day_end,
        )
        .order_by(Shift.starts_at, Shift.id)
    ).all()
    result = {s.id: RosterShift(s) for s in shifts}
    if not result:
        return []
    bookings = session.scalars(
        select(Booking)
        .options(joinedload(Booking.user))
        .where(Booking.shift_id.in_(list(result)), Booking.status.in_(HOLDING))
        .order_by(Booking.created_at, Booking.id)
    ).all()
    for booking in bookings:
        entry = result[booking.shift_id]
        if booking.status == BookingStatus.CONFIRMED:
            entry.confirmed.append(booking)
        else:
            entry.waitlisted.append(booking)
    return list(result.values())


# --- volunteers who served ----------------------------------------------------------------------


def volunteers_serving(
    session: Session,
    first: date,
    last: date,
    communes: Callable[[Any], ColumnElement[bool]],
    campaign_id: int | None = None,
) -> int:
    """How many different people held a confirmed place on an active shift starting between two
    local days at the service points of the communes `communes(commune_id_column)` keeps: the
    "volunteers" of a weekly report, counted once however many shifts they took."""
    start, end = local_days_bounds(first, last)
    where = [
        Booking.status == BookingStatus.CONFIRMED,
        Shift.status == ShiftStatus.ACTIVE,
        Shift.starts_at >= start,
        Shift.starts_at < end,
        communes(ServicePoint.commune_id),
    ]
    if campaign_id is not None:
        where.append(Shift.campaign_id == campaign_id)
    return session.execute(
        select(func.count(func.distinct(Booking.user_id)))
        .select_from(Booking)
        .join(Shift, Shift.id == Booking.shift_id)
        .join(ServicePoint, ServicePoint.id == Shift.service_point_id)
        .where(*where)
    ).scalar_one()
