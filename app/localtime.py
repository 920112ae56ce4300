"""The product's day: times are stored in UTC and lived in Asia/Ho_Chi_Minh (DESIGN.md).

Every "which local day is it", "when does this local day start and end" and "this local date at
this clock time" goes through here, so a day means the same thing on every page, job and query.
Viet Nam keeps UTC+7 all year (no daylight saving), but nothing here relies on that.

It is also where a day or a moment a person sent is judged possible: Python's calendar ends at
year 1 and year 9999, so `0001-01-01` at +07:00, or a day after 9999-12-31, overflows when turned
into UTC or moved by a day. Every date and time the site accepts lies within FIRST_DAY and
LAST_DAY (forms: app/forms.py; API: app/api/schemas.py), and the conversions here refuse
anything else with DayOutOfRange (a 400 in the reader's language) instead of an OverflowError.
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from app.database import utcnow
from app.errors import DomainError
from app.i18n import lazy_gettext as _l

#: the zone the campaign lives in; BABEL_DEFAULT_TIMEZONE names the same one for display
LOCAL_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")

#: the first and last days the site accepts: far beyond any campaign (a mistyped year is caught),
#: yet far enough from the calendar's ends that any UTC offset, a day's bounds and a few weeks'
#: arithmetic stay inside it; whole years, so JSON Schema can state them (app/api/schemas.py)
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2999, 12, 31)


class DayOutOfRange(DomainError):
    """A date or time outside FIRST_DAY..LAST_DAY: not a day of the campaign, nor one Python's
    calendar can always convert."""

    code = "date_out_of_range"
    status = 400
    sentence = _l("Choose a date between the years 1900 and 2999.")


def check_day(day: date) -> date:
    """The day itself, when the site accepts it; otherwise DayOutOfRange."""
    if not FIRST_DAY <= day <= LAST_DAY:
        raise DayOutOfRange()
    return day


def check_moment(moment: datetime) -> datetime:
    """An aware moment a person sent, in UTC, when its day (as written, with its own offset) is
    one the site accepts; otherwise DayOutOfRange, before any conversion could overflow."""
    check_day(moment.date())
    return moment.astimezone(UTC)


def _convert(moment: datetime, zone) -> datetime:
    try:
        return moment.astimezone(zone)
    except OverflowError:  # within a few hours of the calendar's ends
        raise DayOutOfRange() from None


def local(moment: datetime) -> datetime:
    """An aware UTC instant as the local wall-clock time (for display and ISO answers)."""
    return _convert(moment, LOCAL_ZONE)


def local_date(moment: datetime) -> date:
    """The local day an aware instant falls on."""
    return _convert(moment, LOCAL_ZONE).date()


def local_today(now: datetime | None = None) -> date:
    """Today's local date (of `now`, by default the present)."""
    return local_date(now or utcnow())


def to_utc(day: date, clock: time) -> datetime:
    """The UTC instant of a local date at a local clock time (DayOutOfRange outside the days the
    site accepts)."""
    return _at(check_day(day), clock)


def _at(day: date, clock: time) -> datetime:
    return datetime.combine(day, clock, tzinfo=LOCAL_ZONE).astimezone(UTC)


def local_day_bounds(day: date) -> tuple[datetime, datetime]:
    """The UTC instants at which a local day starts and the next one starts."""
    start = to_utc(day, time())  # checks the day, so the next one exists
    return start, _at(day + timedelta(days=1), time())


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
