"""The notices scheduling sends — booked, promoted, moved, cancelled, reminded — and their words.

Registered with the kernel's notification mechanism by `scheduling.init_app`; a notice names its
shifts by id and is worded when read, from the shifts as they are then.
"""

from datetime import datetime

from flask_babel import format_date, format_time
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from app.notifications.models import Notification
from app.notifications.services import Kind
from app.places.models import ServicePoint
from scheduling.models import Shift
from scheduling.wording import describe

SEE_SHIFTS = _l("See your shifts: %(url)s")

#: a coordinator's call to the volunteers of a commune for a shift short of people
CALL_KIND = "call_for_volunteers"


def word(session: Session, notices: list[Notification]) -> list[str]:
    """Word scheduling's notices in the current language; their shifts load in one query."""
    ids = set()
    for notice in notices:
        for key in ("shift_id", "from_shift_id"):
            if isinstance((notice.params or {}).get(key), int):
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
    return [_text(notice, shifts) for notice in notices]


def _text(notice: Notification, shifts: dict[int, Shift]) -> str:
    params = notice.params or {}
    shift = _shift_text(shifts.get(params.get("shift_id")))
    if notice.kind == "booking_confirmed":
        return _("Your place is booked: %(shift)s.", shift=shift)
    if notice.kind == "promoted":
        return _("A place freed up and you moved from the waitlist onto: %(shift)s.", shift=shift)
    if notice.kind == "shift_changed":
        old = _times(params.get("old_starts_at"), params.get("old_ends_at"))
        if old:
            return _(
                "The times of your shift changed (it was %(old)s). It is now: %(shift)s.",
                old=old,
                shift=shift,
            )
        return _("The times of your shift changed. It is now: %(shift)s.", shift=shift)
    if notice.kind == "shift_cancelled":
        return _(
            "This shift was cancelled and your booking with it: %(shift)s. "
            "Find another shift if you can.",
            shift=shift,
        )
    if notice.kind == "reminder":
        return _("Your shift is coming up: %(shift)s.", shift=shift)
    if notice.kind == "placed":
        return _("A coordinator put you on this shift: %(shift)s.", shift=shift)
    if notice.kind == CALL_KIND:
        return _(
            "A shift in your commune is short of volunteers: %(shift)s. Book it if you can.",
            shift=shift,
        )
    if notice.kind == "removed":
        return _("A coordinator took you off this shift: %(shift)s.", shift=shift)
    old = _shift_text(shifts.get(params.get("from_shift_id")))
    return _("A coordinator moved you from %(old)s to %(shift)s.", old=old, shift=shift)


def _shift_text(shift: Shift | None) -> str:
    if shift is None:
        return _("a shift that no longer exists")
    return describe(shift, commune=True)


def _times(starts_at, ends_at) -> str:
    try:
        start = datetime.fromisoformat(starts_at)
        end = datetime.fromisoformat(ends_at)
    except (TypeError, ValueError):
        return ""
    day = format_date(start, "medium")
    return f"{day}, {format_time(start, 'short')}–{format_time(end, 'short')}"


def _kind(title) -> Kind:
    return Kind(title=title, word=word, endpoint="scheduling.my_shifts", link_text=SEE_SHIFTS)


#: every kind of notice scheduling sends, with the title shown on the page and as the subject
KINDS = {
    "booking_confirmed": _kind(_l("Booking confirmed")),
    "promoted": _kind(_l("You have a place from the waitlist")),
    "shift_changed": _kind(_l("Your shift changed")),
    "shift_cancelled": _kind(_l("Your shift was cancelled")),
    "reminder": _kind(_l("Reminder: your shift is soon")),
    "placed": _kind(_l("A coordinator put you on a shift")),
    "removed": _kind(_l("A coordinator took you off a shift")),
    "moved": _kind(_l("A coordinator moved you to another shift")),
    CALL_KIND: Kind(
        title=_l("A shift near you needs volunteers"),
        word=word,
        endpoint="scheduling.find_shifts",
        link_text=_l("Find it and book it: %(url)s"),
    ),
}
