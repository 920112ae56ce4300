"""The campaign's figures: assisted submissions against the city's targets, shifts covered, hours.

The dashboard reads the daily roll-up (`AssistDailyCount`), never the log itself: a 45-day campaign
over 126 communes is at most 5,670 roll-up rows whatever the size of the log. The country and whole
provinces read the provinces' roll-up (`ProvinceDailyCount`), 34 rows a day where the communes' has
3,321. One SQL definition of the counters (`_sums`) both adds each new submission to its days and
rebuilds the roll-ups, so they cannot disagree.
"""

import functools
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import (
    ColumnElement,
    Select,
    SQLColumnExpression,
    and_,
    bindparam,
    case,
    delete,
    func,
    or_,
    select,
    true,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import Executable

from app.auth.models import User
from app.database import alphabetical, utcnow
from app.errors import DomainError
from app.i18n import lazy_gettext as _l
from app.localtime import FIRST_DAY, local_date, local_days_bounds
from app.places.models import Commune, Province, ServicePoint
from app.scope import CoordinatorScope
from courses.learning.models import Certificate, LessonProgress
from courses.learning.services import completions as course_completions
from impact.assists.models import AssistedSubmission, Level, Outcome, Reason, ResultElectronic
from impact.cards.models import Resident
from impact.cards.services import learner_digest
from impact.dashboard.models import (
    COUNTERS,
    POINT_COUNTERS,
    RESIDENT_COUNTERS,
    AssistDailyCount,
    PointDailyCount,
    ProvinceDailyCount,
    ResidentDailyCount,
)
from scheduling.campaigns.services import commune_ids as campaign_commune_ids
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

#: Hanoi's targets for 2025 (DESIGN.md), the default of every campaign's: shares of submitted
#: dossiers, and procedures each carded resident does by themselves
TARGETS = {
    "online": 0.80,
    "fully_online": 0.20,
    "result_electronic": 1.00,
    "self_done_per_resident": 2,
}
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


def _sums(sign: int) -> list[ColumnElement[Any]]:
    """Every counter, summed over a group of log rows."""
    return [
        func.coalesce(func.sum(case((condition, sign), else_=0)), 0).label(name)
        for name, condition in _conditions().items()
    ]


def _counter_sums(where: ColumnElement[bool], sign: int = 1) -> Select[*tuple[Any, ...]]:
    """The roll-up rows of the log rows matching `where`, one per commune and day."""
    s = AssistedSubmission
    return (
        select(s.commune_id, s.occurred_on, *_sums(sign))
        .where(where)
        .group_by(s.commune_id, s.occurred_on)
    )


def _province_sums(where: ColumnElement[bool], sign: int = 1) -> Select[*tuple[Any, ...]]:
    """The provinces' roll-up rows of the log rows matching `where`: the province is the
    commune's, so each row is the sum of its communes' rows of that day."""
    s = AssistedSubmission
    return (
        select(Commune.province_id, s.occurred_on, *_sums(sign))
        .join(Commune, Commune.id == s.commune_id)
        .where(where)
        .group_by(Commune.province_id, s.occurred_on)
    )


def _insert(session: Session) -> Callable[[Any], postgresql.Insert | sqlite.Insert]:
    return (postgresql if session.get_bind().dialect.name == "postgresql" else sqlite).insert


def _self_done() -> ColumnElement[bool]:
    """A procedure the resident did by themselves: submitted, and done with guidance only."""
    s = AssistedSubmission
    return and_(s.outcome == Outcome.SUBMITTED, s.self_service.is_(True))


def _resident_sums(where: ColumnElement[bool], sign: int = 1) -> Select[*tuple[Any, ...]]:
    """The residents' roll-up rows of the carded log rows matching `where`."""
    s = AssistedSubmission
    return (
        select(
            s.resident_id,
            s.commune_id,
            s.occurred_on,
            (func.count() * sign).label("total"),
            func.coalesce(func.sum(case((_self_done(), sign), else_=0)), 0).label("self_done"),
        )
        .where(where, s.resident_id.is_not(None))
        .group_by(s.resident_id, s.commune_id, s.occurred_on)
    )


def _point_sums(where: ColumnElement[bool], sign: int = 1) -> Select[*tuple[Any, ...]]:
    """The service points' roll-up rows of the log rows matching `where`."""
    s = AssistedSubmission
    conditions = _conditions()
    sums = [
        func.coalesce(func.sum(case((conditions[name], sign), else_=0)), 0).label(name)
        for name in POINT_COUNTERS
    ]
    return (
        select(s.service_point_id, s.occurred_on, func.min(s.commune_id), *sums)
        .where(where)
        .group_by(s.service_point_id, s.occurred_on)
    )


def _roll_ups(where: ColumnElement[bool], sign: int = 1) -> list:
    """Each roll-up: its table, its key columns, its counters, and the rows `where` adds."""
    return [
        (AssistDailyCount, ["commune_id", "day"], COUNTERS, _counter_sums(where, sign)),
        (ProvinceDailyCount, ["province_id", "day"], COUNTERS, _province_sums(where, sign)),
        (
            ResidentDailyCount,
            ["resident_id", "commune_id", "day"],
            RESIDENT_COUNTERS,
            _resident_sums(where, sign),
        ),
        (
            PointDailyCount,
            ["service_point_id", "day", "commune_id"],
            POINT_COUNTERS,
            _point_sums(where, sign),
        ),
    ]


def count_assist(session: Session, submission_id: uuid.UUID, sign: int = 1) -> None:
    """Add one newly stored submission to its commune's day, its province's, its service point's
    and its resident's when carded (sign -1: take a voided one away), in the transaction that
    stores or voids it."""
    for model, keys, counters, sums in _roll_ups(AssistedSubmission.id == submission_id, sign):
        statement = _insert(session)(model).from_select([*keys, *counters], sums)
        table = model.__table__
        statement = statement.on_conflict_do_update(
            index_elements=[c.name for c in model.__table__.primary_key],
            set_={name: table.c[name] + statement.excluded[name] for name in counters},
        )
        session.execute(statement)


def rebuild_counts(session: Session) -> int:
    """Recompute every roll-up (communes', provinces', service points', residents') from the log;
    returns
    the number of commune-days."""
    for model, keys, counters, sums in _roll_ups(AssistedSubmission.voided_at.is_(None)):
        session.execute(delete(model))
        session.execute(model.__table__.insert().from_select([*keys, *counters], sums))
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

    @property
    def shape(self) -> str:
        """Which filter `communes` makes: "communes" (some ids), "province" or "all"; a
        statement built once keeps one copy per shape (`_bound_communes`)."""
        if self.commune_ids is not None:
            return "communes"
        return "province" if self.province_id is not None else "all"

    def values(self) -> dict[str, Any]:
        """The values the statements built once bind: the scope's communes, days, campaign."""
        starts_from, starts_before = local_days_bounds(self.start, self.end)
        return {
            "scope_commune_ids": sorted(self.commune_ids or ()),
            "scope_province_id": self.province_id,
            "scope_campaign_id": self.campaign_id,
            "first_day": self.start,
            "last_day": self.end,
            "starts_from": starts_from,
            "starts_before": starts_before,
        }

    @property
    def whole_provinces(self) -> bool:
        """Whether the scope is the whole country or a whole province, which the provinces'
        roll-up answers alone."""
        return self.commune_ids is None

    def provinces(self, province_id_column: SQLColumnExpression[Any]) -> ColumnElement[bool]:
        """A filter keeping rows of the scope's province (every province's for the country)."""
        if self.province_id is not None:
            return province_id_column == self.province_id
        return true()


def _bound_communes(shape: str, commune_id_column: Any) -> ColumnElement[bool]:
    """`Scope.communes` for a statement built once, its values bound from `Scope.values()`."""
    if shape == "communes":
        return commune_id_column.in_(bindparam("scope_commune_ids", expanding=True))
    if shape == "province":
        return commune_id_column.in_(
            select(Commune.id).where(Commune.province_id == bindparam("scope_province_id"))
        )
    return true()


def _bound_provinces(shape: str, province_id_column: Any) -> ColumnElement[bool]:
    """`Scope.provinces` for a statement built once."""
    if shape == "province":
        return province_id_column == bindparam("scope_province_id")
    return true()


def _bound_days(day_column: Any) -> ColumnElement[bool]:
    return day_column.between(bindparam("first_day"), bindparam("last_day"))


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
    ids = campaign_commune_ids(campaign)
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
    residents: "ResidentFigures | None" = None
    lessons: list["CourseEffect"] = field(default_factory=list)
    targets: dict[str, float] = field(default_factory=lambda: dict(TARGETS))
    #: the level below, when a page shows it: "provinces" (the country) or "service_points"
    #: (a commune), and their figures
    unit_level: str | None = None
    units: list["UnitFigure"] = field(default_factory=list)

    @property
    def ranked_units(self) -> list["UnitFigure"]:
        return ranked(self.units, lambda u: u.name)

    @property
    def leading_units(self) -> list["UnitFigure"]:
        return leading(self.ranked_units)

    @property
    def lagging_units(self) -> list["UnitFigure"]:
        return lagging(self.ranked_units)

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
        return ranked(self.communes, lambda c: c.commune.name)

    @property
    def leading(self) -> list[CommuneFigure]:
        return leading(self.ranked)

    @property
    def lagging(self) -> list[CommuneFigure]:
        return lagging(self.ranked)


def ranked(units: list, name: Callable[[Any], str]) -> list:
    """Units (communes, provinces, service points) with at least RANKING_MINIMUM submitted
    dossiers, the best online share first: the one ranking of every level."""
    eligible = [u for u in units if u.submitted >= RANKING_MINIMUM]
    return sorted(eligible, key=lambda u: (-(u.online_share or 0.0), name(u)))


def leading(ranked_units: list) -> list:
    return ranked_units[:5]


def lagging(ranked_units: list) -> list:
    """The five last, the very last first; none while five or fewer are ranked."""
    return list(reversed(ranked_units[-5:])) if len(ranked_units) > 5 else []


@dataclass
class UnitFigure:
    """One province or service point's figures, for the table of the level above it."""

    code: str
    name: str
    total: int
    submitted: int
    submitted_online: int
    submitted_fully_online: int
    result_yes: int

    @property
    def online_share(self) -> float | None:
        return share(self.submitted_online, self.submitted)

    @property
    def fully_online_share(self) -> float | None:
        return share(self.submitted_fully_online, self.submitted)

    @property
    def result_electronic_share(self) -> float | None:
        return share(self.result_yes, self.submitted)

    def json(self) -> dict:
        return {
            "code": self.code,
            "name": self.name,
            "dossiers": self.total,
            "submitted": self.submitted,
            "online_share": self.online_share,
            "fully_online_share": self.fully_online_share,
            "result_electronic_share": self.result_electronic_share,
        }


_UNIT_SUMS = ("total", "submitted", "submitted_online", "submitted_fully_online", "result_yes")


def province_figures(session: Session, scope: Scope) -> list[UnitFigure]:
    """Every province's figures over the scope's days, from the provinces' roll-up (a province
    without a dossier shows zeros), in the order of their official codes."""
    rows = ProvinceDailyCount
    per_province = (
        select(rows.province_id, *(func.sum(getattr(rows, n)).label(n) for n in _UNIT_SUMS))
        .where(rows.day.between(scope.start, scope.end))
        .group_by(rows.province_id)
        .subquery()
    )
    stmt = (
        select(Province, *(func.coalesce(per_province.c[n], 0) for n in _UNIT_SUMS))
        .outerjoin(per_province, per_province.c.province_id == Province.id)
        .order_by(Province.code)
    )
    return [_unit(row[0].code, row[0].name, row[1:]) for row in session.execute(stmt)]


def point_figures(session: Session, scope: Scope) -> list[UnitFigure]:
    """The figures of the service points of the scope's communes, from the points' roll-up;
    an active point without a dossier shows zeros. The code is the point's id."""
    rows = PointDailyCount
    per_point = (
        select(rows.service_point_id, *(func.sum(getattr(rows, n)).label(n) for n in _UNIT_SUMS))
        .where(scope.communes(rows.commune_id), rows.day.between(scope.start, scope.end))
        .group_by(rows.service_point_id)
        .subquery()
    )
    stmt = (
        select(ServicePoint, *(func.coalesce(per_point.c[n], 0) for n in _UNIT_SUMS))
        .outerjoin(per_point, per_point.c.service_point_id == ServicePoint.id)
        .where(
            scope.communes(ServicePoint.commune_id),
            or_(ServicePoint.active.is_(True), per_point.c.service_point_id.is_not(None)),
        )
        .order_by(alphabetical(ServicePoint.name))
    )
    return [_unit(str(row[0].id), row[0].name, row[1:]) for row in session.execute(stmt)]


def _unit(code: str, name: str, sums: Any) -> UnitFigure:
    return UnitFigure(code, name, *(int(n) for n in sums))


def _rows(session: Session, statement: Executable, values: dict[str, Any]) -> list[Any]:
    """The rows of a statement built once with these values bound, whose rows hold mapped
    objects (a commune with its sums)."""
    return list(session.execute(statement, values))


def _plain_rows(session: Session, statement: Executable, values: dict[str, Any]) -> Sequence[Any]:
    """The rows of plain values of a statement built once, with these values bound: run on the
    session's connection, without the ORM's execution layer, which costs a dashboard's small
    sums more than SQLite's work (nothing is pending in a read, so no flush is owed)."""
    return session.connection().execute(statement, values).all()


@functools.cache
def _per_day_sums(shape: str, whole_provinces: bool) -> Executable:
    """impact_figures' statement: every counter summed per day; the totals are their sums."""
    if whole_provinces:
        summed: Any = ProvinceDailyCount
        where = _bound_provinces(shape, summed.province_id)
    else:
        summed = AssistDailyCount
        where = _bound_communes(shape, summed.commune_id)
    return (
        select(summed.day, *(func.sum(getattr(summed, name)) for name in COUNTERS))
        .where(where, _bound_days(summed.day))
        .group_by(summed.day)
    )


@functools.cache
def _commune_sums(shape: str) -> Executable:
    """impact_figures' statement of the communes' list."""
    rows = AssistDailyCount
    return (
        select(
            Commune,
            func.sum(rows.total),
            func.sum(rows.submitted),
            func.sum(rows.submitted_online),
        )
        .join(Commune, Commune.id == rows.commune_id)
        .where(_bound_communes(shape, rows.commune_id), _bound_days(rows.day))
        .group_by(Commune.id)
        .order_by(alphabetical(Commune.name))
    )


def impact_figures(session: Session, scope: Scope, *, with_communes: bool = True) -> Figures:
    """The figures of a scope, from the roll-ups and from the shifts; without the communes' list
    when the page does not show it (the country's 3,321 would cost more than all the rest). The
    totals and days of the country or a whole province come from the provinces' roll-up; the
    communes' list, and a scope of some communes, from the communes'."""
    values = scope.values()
    # one statement gives the days and, added up, the totals
    totals: dict[str, Any] = dict.fromkeys(COUNTERS, 0)
    by_day: dict[date, Any] = {}
    for day, *sums in _plain_rows(
        session, _per_day_sums(scope.shape, scope.whole_provinces), values
    ):
        by_day[day] = sums[COUNTERS.index("total")]
        for name, value in zip(COUNTERS, sums, strict=True):
            totals[name] += value
    reasons: list[tuple[str, int]] = sorted(
        ((reason, totals[f"reason_{reason}"]) for reason in Reason if totals[f"reason_{reason}"]),
        key=lambda pair: -pair[1],
    )
    communes = (
        []
        if not with_communes
        else [
            CommuneFigure(commune, total, submitted, online)
            for commune, total, submitted, online in _rows(
                session, _commune_sums(scope.shape), values
            )
        ]
    )
    shifts, attended = shift_figures(session, scope, utcnow())
    resident_days = _resident_days(session, scope)
    return Figures(
        residents=resident_figures(session, scope, resident_days),
        lessons=lesson_figures(session, scope, resident_days),
        targets=targets_of(session, scope),
        scope=scope,
        totals=totals,
        per_day=[(day, by_day.get(day, 0)) for day in scope.days],
        reasons=reasons,
        communes=communes,
        shifts=shifts,
        attendance=attended,
        learning=learning(session, scope),
    )


def country_figures(session: Session, scope: Scope) -> Figures:
    """The country's figures, with each of the 34 provinces' beside them."""
    figures = impact_figures(session, scope, with_communes=False)
    figures.unit_level, figures.units = "provinces", province_figures(session, scope)
    return figures


def commune_figures(session: Session, scope: Scope) -> Figures:
    """A commune's figures, with each of its service points' beside them."""
    figures = impact_figures(session, scope)
    figures.unit_level, figures.units = "service_points", point_figures(session, scope)
    return figures


def _hours_between(
    dialect: str, start: SQLColumnExpression[datetime], end: SQLColumnExpression[datetime]
) -> ColumnElement[Any]:
    """The length of a stretch of time in hours, in SQL (`dialect`: the database's name)."""
    if dialect == "postgresql":
        return func.extract("epoch", end - start) / 3600
    return (func.julianday(end) - func.julianday(start)) * 24


def _earlier(
    dialect: str, a: SQLColumnExpression[datetime], b: SQLColumnExpression[datetime]
) -> ColumnElement[datetime]:
    return (func.least if dialect == "postgresql" else func.min)(a, b)


def _later(
    dialect: str, a: SQLColumnExpression[datetime], b: SQLColumnExpression[datetime]
) -> ColumnElement[datetime]:
    return (func.greatest if dialect == "postgresql" else func.max)(a, b)


def _scope_shifts(shape: str, by_campaign: bool) -> list:
    """Conditions keeping the active shifts of the scope (joined to their service point), for
    a statement built once (values from `Scope.values()`)."""
    where = [
        Shift.status == ShiftStatus.ACTIVE,
        Shift.starts_at >= bindparam("starts_from"),
        Shift.starts_at < bindparam("starts_before"),
        _bound_communes(shape, ServicePoint.commune_id),
    ]
    if by_campaign:
        where.append(Shift.campaign_id == bindparam("scope_campaign_id"))
    return where


@functools.cache
def _shift_sums(dialect: str, shape: str, by_campaign: bool) -> Executable:
    """shift_figures' statement (one per database dialect: hours are computed differently)."""
    where = _scope_shifts(shape, by_campaign)
    per_shift = (
        select(
            func.count(Booking.id).label("confirmed"),
            func.count(Attendance.id).label("came"),
            Campaign.min_per_shift.label("minimum"),
            _hours_between(dialect, Shift.starts_at, Shift.ends_at).label("hours"),
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
    now = bindparam("now", type_=Shift.ends_at.type)
    ended = shift.ends_at <= now

    def total(value: SQLColumnExpression[Any]) -> ColumnElement[Any]:
        return func.coalesce(func.sum(value), 0)

    left = _earlier(dialect, func.coalesce(Attendance.checked_out_at, Shift.ends_at), Shift.ends_at)
    credited = _later(dialect, Attendance.credited_from, Shift.starts_at)
    attended_hours = (
        select(func.coalesce(func.sum(_hours_between(dialect, credited, left)), 0))
        .select_from(Attendance)
        .join(Booking, Booking.id == Attendance.booking_id)
        .join(Shift, Shift.id == Booking.shift_id)
        .join(ServicePoint, ServicePoint.id == Shift.service_point_id)
        # a late sync not yet confirmed is credited from after the shift's end: nothing
        .where(*where, Attendance.checked_in_at < now, credited < left)
        .correlate(None)
        .scalar_subquery()
    )
    # short of people only where it can still matter or already did: a shift weeks away with no
    # booking yet is not "understaffed", it is not staffed yet
    due = shift.starts_at < bindparam("due_before", type_=Shift.starts_at.type)
    return select(
        func.count(),
        total(case((shift.confirmed >= shift.minimum, 1), else_=0)),
        total(case((and_(due, shift.confirmed < shift.minimum), 1), else_=0)),
        total(shift.confirmed * shift.hours),
        total(case((ended, shift.confirmed), else_=0)),
        total(case((ended, shift.came), else_=0)),
        attended_hours,
    ).select_from(per_shift)


def shift_figures(session: Session, scope: Scope, now: datetime) -> tuple[dict, dict]:
    """The scope's shifts and their attendance, as (shifts, attendance):

    shifts: how many reach their campaign's minimum, volunteer-hours booked (confirmed places ×
    length); attendance: volunteer-hours attended (from the time the server vouches for, or the
    confirmed scan time, to check-out, within the shift: `Attendance.hours`) and
    the no-shows of the shifts that have ended. One statement over the shifts and their bookings
    gives both (it is most of the dashboard's time on a 45-day campaign)."""
    stmt = _shift_sums(session.get_bind().dialect.name, scope.shape, scope.campaign_id is not None)
    values = {**scope.values(), "now": now, "due_before": now + UNDERSTAFFED_WITHIN}
    ((count, covered, understaffed, booked_hours, ended_bookings, came, attended_hours),) = (
        _plain_rows(session, stmt, values)
    )
    # PostgreSQL sums counts as numeric (Decimal): the figures are whole numbers
    covered, understaffed = int(covered), int(understaffed)
    ended_bookings, came = int(ended_bookings), int(came)
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


@functools.cache
def _learning_counts(shape: str) -> Executable:
    """learning's statement: lessons and learners, and the certificates as a subquery."""
    mastered = (
        select(func.count(Certificate.id))
        .where(
            _bound_communes(shape, Certificate.commune_id),
            Certificate.issued_at >= bindparam("starts_from"),
            Certificate.issued_at < bindparam("starts_before"),
        )
        .scalar_subquery()
    )
    return (
        select(
            func.count(LessonProgress.id),
            func.count(func.distinct(LessonProgress.user_id)),
            mastered,
        )
        .join(User, User.id == LessonProgress.user_id)
        .where(
            _bound_communes(shape, User.home_commune_id),
            LessonProgress.completed_at >= bindparam("starts_from"),
            LessonProgress.completed_at < bindparam("starts_before"),
        )
    )


def learning(session: Session, scope: Scope) -> dict[str, int]:
    """Lessons completed and courses mastered during the scope's days by people whose home commune
    is in the scope (a certificate counts in the commune it was issued in)."""
    ((lessons, learners, mastered),) = _plain_rows(
        session, _learning_counts(scope.shape), scope.values()
    )
    return {"lessons_completed": lessons, "learners": learners, "courses_mastered": mastered}


def targets_of(session: Session, scope: Scope) -> dict[str, float]:
    """The targets the figures are read against: the campaign's own, else Hanoi's defaults."""
    campaign = session.get(Campaign, scope.campaign_id) if scope.campaign_id else None
    if campaign is None:
        return dict(TARGETS)
    return campaign_targets(campaign)


def campaign_targets(campaign: Campaign) -> dict[str, float]:
    """A campaign's targets as the figures use them (shares as fractions)."""
    return {
        "online": campaign.target_online / 100,
        "fully_online": campaign.target_fully_online / 100,
        "result_electronic": campaign.target_result_electronic / 100,
        "self_done_per_resident": campaign.target_self_done,
    }


@dataclass
class ResidentFigures:
    """Carded residents seen in the scope, by how many procedures they did by themselves there
    (submitted, with guidance only); per commune (counting that commune's procedures); and day
    by day, how many had reached the target so far."""

    target: int
    carded: int
    self_done: dict[int, int]
    #: (commune, carded, at the target or beyond)
    communes: list[tuple[Commune, int, int]]
    #: (day, carded so far, at the target or beyond so far)
    per_day: list[tuple[date, int, int]]

    @property
    def at_target(self) -> int:
        return sum(n for done, n in self.self_done.items() if done >= self.target)

    @property
    def at_target_share(self) -> float | None:
        return share(self.at_target, self.carded)

    def json(self) -> dict[str, int]:
        return {
            "carded": self.carded,
            "self_done_0": self.self_done.get(0, 0),
            "self_done_1": self.self_done.get(1, 0),
            "self_done_2_plus": sum(n for done, n in self.self_done.items() if done >= 2),
            "at_target": self.at_target,
        }


#: (resident, day, procedures, done by themselves) of a scope's residents' roll-up, by day
ResidentDays = list[tuple[int, date, int, int]]


@functools.cache
def _resident_day_sums(shape: str) -> Executable:
    """The residents' roll-up in the scope summed per resident and day, day by day."""
    rows = ResidentDailyCount
    return (
        select(rows.resident_id, rows.day, func.sum(rows.total), func.sum(rows.self_done))
        .where(_bound_communes(shape, rows.commune_id), _bound_days(rows.day))
        .group_by(rows.resident_id, rows.day)
        .order_by(rows.day)
    )


def _resident_days(session: Session, scope: Scope) -> ResidentDays:
    """What resident_figures and lesson_figures both read, read once."""
    return [
        (resident_id, day, int(total), int(done))
        for resident_id, day, total, done in _plain_rows(
            session, _resident_day_sums(scope.shape), scope.values()
        )
    ]


@functools.cache
def _resident_commune_sums(shape: str) -> Executable:
    """resident_figures' statement of the communes: carded residents, and those at the target."""
    rows = ResidentDailyCount
    per_commune = (
        select(
            rows.commune_id,
            rows.resident_id,
            func.sum(rows.self_done).label("done"),
        )
        .where(_bound_communes(shape, rows.commune_id), _bound_days(rows.day))
        .group_by(rows.commune_id, rows.resident_id)
        .subquery()
    )
    return (
        select(
            Commune,
            func.count(),
            func.sum(case((per_commune.c.done >= bindparam("target"), 1), else_=0)),
        )
        .join(Commune, Commune.id == per_commune.c.commune_id)
        .group_by(Commune.id)
        .order_by(alphabetical(Commune.name))
    )


def resident_figures(
    session: Session, scope: Scope, resident_days: ResidentDays | None = None
) -> ResidentFigures:
    """The carded residents' figures, from the residents' roll-up (never the log);
    `resident_days`: `_resident_days` of the scope when already read."""
    if resident_days is None:
        resident_days = _resident_days(session, scope)
    target = int(targets_of(session, scope)["self_done_per_resident"])
    communes: list[tuple[Commune, int, int]] = [
        (commune, int(carded), int(reached or 0))
        for commune, carded, reached in _rows(
            session, _resident_commune_sums(scope.shape), {**scope.values(), "target": target}
        )
    ]
    # day by day: when each resident was first seen, and when their running count reached it
    first_seen: dict[int, date] = {}
    reached_on: dict[int, date] = {}
    running: dict[int, int] = {}
    for resident_id, day, _total, done in resident_days:
        first_seen.setdefault(resident_id, day)
        running[resident_id] = running.get(resident_id, 0) + done
        if running[resident_id] >= target and resident_id not in reached_on:
            reached_on[resident_id] = day
    # how many residents did 0, 1, … by themselves; beyond the target (and 2, the API's last
    # bucket) the exact number does not matter
    cap = max(target, 2)
    self_done: dict[int, int] = {}
    for done in running.values():
        capped = min(done, cap)
        self_done[capped] = self_done.get(capped, 0) + 1
    self_done = dict(sorted(self_done.items()))
    seen_by_day: dict[date, int] = {}
    reached_by_day: dict[date, int] = {}
    for day in first_seen.values():
        seen_by_day[day] = seen_by_day.get(day, 0) + 1
    for day in reached_on.values():
        reached_by_day[day] = reached_by_day.get(day, 0) + 1
    per_day, seen, reached = [], 0, 0
    for day in scope.days:
        seen += seen_by_day.get(day, 0)
        reached += reached_by_day.get(day, 0)
        per_day.append((day, seen, reached))
    return ResidentFigures(
        target=target,
        carded=sum(self_done.values()),
        self_done=self_done,
        communes=communes,
        per_day=per_day,
    )


#: below this many residents a count is shown as "fewer than 10" and its share not at all, so no
#: figure describes a handful of people one could recognise
SMALL_COUNT = 10


@dataclass
class CourseEffect:
    """One course beside what carded residents then did: those who mastered it (their learner
    code is their card) and the share of their procedures after it done by themselves, against
    the same share for the carded residents without it."""

    course: Any
    residents_with: int
    self_done_with: int
    procedures_with: int
    residents_without: int
    self_done_without: int
    procedures_without: int

    @property
    def share_with(self) -> float | None:
        if self.residents_with < SMALL_COUNT:
            return None
        return share(self.self_done_with, self.procedures_with)

    @property
    def share_without(self) -> float | None:
        if self.residents_without < SMALL_COUNT:
            return None
        return share(self.self_done_without, self.procedures_without)


def lesson_figures(
    session: Session, scope: Scope, resident_days: ResidentDays | None = None
) -> list[CourseEffect]:
    """Per course mastered by a carded resident of the scope: the comparison of CourseEffect.
    `resident_days`: `_resident_days` of the scope when already read.

    The link runs through keyed digests only: a resident whose card is their learner code holds
    the digest of their learner account (impact.cards), matched here against the digests of the
    accounts courses says mastered each course (courses.learning.services.completions)."""
    if resident_days is None:
        resident_days = _resident_days(session, scope)
    days: dict[int, list[tuple[date, int, int]]] = {}
    for resident_id, day, total, done in resident_days:
        days.setdefault(resident_id, []).append((day, total, done))
    if not days:
        return []
    by_digest = {
        digest: resident_id
        for resident_id, digest in session.execute(
            select(Resident.id, Resident.learner_digest).where(
                Resident.id.in_(list(days)), Resident.learner_digest.is_not(None)
            )
        )
    }
    mastered: dict[Any, dict[int, date]] = {}  # course -> resident -> the day they mastered it
    if by_digest:
        key = current_app.config["RESIDENT_CARD_KEY"]
        for course, user_id, issued_at in course_completions(session):
            learner = by_digest.get(learner_digest(user_id, key))
            if learner is not None:
                mastered.setdefault(course, {})[learner] = local_date(issued_at)
    effects = []
    for course, residents in mastered.items():
        later = [
            (total, done)
            for resident_id, day_of in residents.items()
            for day, total, done in days[resident_id]
            if day > day_of
        ]
        others = [row for rid, rs in days.items() if rid not in residents for row in rs]
        effects.append(
            CourseEffect(
                course=course,
                residents_with=len(residents),
                self_done_with=sum(done for _total, done in later),
                procedures_with=sum(total for total, _done in later),
                residents_without=len(days) - len(residents),
                self_done_without=sum(done for _day, _total, done in others),
                procedures_without=sum(total for _day, total, _done in others),
            )
        )
    return effects


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
    campaign: Campaign | None = None,
) -> Scope:
    """The scope of /api/v1/stats: the dashboard's (`dashboard_scope`, the same communes as
    /impact shows the caller) over a range the API can always answer (`clamped_range`); a
    campaign's days when a campaign is asked for without dates."""
    if campaign is None or start is not None or end is not None:
        start, end = clamped_range(today, start, end)
    return dashboard_scope(
        session,
        user,
        today=today,
        campaign=campaign,
        province=province,
        commune=commune,
        start=start,
        end=end,
    )


def campaign_for(session: Session, user: User, campaign_id: int) -> Campaign | None:
    """The campaign with this id if one of its communes is in the user's coordinator scope."""
    campaign = session.get(Campaign, campaign_id)
    scope = CoordinatorScope.of(user)
    if campaign is None or not scope.covers_any(campaign.communes):
        return None
    return campaign


def public_scope(
    today: date,
    start: date | None,
    end: date | None,
    *,
    province: Province | None = None,
    commune: Commune | None = None,
) -> Scope:
    """The scope of public figures (the country's, a province's or a commune's), over a range
    the API can always answer."""
    start, end = clamped_range(today, start, end)
    if commune is not None:
        return dated_scope(
            today,
            start,
            end,
            commune_ids=frozenset({commune.id}),
            province_id=commune.province_id,
        )
    return dated_scope(today, start, end, province_id=province.id if province else None)


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
        "targets": figures.targets,
        "residents": figures.residents.json() if figures.residents else None,
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
        **({figures.unit_level: [u.json() for u in figures.units]} if figures.unit_level else {}),
    }
