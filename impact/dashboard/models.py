"""Daily roll-ups of the assisted-submission log, so the dashboard never scans a million rows."""

from datetime import date

from sqlalchemy import Date, ForeignKey, Integer
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db


def _counter():
    return mapped_column(Integer, nullable=False, default=0, server_default="0")


class AssistCounters:
    """The counters of assisted submissions that each roll-up keeps, one column apiece."""

    total: Mapped[int] = _counter()
    submitted: Mapped[int] = _counter()
    #: submitted partly or fully online (not on paper): the 80% target
    submitted_online: Mapped[int] = _counter()
    #: submitted fully online (toàn trình): the 20% target
    submitted_fully_online: Mapped[int] = _counter()
    #: of the submitted, whether the result is returned electronically: the 100% target
    result_yes: Mapped[int] = _counter()
    result_no: Mapped[int] = _counter()
    result_not_yet: Mapped[int] = _counter()
    #: residents who did it themselves with guidance
    self_service: Mapped[int] = _counter()
    vulnerable: Mapped[int] = _counter()
    at_home: Mapped[int] = _counter()
    #: sent later from a phone's offline queue
    offline: Mapped[int] = _counter()
    reason_network_down: Mapped[int] = _counter()
    reason_system_error: Mapped[int] = _counter()
    reason_missing_signature: Mapped[int] = _counter()
    reason_missing_documents: Mapped[int] = _counter()
    reason_no_account: Mapped[int] = _counter()
    reason_other: Mapped[int] = _counter()


class AssistDailyCount(AssistCounters, db.Model):
    """Counts of one commune's assisted submissions on one local day, kept in step with each new
    row of the log (same transaction) and rebuilt from the log by `flask impact rebuild`."""

    __tablename__ = "assist_daily_counts"

    commune_id: Mapped[int] = mapped_column(
        ForeignKey("communes.id", ondelete="CASCADE"), primary_key=True
    )
    #: the local (Asia/Ho_Chi_Minh) day the submissions happened
    day: Mapped[date] = mapped_column(Date, primary_key=True, index=True)


#: every counter column, in the order above
COUNTERS = tuple(
    c.name for c in AssistDailyCount.__table__.columns if c.name not in ("commune_id", "day")
)


class ProvinceDailyCount(AssistCounters, db.Model):
    """The sums of a province's communes' AssistDailyCount rows on one local day: what the country
    and a whole province read, 34 rows a day instead of 3,321. Kept in step with the log by the
    same statement as the communes' (`count_assist`) and rebuilt with it."""

    __tablename__ = "assist_province_daily_counts"

    province_id: Mapped[int] = mapped_column(
        ForeignKey("provinces.id", ondelete="CASCADE"), primary_key=True
    )
    #: indexed alone for the country's days, the primary key (province_id, day) serving a province
    day: Mapped[date] = mapped_column(Date, primary_key=True, index=True)


class ResidentDailyCount(db.Model):
    """One carded resident's assisted submissions in one commune on one local day: the roll-up
    the residents' figures (0, 1, 2+ procedures done by themselves) read, kept in step with the
    log like AssistDailyCount and rebuilt with it."""

    __tablename__ = "resident_daily_counts"

    resident_id: Mapped[int] = mapped_column(
        ForeignKey("residents.id", ondelete="CASCADE"), primary_key=True
    )
    commune_id: Mapped[int] = mapped_column(
        ForeignKey("communes.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True, index=True)
    total: Mapped[int] = _counter()
    #: submitted dossiers the resident did themselves (with guidance): the "≥ 2" target
    self_done: Mapped[int] = _counter()


#: the residents' roll-up's counters
RESIDENT_COUNTERS = ("total", "self_done")


class PointDailyCount(db.Model):
    """Counts of one service point's assisted submissions on one local day: what a commune's page
    shows per service point, kept in step with the log like AssistDailyCount and rebuilt with it."""

    __tablename__ = "assist_point_daily_counts"

    service_point_id: Mapped[int] = mapped_column(
        ForeignKey("service_points.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True, index=True)
    #: the point's commune, copied so a commune's points are read from one index
    commune_id: Mapped[int] = mapped_column(
        ForeignKey("communes.id", ondelete="CASCADE"), index=True
    )
    total: Mapped[int] = _counter()
    submitted: Mapped[int] = _counter()
    submitted_online: Mapped[int] = _counter()
    submitted_fully_online: Mapped[int] = _counter()
    result_yes: Mapped[int] = _counter()
    self_service: Mapped[int] = _counter()


#: the service points' roll-up's counters, each defined as AssistDailyCount's of the same name
POINT_COUNTERS = (
    "total",
    "submitted",
    "submitted_online",
    "submitted_fully_online",
    "result_yes",
    "self_service",
)
