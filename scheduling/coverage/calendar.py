"""Calendar feeds: a volunteer's shifts as iCalendar, behind a secret URL a phone subscribes to.

The URL carries a token signed by itsdangerous with its own salt (``calendar-feed``) that binds
the person's id and their feed version (``CalendarFeed``). Policy: **the token does not expire.**
A calendar app polls the same URL for months, and an expiring URL would silently stop updating
the volunteer's calendar without telling anyone. Instead the link is revocable: "reset" bumps the
version, and every URL signed for an older version answers 404. A deactivated account's feed
answers 404 too. The feed shows only shift times and places, never other people's data.
"""

from datetime import datetime, timedelta

from flask_babel import gettext as _
from icalendar import Alarm, Calendar, Event, vText
from sqlalchemy import or_, select
from sqlalchemy.orm import contains_eager

from app.auth.models import User
from app.database import locked, utcnow
from app.localtime import LOCAL_ZONE, local
from app.places.models import ServicePoint
from app.text import one_line
from app.tokens import BadToken, signer
from scheduling.coverage.models import CalendarFeed
from scheduling.models import Booking, BookingStatus, Shift, ShiftStatus
from scheduling.services import HOLDING

#: how far back and ahead the feed reaches
PAST = timedelta(days=30)
AHEAD = timedelta(days=183)
#: a calendar app should poll again after this long (a hint; Google decides on its own);
#: X-PUBLISHED-TTL below says the same for Outlook
REFRESH = timedelta(hours=6)
PRODID = "-//Cau Noi//Shifts//VI"


def feed_version(session, user_id: int) -> int:
    """The person's current feed version (0 until they first reset the link)."""
    version = session.scalar(select(CalendarFeed.version).where(CalendarFeed.user_id == user_id))
    return version or 0


def feed_token(session, secret_key, user: User) -> str:
    """The signed token of the person's current feed URL."""
    return signer("calendar-feed", secret_key).dumps([user.id, feed_version(session, user.id)])


def user_from_feed_token(session, secret_key, token: str) -> User | None:
    """The active person a feed token names, or None when it is forged, reset or unknown."""
    try:
        user_id, version = signer("calendar-feed", secret_key).loads(token)
    except (BadToken, ValueError, TypeError):
        return None
    if not isinstance(user_id, int) or not isinstance(version, int):
        return None
    user = session.get(User, user_id)
    if user is None or not user.active or feed_version(session, user.id) != version:
        return None
    return user


def reset_feed(session, user: User, now: datetime | None = None) -> int:
    """Give the person a new feed URL: every URL they shared before stops working."""
    locked(session, User, user.id)  # two resets at once still give two versions
    feed = session.scalar(select(CalendarFeed).where(CalendarFeed.user_id == user.id))
    if feed is None:
        feed = CalendarFeed(user_id=user.id, version=0)
        session.add(feed)
    feed.version += 1
    feed.reset_at = now or utcnow()
    session.flush()
    return feed.version


def feed_bookings(session, user_id: int, now: datetime | None = None) -> list[Booking]:
    """The bookings the feed shows: held ones, and any on a cancelled shift, over its range.

    A booking the person cancelled themselves is left out; a shift cancelled by its campaign
    stays in as a cancelled event, so a subscribed calendar shows why it vanished.
    """
    now = now or utcnow()
    return list(
        session.scalars(
            select(Booking)
            .join(Booking.shift)
            .join(Shift.service_point)
            .join(ServicePoint.commune)
            .options(
                contains_eager(Booking.shift)
                .contains_eager(Shift.service_point)
                .contains_eager(ServicePoint.commune)
            )
            .where(
                Booking.user_id == user_id,
                or_(Booking.status.in_(HOLDING), Shift.status == ShiftStatus.CANCELLED),
                Shift.starts_at >= now - PAST,
                Shift.starts_at < now + AHEAD,
            )
            .order_by(Shift.starts_at, Booking.id)
        )
    )


def _uid(booking: Booking) -> str:
    # one booking row per person and shift, kept when it is cancelled and booked again: stable
    return f"booking-{booking.id}@cau-noi"


def _event(booking: Booking, my_shifts_url: str, stamp: datetime) -> Event:
    shift = booking.shift
    point = shift.service_point
    event = Event()
    event.add("uid", _uid(booking))
    event.add("dtstamp", stamp)
    event.add("dtstart", local(shift.starts_at))
    event.add("dtend", local(shift.ends_at))
    if booking.status == BookingStatus.WAITLISTED:
        summary = _("Waitlisted: volunteer shift at %(point)s", point=point.name)
    else:
        summary = _("Volunteer shift at %(point)s", point=point.name)
    event.add("summary", one_line(summary))
    event.add(
        "location",
        one_line(", ".join(p for p in (point.name, point.commune.name, point.address) if p)),
    )
    event.add(
        "description",
        _("See and cancel your shifts: %(url)s", url=my_shifts_url),
    )
    event.add("url", my_shifts_url)
    if shift.status == ShiftStatus.CANCELLED or booking.status == BookingStatus.CANCELLED:
        event.add("status", "CANCELLED")
    elif booking.status == BookingStatus.WAITLISTED:
        event.add("status", "TENTATIVE")
    else:
        event.add("status", "CONFIRMED")
        for before in ALARMS:
            event.add_component(_alarm(summary, before))
    return event


#: a held shift's alarms in the volunteer's calendar, as the reminders: a day and two hours before
ALARMS = (timedelta(days=1), timedelta(hours=2))


def _alarm(summary: str, before: timedelta) -> Alarm:
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", summary)
    alarm.add("trigger", -before)
    return alarm


def calendar_of(bookings: list[Booking], *, name: str, my_shifts_url: str, now=None) -> bytes:
    """An iCalendar of the bookings, times in Asia/Ho_Chi_Minh with its VTIMEZONE.

    Strings are translated in the caller's locale (the feed wraps this in the person's language).
    """
    stamp = now or utcnow()
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    # a name stored before names refused line breaks must not break the feed's lines; vText
    # escapes what RFC 5545 asks (an X- property is otherwise written as given)
    calendar.add("x-wr-calname", vText(one_line(name)))
    calendar.add("x-wr-timezone", LOCAL_ZONE.key)
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT6H")  # Outlook's name for the same hint
    for booking in bookings:
        calendar.add_component(_event(booking, my_shifts_url, stamp))
    calendar.add_missing_timezones()
    return calendar.to_ical()
