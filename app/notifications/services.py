"""Tell a person what happened to their shifts: an in-app notice and a mail in their language.

`notify(session, user, kind, **params)` is the one call other parts make. Params are ids and
plain values (``shift_id=…``, ``from_shift_id=…``), never objects or text: the notice is worded
when it is read, in the reader's current language, from the shift as it is then.
"""

from datetime import datetime

from flask import current_app, has_request_context, url_for
from flask_babel import force_locale, format_date, format_time
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.orm import joinedload

from app.auth.models import User
from app.database import utcnow
from app.mail import queue_mail
from app.notifications.models import Notification
from app.places.models import ServicePoint

#: every kind of notice, with the title shown on the page and as the mail's subject
KINDS = {
    "booking_confirmed": _l("Booking confirmed"),
    "promoted": _l("You have a place from the waitlist"),
    "shift_changed": _l("Your shift changed"),
    "shift_cancelled": _l("Your shift was cancelled"),
    "reminder": _l("Reminder: your shift is soon"),
    "placed": _l("A coordinator put you on a shift"),
    "removed": _l("A coordinator took you off a shift"),
    "moved": _l("A coordinator moved you to another shift"),
}


def notify(session, user: User, kind: str, **params) -> Notification:
    """Store a notice for the user and queue its mail (when they have an email); flush only."""
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind: {kind}")
    notice = Notification(user_id=user.id, kind=kind, params=params, created_at=utcnow())
    session.add(notice)
    session.flush()
    if user.email:
        with force_locale(user.locale or "vi"):
            subject = str(KINDS[kind])
            text = render(session, [notice])[0].text
            body = "\n\n".join(
                [
                    _("Hello %(name)s,", name=user.full_name),
                    text,
                    _("See your shifts: %(url)s", url=_site_url("scheduling.my_shifts")),
                    _("Cầu Nối"),
                ]
            )
        queue_mail(session, user.email, subject, body)
    return notice


class Shown:
    """A notice as the reader sees it: its title and text in the current language."""

    def __init__(self, notice: Notification, title: str, text: str):
        self.notice = notice
        self.title = title
        self.text = text


def render(session, notices: list[Notification]) -> list[Shown]:
    """Word the notices in the current language; the shifts they name are loaded in one query."""
    from scheduling.models import Shift  # scheduling builds on app, not the other way round

    ids = set()
    for notice in notices:
        for key in ("shift_id", "from_shift_id"):
            if isinstance(notice.params.get(key), int):
                ids.add(notice.params[key])
    shifts = {}
    if ids:
        shifts = {
            shift.id: shift
            for shift in session.scalars(
                select(Shift)
                .where(Shift.id.in_(ids))
                .options(joinedload(Shift.service_point).joinedload(ServicePoint.commune))
            )
        }
    return [_shown(notice, shifts) for notice in notices]


def _shown(notice: Notification, shifts) -> Shown:
    params = notice.params or {}
    shift = _shift_text(shifts.get(params.get("shift_id")))
    if notice.kind == "booking_confirmed":
        text = _("Your place is booked: %(shift)s.", shift=shift)
    elif notice.kind == "promoted":
        text = _("A place freed up and you moved from the waitlist onto: %(shift)s.", shift=shift)
    elif notice.kind == "shift_changed":
        old = _times(params.get("old_starts_at"), params.get("old_ends_at"))
        if old:
            text = _(
                "The times of your shift changed (it was %(old)s). It is now: %(shift)s.",
                old=old,
                shift=shift,
            )
        else:
            text = _("The times of your shift changed. It is now: %(shift)s.", shift=shift)
    elif notice.kind == "shift_cancelled":
        text = _(
            "This shift was cancelled and your booking with it: %(shift)s. "
            "Find another shift if you can.",
            shift=shift,
        )
    elif notice.kind == "reminder":
        text = _("Your shift is coming up: %(shift)s.", shift=shift)
    elif notice.kind == "placed":
        text = _("A coordinator put you on this shift: %(shift)s.", shift=shift)
    elif notice.kind == "removed":
        text = _("A coordinator took you off this shift: %(shift)s.", shift=shift)
    elif notice.kind == "moved":
        old = _shift_text(shifts.get(params.get("from_shift_id")))
        text = _("A coordinator moved you from %(old)s to %(shift)s.", old=old, shift=shift)
    else:
        text = _("You have a new notice.")
    return Shown(notice, str(KINDS.get(notice.kind, _("Notice"))), text)


def _shift_text(shift) -> str:
    if shift is None:
        return _("a shift that no longer exists")
    return _(
        "%(point)s (%(commune)s), %(day)s, %(start)s–%(end)s",
        point=shift.service_point.name,
        commune=shift.service_point.commune.name,
        day=format_date(shift.starts_at, "full"),
        start=format_time(shift.starts_at, "short"),
        end=format_time(shift.ends_at, "short"),
    )


def _times(starts_at, ends_at) -> str:
    try:
        start = datetime.fromisoformat(starts_at)
        end = datetime.fromisoformat(ends_at)
    except (TypeError, ValueError):
        return ""
    day = format_date(start, "medium")
    return f"{day}, {format_time(start, 'short')}–{format_time(end, 'short')}"


def _site_url(endpoint) -> str:
    """An absolute link for a mail; outside a request (cron) it starts with SITE_URL."""
    if has_request_context():
        return url_for(endpoint, _external=True)
    base = current_app.config.get("SITE_URL") or "http://127.0.0.1:5000"
    with current_app.test_request_context("/", base_url=base):
        return url_for(endpoint, _external=True)


def notices_of(session, user_id: int, limit: int = 100) -> list[Notification]:
    """The person's notices, newest first."""
    return list(
        session.scalars(
            select(Notification)
            .where(Notification.user_id == user_id)
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(limit)
        )
    )


def unread_count(session, user_id: int) -> int:
    """How many of the person's notices are unread (one index lookup)."""
    return session.scalar(
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
    )


def mark_all_read(session, user_id: int, now: datetime | None = None) -> int:
    """Mark every unread notice of the person read; return how many."""
    result = session.execute(
        update(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=now or utcnow())
    )
    session.flush()
    return result.rowcount
