"""The product's day: times are stored in UTC and lived in Asia/Ho_Chi_Minh (DESIGN.md).

Every "which local day is it", "when does this local day start and end" and "this local date at
this clock time" goes through here, so a day means the same thing on every page, job and query.
Viet Nam keeps UTC+7 all year (no daylight saving), but nothing here relies on that.
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from app.database import utcnow

#: the zone the campaign lives in; BABEL_DEFAULT_TIMEZONE names the same one for display
LOCAL_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


def local(moment: datetime) -> datetime:
    """An aware UTC instant as the local wall-clock time (for display and ISO answers)."""
    return moment.astimezone(LOCAL_ZONE)


def local_date(moment: datetime) -> date:
    """The local day an aware instant falls on."""
    return moment.astimezone(LOCAL_ZONE).date()


def local_today(now: datetime | None = None) -> date:
    """Today's local date (of `now`, by default the present)."""
    return local_date(now or utcnow())


def to_utc(day: date, clock: time) -> datetime:
    """The UTC instant of a local date at a local clock time."""
    return datetime.combine(day, clock, tzinfo=LOCAL_ZONE).astimezone(UTC)


def local_day_bounds(day: date) -> tuple[datetime, datetime]:
    """The UTC instants at which a local day starts and the next one starts."""
    return to_utc(day, time()), to_utc(day + timedelta(days=1), time())


def local_days_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """The UTC instants at which the local day `first` starts and the day after `last` starts."""
    return local_day_bounds(first)[0], local_day_bounds(last)[1]


def local_periods(day: date, pattern) -> list[tuple[datetime, datetime]]:
    """The (start, end) in UTC of each {"start": "HH:MM", "end": "HH:MM"} of `pattern` on a
    local day; a period ending before it starts is a ValueError."""
    periods = []
    for entry in pattern:
        start = to_utc(day, time.fromisoformat(entry["start"]))
        end = to_utc(day, time.fromisoformat(entry["end"]))
        if end <= start:
            raise ValueError(f"shift pattern entry ends before it starts: {entry}")
        periods.append((start, end))
    return periods
