"""What a person controls: which channels carry which topics, and quiet hours.

Every channel asks `wants(session, user, kind, channel_name)` before it offers a route, and push
and SMS ask `not_before(...)` when the notice may ring a phone. A kind's topic is set by the part
that registers it (`Kind.topic`). Quiet hours hold push and SMS until the morning, unless the
notice is about something that starts before then: a part registers how to find when the thing a
notice names starts (`register_starts({"shift_id": ...})`), so the kernel never imports it.
"""

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from app.auth.models import User
from app.database import utcnow
from app.errors import DomainError
from app.i18n import lazy_gettext as _l
from app.localtime import local, to_utc
from app.notifications.channels.models import QUIET_FROM, QUIET_UNTIL, NotificationPreference
from app.notifications.services import KINDS

#: what a person turns channels on and off by, in the order the profile shows them
TOPICS = {
    "reminders": _l("Reminders before my shifts"),
    "shift_changes": _l("Changes to my shifts (moved, cancelled, taken off)"),
    "placements": _l("Bookings and placements"),
    "broadcasts": _l("Messages from coordinators"),
}
#: the channels a person may choose, in the profile's order
CHANNEL_NAMES = {"mail": _l("Email"), "push": _l("This phone (push)"), "sms": _l("SMS")}
#: SMS costs the campaign money and interrupts: only what makes someone come, or stay home
SMS_TOPICS = frozenset({"reminders", "shift_changes"})
#: the channels that ring a phone, held back by quiet hours (a mail waits in the inbox anyway)
QUIET_CHANNELS = frozenset({"push", "sms"})

#: finds when the thing a notice's parameter names starts (UTC), e.g. a shift for "shift_id"
StartLookup = Callable[[Session, int], datetime | None]
#: registered by the parts at start-up: notice parameter -> its lookup
STARTS: dict[str, StartLookup] = {}


class PreferenceError(DomainError, ValueError):
    """A choice of channels or quiet hours that cannot be kept."""

    status = 400
    sentences = {
        "quiet_hours_empty": _l("Quiet hours must start and end at different times."),
    }


def register_starts(lookups: dict[str, StartLookup]) -> None:
    """Add a part's start lookups; registering again (a second app) replaces them."""
    STARTS.update(lookups)


def topic_of(kind: str) -> str:
    """The topic a kind of notice belongs to; "" for a kind without one."""
    spec = KINDS.get(kind)
    return spec.topic if spec else ""


def carries(channel_name: str, topic: str) -> bool:
    """Whether a channel may carry a topic at all (SMS: reminders and shift changes only)."""
    return channel_name != "sms" or topic in SMS_TOPICS


def reachable_outside(user: User) -> bool:
    """Whether the site may reach the person anywhere but the notices page.

    A resident who joined with a name and a commune only, no email, gets in-app notices only,
    until they add a phone: they never asked to be reached elsewhere.
    """
    return bool(user.active and (user.email or user.phone))


def preference_of(session: Session, user: User) -> NotificationPreference | None:
    """The person's saved choices, or None: the defaults."""
    return session.scalar(_PREFERENCE, {"user_id": user.id})


#: preference_of's statement, built once: every notice reads it, a booking's inside its lock
_PREFERENCE = select(NotificationPreference).where(
    NotificationPreference.user_id == bindparam("user_id")
)


def chosen(preference: NotificationPreference | None, topic: str, channel_name: str) -> bool:
    """Whether the choices keep a channel for a topic; a topic never chosen keeps every channel."""
    if preference is None or topic not in (preference.channels or {}):
        return True
    return channel_name in preference.channels[topic]


def wants(session: Session, user: User, kind: str, channel_name: str) -> bool:
    """Whether the person wants notices of this kind on this channel."""
    if not reachable_outside(user):
        return False
    topic = topic_of(kind)
    if not carries(channel_name, topic):
        return False
    return chosen(preference_of(session, user), topic, channel_name)


def quiet_end(now: datetime, quiet_from: time, quiet_until: time) -> datetime | None:
    """When the quiet hours around `now` end (UTC), or None when `now` is not in them.

    Local wall-clock times; a span from 21:00 to 07:00 crosses midnight.
    """
    moment = local(now)
    clock, today = moment.time().replace(tzinfo=None), moment.date()
    if quiet_from == quiet_until:
        return None
    if quiet_from < quiet_until:
        inside = quiet_from <= clock < quiet_until
        ends_on = today
    else:
        inside = clock >= quiet_from or clock < quiet_until
        ends_on = today if clock < quiet_until else today + timedelta(days=1)
    return to_utc(ends_on, quiet_until) if inside else None


def not_before(
    session: Session,
    user: User,
    channel_name: str,
    now: datetime,
    params: Mapping[str, Any] | None = None,
) -> datetime | None:
    """When a notice may ring the person's phone: None at once, else the end of quiet hours.

    It goes at once, even in quiet hours, when what it names (a shift) starts before they end:
    a reminder of a 06:30 shift is no use at 07:00.
    """
    if channel_name not in QUIET_CHANNELS:
        return None
    preference = preference_of(session, user)
    if preference is not None and not preference.quiet:
        return None
    quiet_from = preference.quiet_from if preference else QUIET_FROM
    quiet_until = preference.quiet_until if preference else QUIET_UNTIL
    end = quiet_end(now, quiet_from, quiet_until)
    if end is None:
        return None
    for name, lookup in STARTS.items():
        ident = (params or {}).get(name)
        if isinstance(ident, int) and not isinstance(ident, bool):
            starts_at = lookup(session, ident)
            if starts_at is not None and starts_at <= end:
                return None
    return end


def save_preferences(
    session: Session,
    user: User,
    channels: Mapping[str, Iterable[str]],
    offered: Iterable[str],
    quiet: bool,
    quiet_from: time,
    quiet_until: time,
) -> NotificationPreference:
    """Keep the person's choices: for each topic, which of the `offered` channels they want; and
    quiet hours.

    A channel the form did not offer (SMS before a phone is added, push on a site without VAPID
    keys) keeps its earlier choice, so turning it on later finds what the person had chosen.
    """
    if quiet and quiet_from == quiet_until:
        raise PreferenceError("quiet_hours_empty")
    offered = set(offered)
    preference = preference_of(session, user)
    kept = {}
    for topic in TOPICS:
        wanted = set(channels.get(topic, ()))
        kept[topic] = sorted(
            name
            for name in CHANNEL_NAMES
            if carries(name, topic)
            and (name in wanted if name in offered else chosen(preference, topic, name))
        )
    if preference is None:
        preference = NotificationPreference(user_id=user.id)
        session.add(preference)
    preference.channels = kept
    preference.quiet = quiet
    preference.quiet_from = quiet_from
    preference.quiet_until = quiet_until
    preference.updated_at = utcnow()
    session.flush()
    return preference
