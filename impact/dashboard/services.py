"""The campaign's figures: assisted submissions against the city's targets, shifts covered, hours.

The dashboard reads the daily roll-up (`AssistDailyCount`), never the log itself: a 45-day campaign
over 126 communes is at most 5,670 roll-up rows whatever the size of the log. One SQL definition of
the counters (`_counter_sums`) both adds each new submission to its day and rebuilds the roll-up,
so the two cannot disagree.
"""

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    ColumnElement,
    Select,
    SQLColumnExpression,
    and_,
    case,
    delete,
    func,
    select,
    true,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.auth.models import User
from app.database import alphabetical, utcnow
from app.errors import DomainError
from app.localtime import FIRST_DAY, local_days_bounds
from app.places.models import Commune, Province, ServicePoint
from app.scope import CoordinatorScope
from app.text import sort_key
from courses.learning.models import Certificate, LessonProgress
from impact.assists.models import AssistedSubmission, Level, Outcome, Reason, ResultElectronic
from impact.dashboard.models import COUNTERS, AssistDailyCount
from scheduling.checkin.models import Attendance
from scheduling.coverage.services import SOON
from scheduling.models import (
    Booking,
    BookingStatus,
    Campaign,
    Shift,
    ShiftStatus,
)

#: a shift short of its minimum counts as understaffed once it has started or starts within this
#: (the coverage board's 72 hours)
UNDERSTAFFED_WITHIN = SOON

#: the city's targets for 2025, as shares of submitted dossiers (DESIGN.md)
TARGETS = {"online": 0.80, "fully_online": 0.20, "result_electronic": 1.00}
#: a commune needs this many dossiers before it is ranked among the leading or lagging
RANKING_MINIMUM = 10
#: the longest range one dashboard shows
MAX_DAYS = 366


class ImpactError(DomainError):
    """A request for figures that cannot be answered (e.g. a range too long)."""

    status = 400
    sentences = {
        "end_before_start": _l("The end date is before the start date."),
        "forbidden": _l("You do not have permission to open this page."),
    }

    def __init__(self, code: str | None = None):
        super().__init__(code)
        if self.code == "forbidden":
            self.status = 403

    @property
    def message(self) -> str:
        if self.code == "range_too_long":
            return _("Choose at most %(days)d days.", days=MAX_DAYS)
        return super().message


# --- the roll-up ------------------------------------------------------------------------------


def _conditions() -> dict[str, ColumnElement[bool]]:
    """When each counter counts a row of the log: the one definition of the figures."""
    s = AssistedSubmission
    submitted = s.outcome == Outcome.SUBMITTED
    conditions = {
        "total": true(),
        "submitted": submitted,
        "submitted_online": and_(submitted, s.level.in_((Level.PARTLY_ONLINE, Level.FULLY_ONLINE))),
        "submitted_fully_online": and_(submitted, s.level == Level.FULLY_ONLINE),
        "result_yes": and_(submitted, s.result_electronic == ResultElectronic.YES),
        "result_no": and_(submitted, s.result_electronic == ResultElectronic.NO),
        "result_not_yet": and_(submitted, s.result_electronic == ResultElectronic.NOT_YET),
        "self_service": s.self_service.is_(True),
        "vulnerable": s.vulnerable.is_(True),
        "at_home": s.at_home.is_(True),
        "offline": s.offline.is_(True),
    }
    for reason in Reason:
        conditions[f"reason_{reason}"] = and_(
            s.outcome == Outcome.NOT_SUBMITTED, s.reason == reason
        )
    return conditions


def _counter_sums(where: ColumnElement[bool], sign: int = 1) -> Select[*tuple[Any, ...]]:
    """The roll-up rows of the log rows matching `where`, one per commune and day."""
    s = AssistedSubmission
    sums = [
        func.coalesce(func.sum(case((condition, sign), else_=0)), 0).label(name)
        for name, condition in _conditions().items()
    ]
    return (
        select(s.commune_id, s.occurred_on, *sums)
        .where(where)
        .group_by(s.commune_id, s.occurred_on)
    )


def _insert(session: Session) -> Callable[[Any], postgresql.Insert | sqlite.Insert]:
    return (postgresql if session.get_bind().dialect.name == "postgresql" else sqlite).insert


def count_assist(session: Session, submission_id: uuid.UUID, sign: int = 1) -> None:
    """Add one newly stored submission to its commune's day (sign -1: take a voided one away),
    in the transaction that stores or voids it."""
    statement = _insert(session)(AssistDailyCount).from_select(
        ["commune_id", "day", *COUNTERS],
        _counter_sums(AssistedSubmission.id == submission_id, sign),
    )
    table = AssistDailyCount.__table__
    statement = statement.on_conflict_do_update(
        index_elements=["commune_id", "day"],
        set_={name: table.c[name] + statement.excluded[name] for name in COUNTERS},
    )
    session.execute(statement)


def rebuild_counts(session: Session) -> int:
    """Recompute the whole roll-up from the log; returns the number of commune-days."""
    session.execute(delete(AssistDailyCount))
    session.execute(
        AssistDailyCount.__table__.insert().from_select(
            ["commune_id", "day", *COUNTERS],
            _counter_sums(AssistedSubmission.voided_at.is_(None)),
        )
    )
    return session.execute(select(func.count()).select_from(AssistDailyCount)).scalar_one()


# --- what the figures cover -------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """Which communes and which local days the figures cover."""

    start: date
    end: date
    #: None: every commune of the province (or of the country when province_id is None too)
    commune_ids: frozenset[int] | None = None
    province_id: int | None = None
    campaign_id: int | None = None

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ImpactError("end_before_start")
        if (self.end - self.start).days >= MAX_DAYS:
            raise ImpactError("range_too_long")

    @property
    def days(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range((self.end - self.start).days + 1)]

    def communes(self, commune_id_column: SQLColumnExpression[Any]) -> ColumnElement[bool]:
        """A filter keeping rows of the scope's communes."""
        if self.commune_ids is not None:
            return commune_id_column.in_(self.commune_ids)
        if self.province_id is not None:
            return commune_id_column.in_(
                select(Commune.id).where(Commune.province_id == self.province_id)
            )
        return true()


def campaign_scope(
    campaign: Campaign,
    start: date | None = None,
    end: date | None = None,
    commune_ids: Iterable[int] | None = None,
    today: date | None = None,
) -> Scope:
    """A campaign's communes and days, narrowed to a range or to some communes when given.

    With ``today`` and no end, the campaign so far: its days up to today (its first day when it
    has not started), not the empty days still to come."""
    ids = frozenset(c.id for c in campaign.communes)
    if end is None and today is not None:
        end = max(min(today, campaign.ends_on), campaign.starts_on)
    return Scope(
        start=max(start or campaign.starts_on, campaign.starts_on),
        end=min(end or campaign.ends_on, campaign.ends_on),
        commune_ids=ids if commune_ids is None else ids & frozenset(commune_ids),
        province_id=campaign.province_id,
        campaign_id=campaign.id,
    )


# --- the figures ------------------------------------------------------------------------------


def share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass
class CommuneFigure:
    commune: Commune
    total: int
    submitted: int
    submitted_online: int

    @property
    def online_share(self) -> float | None:
        return share(self.submitted_online, self.submitted)


@dataclass
class Figures:
    """Everything the dashboard, its CSV files, the public page and /api/v1/stats show."""

    scope: Scope
    totals: dict[str, int]
    per_day: list[tuple[date, int]]
    reasons: list[tuple[str, int]]
    communes: list[CommuneFigure]
    shifts: dict[str, int]
    attendance: dict[str, float | int | None] = field(default_factory=dict)
    learning: dict[str, int] = field(default_factory=dict)

    @property
    def shares(self) -> dict[str, float | None]:
        t = self.totals
        return {
            "online": share(t["submitted_online"], t["submitted"]),
            "fully_online": share(t["submitted_fully_online"], t["submitted"]),
            "result_electronic": share(t["result_yes"], t["submitted"]),
            "self_service": share(t["self_service"], t["total"]),
        }

    @property
    def ranked(self) -> list[CommuneFigure]:
        """Communes with enough dossiers, best online share first."""
        eligible = [c for c in self.communes if c.submitted >= RANKING_MINIMUM]
        return sorted(eligible, key=lambda c: (-(c.online_share or 0.0), sort_key(c.commune.name)))

    @property
    def leading(self) -> list[CommuneFigure]:
        return self.ranked[:5]

    @property
    def lagging(self) -> list[CommuneFigure]:
        ranked = self.ranked
        return list(reversed(ranked[-5:])) if len(ranked) > 5 else []


def impact_figures(session: Session, scope: Scope) -> Figures:
    """The figures of a scope, from the roll-up and from the shifts."""
    rows = AssistDailyCount
    in_scope = and_(scope.communes(rows.commune_id), rows.day.between(scope.start, scope.end))
    sums = [func.coalesce(func.sum(getattr(rows, name)), 0) for name in COUNTERS]
    totals = dict(zip(COUNTERS, session.execute(select(*sums).where(in_scope)).one(), strict=True))
    by_day = dict(
        session.execute(
            select(rows.day, func.sum(rows.total)).where(in_scope).group_by(rows.day)
        ).all()
    )
    reasons: list[tuple[str, int]] = sorted(
        ((reason, totals[f"reason_{reason}"]) for reason in Reason if totals[f"reason_{reason}"]),
        key=lambda pair: -pair[1],
    )
    communes = [
        CommuneFigure(commune, total, submitted, online)
        for commune, total, submitted, online in session.execute(
            select(
                Commune,
                func.sum(rows.total),
                func.sum(rows.submitted),
                func.sum(rows.submitted_online),
            )
            .join(Commune, Commune.id == rows.commune_id)
            .where(in_scope)
            .group_by(Commune.id)
            .order_by(alphabetical(Commune.name))
        )
    ]
    shifts, attended = shift_figures(session, scope, utcnow())
    return Figures(
        scope=scope,
        totals=totals,
        per_day=[(day, by_day.get(day, 0)) for day in scope.days],
        reasons=reasons,
        communes=communes,
        shifts=shifts,
        attendance=attended,
        learning=learning(session, scope),
    )


def _hours_between(
    session: Session, start: SQLColumnExpression[datetime], end: SQLColumnExpression[datetime]
) -> ColumnElement[Any]:
    """The length of a stretch of time in hours, in SQL."""
    if session.get_bind().dialect.name == "postgresql":
        return func.extract("epoch", end - start) / 3600
    return (func.julianday(end) - func.julianday(start)) * 24


def _earlier(
    session: Session, a: SQLColumnExpression[datetime], b: SQLColumnExpression[datetime]
) -> ColumnElement[datetime]:
    return (func.least if session.get_bind().dialect.name == "postgresql" else func.min)(a, b)


def _later(
    session: Session, a: SQLColumnExpression[datetime], b: SQLColumnExpression[datetime]
) -> ColumnElement[datetime]:
    return (func.greatest if session.get_bind().dialect.name == "postgresql" else func.max)(a, b)


def _scope_shifts(scope: Scope) -> list:
    """Conditions keeping the active shifts of the scope (joined to their service point)."""
    start, end = local_days_bounds(scope.start, scope.end)
    where = [
        Shift.status == ShiftStatus.ACTIVE,
        Shift.starts_at >= start,
        Shift.starts_at < end,
        scope.communes(ServicePoint.commune_id),
    ]
    if scope.campaign_id is not None:
        where.append(Shift.campaign_id == scope.campaign_id)
    return where


def shift_figures(session: Session, scope: Scope, now: datetime) -> tuple[dict, dict]:
    """The scope's shifts and their attendance, as (shifts, attendance):

    shifts: how many reach their campaign's minimum, volunteer-hours booked (confirmed places ×
    length); attendance: volunteer-hours attended (from the time the server vouches for, or the
    confirmed scan time, to check-out, within the shift: `Attendance.hours`) and
    the no-shows of the shifts that have ended. One pass over the shifts and their bookings gives
    both (it is most of the dashboard's time on a 45-day campaign)."""
    where = _scope_shifts(scope)
    per_shift = (
        select(
            func.count(Booking.id).label("confirmed"),
            func.count(Attendance.id).label("came"),
            Campaign.min_per_shift.label("minimum"),
            _hours_between(session, Shift.starts_at, Shift.ends_at).label("hours"),
            Shift.starts_at.label("starts_at"),
            Shift.ends_at.label("ends_at"),
        )
        .select_from(Shift)
        .join(Shift.service_point)
        .join(Shift.campaign)
        .outerjoin(
            Booking,
            and_(Booking.shift_id == Shift.id, Booking.status == BookingStatus.CONFIRMED),
        )
        .outerjoin(Attendance, Attendance.booking_id == Booking.id)
        .where(*where)
        .group_by(Shift.id, Campaign.min_per_shift)
        .subquery()
    )
    shift = per_shift.c
    ended = shift.ends_at <= now

    def total(value: SQLColumnExpression[Any]) -> ColumnElement[Any]:
        return func.coalesce(func.sum(value), 0)

    # short of people only where it can still matter or already did: a shift weeks away with no
    # booking yet is not "understaffed", it is not staffed yet
    due = shift.starts_at < now + UNDERSTAFFED_WITHIN
    count, covered, understaffed, booked_hours, ended_bookings, came = session.execute(
        select(
            func.count(),
            total(case((shift.confirmed >= shift.minimum, 1), else_=0)),
            total(case((and_(due, shift.confirmed < shift.minimum), 1), else_=0)),
            total(shift.confirmed * shift.hours),
            total(case((ended, shift.confirmed), else_=0)),
            total(case((ended, shift.came), else_=0)),
        )
    ).t.one()
    # PostgreSQL sums counts as numeric (Decimal): the figures are whole numbers
    covered, understaffed = int(covered), int(understaffed)
    ended_bookings, came = int(ended_bookings), int(came)
    left = _earlier(session, func.coalesce(Attendance.checked_out_at, Shift.ends_at), Shift.ends_at)
    credited = _later(session, Attendance.credited_from, Shift.starts_at)
    hours = _hours_between(session, credited, left)
    attended_hours = session.scalar(
        select(func.coalesce(func.sum(hours), 0))
        .select_from(Attendance)
        .join(Booking, Booking.id == Attendance.booking_id)
        .join(Shift, Shift.id == Booking.shift_id)
        .join(ServicePoint, ServicePoint.id == Shift.service_point_id)
        # a late sync not yet confirmed is credited from after the shift's end: nothing
        .where(*where, Attendance.checked_in_at < now, credited < left)
    )
    shifts = {
        "total": count,
        "covered": covered,
        "understaffed": understaffed,
        "booked_hours": round(float(booked_hours), 1),
    }
    attendance = {
        "attended_hours": round(max(float(attended_hours or 0), 0.0), 1),
        "ended_bookings": ended_bookings,
        "no_shows": ended_bookings - came,
        "no_show_rate": share(ended_bookings - came, ended_bookings),
    }
    return shifts, attendance


def learning(session: Session, scope: Scope) -> dict[str, int]:
    """Lessons completed and courses mastered during the scope's days by people whose home commune
    is in the scope (a certificate counts in the commune it was issued in)."""
    start, end = local_days_bounds(scope.start, scope.end)
    lessons, learners = session.execute(
        select(func.count(LessonProgress.id), func.count(func.distinct(LessonProgress.user_id)))
        .join(User, User.id == LessonProgress.user_id)
        .where(
            scope.communes(User.home_commune_id),
            LessonProgress.completed_at >= start,
            LessonProgress.completed_at < end,
        )
    ).one()
    mastered = session.execute(
        select(func.count(Certificate.id)).where(
            scope.communes(Certificate.commune_id),
            Certificate.issued_at >= start,
            Certificate.issued_at < end,
        )
    ).scalar_one()
    return {"lessons_completed": lessons, "learners": learners, "courses_mastered": mastered}


# --- who sees what ----------------------------------------------------------------------------

#: the range shown when none is asked for: the last 30 days
DEFAULT_DAYS = 30


def dashboard_scope(
    session: Session,
    user: User,
    *,
    today: date,
    campaign: Campaign | None = None,
    province: Province | None = None,
    commune: Commune | None = None,
    start: date | None = None,
    end: date | None = None,
) -> Scope:
    """The scope a coordinator asked for, narrowed to the communes they coordinate.

    Raises ImpactError("forbidden") for a commune outside their scope."""
    scope = CoordinatorScope.of(user)
    allowed = scope.covered_commune_ids(session)
    if commune is not None:
        if not scope.covers_commune(commune):
            raise ImpactError("forbidden")
        ids, province_id = frozenset({commune.id}), commune.province_id
    elif province is not None:
        province_id = province.id
        ids = None
        if allowed is not None:
            in_province = set(
                session.scalars(select(Commune.id).where(Commune.province_id == province.id))
            )
            ids = None if in_province <= allowed else frozenset(in_province & allowed)
    else:
        ids, province_id = (None if allowed is None else frozenset(allowed)), None
    if campaign is not None:
        if ids is None and allowed is not None:
            ids = frozenset(allowed)
        return campaign_scope(campaign, start, end, ids, today=today)
    return dated_scope(today, start, end, commune_ids=ids, province_id=province_id)


def clamped_range(today: date, start: date | None, end: date | None) -> tuple[date, date]:
    """A range the API can always answer: by default the last 30 days, put in order, and at most
    MAX_DAYS long (the start moves up); the answer states the days it covers."""
    end = end or today
    start = start or _days_up_to(end)
    if start > end:
        start, end = end, start
    return max(start, end - timedelta(days=MAX_DAYS - 1)), end


def api_scope(
    session: Session,
    user: User,
    today: date,
    start: date | None,
    end: date | None,
    *,
    province: Province | None = None,
    commune: Commune | None = None,
) -> Scope:
    """The scope of /api/v1/stats: the dashboard's (`dashboard_scope`, the same communes as
    /impact shows the caller) over a range the API can always answer (`clamped_range`)."""
    start, end = clamped_range(today, start, end)
    return dashboard_scope(
        session, user, today=today, province=province, commune=commune, start=start, end=end
    )


def public_scope(province: Province, today: date, start: date | None, end: date | None) -> Scope:
    """The scope of a province's public figures, over a range the API can always answer."""
    start, end = clamped_range(today, start, end)
    return dated_scope(today, start, end, province_id=province.id)


def dated_scope(
    today: date, start: date | None = None, end: date | None = None, **where: Any
) -> Scope:
    """A scope over the given days, by default the last 30 days up to today."""
    end = end or today
    return Scope(start=start or _days_up_to(end), end=end, **where)


def _days_up_to(end: date) -> date:
    """The first of the default DEFAULT_DAYS ending on `end`, never before the first day the
    site accepts (an `end` of 1900-01-01 is a range of one day, not a 400)."""
    return max(end - timedelta(days=DEFAULT_DAYS - 1), FIRST_DAY)


def figures_json(figures: Figures) -> dict:
    """The figures as /api/v1/stats answers them: shares as fractions, codes not labels."""
    scope = figures.scope
    return {
        "from": scope.start.isoformat(),
        "to": scope.end.isoformat(),
        "totals": figures.totals,
        "shares": figures.shares,
        "targets": TARGETS,
        "per_day": [{"date": day.isoformat(), "dossiers": n} for day, n in figures.per_day],
        "reasons": [{"reason": str(reason), "dossiers": n} for reason, n in figures.reasons],
        "communes": [
            {
                "code": c.commune.code,
                "name": c.commune.name,
                "dossiers": c.total,
                "submitted": c.submitted,
                "online_share": c.online_share,
            }
            for c in figures.communes
        ],
        "shifts": figures.shifts,
        "attendance": figures.attendance,
        "learning": figures.learning,
    }
