"""The notices scheduling sends — booked, promoted, moved, cancelled, reminded — and their words;
and, when one reaches its volunteer on no channel, the notice that tells the shift's coordinators.

Registered with the kernel's notification mechanism by `scheduling.init_app`; a notice names its
shifts by id and is worded when read, from the shifts as they are then.
"""

from datetime import datetime

from flask_babel import format_date, format_time
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from app.auth.models import RoleGrant, User
from app.i18n import lazy_gettext as _l
from app.notifications.models import Notification
from app.notifications.services import Kind, notify
from app.places.models import Commune, ServicePoint
from app.roles import Role
from scheduling.broadcasts.models import Broadcast
from scheduling.models import Shift
from scheduling.wording import describe

SEE_SHIFTS = _l("See your shifts: %(url)s")

#: a coordinator's call to the volunteers of a commune for a shift short of people
CALL_KIND = "call_for_volunteers"
#: a coordinator's own message to a shift, a team or a campaign's people (scheduling.broadcasts)
BROADCAST_KIND = "broadcast"


def word(session: Session, notices: list[Notification]) -> list[str]:
    """Word scheduling's notices in the current language; their shifts load in one query."""
    ids = set()
    for notice in notices:
        for key in ("shift_id", "from_shift_id"):
            if isinstance((notice.params or {}).get(key), int):
                ids.add(notice.params[key])
    unreached = [
        n.params["user_id"]
        for n in notices
        if n.kind == "undelivered" and isinstance((n.params or {}).get("user_id"), int)
    ]
    people = {}
    if unreached:
        people = {u.id: u for u in session.scalars(select(User).where(User.id.in_(unreached)))}
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
    return [_text(notice, shifts, people) for notice in notices]


def _text(notice: Notification, shifts: dict[int, Shift], people: dict[int, User]) -> str:
    params = notice.params or {}
    shift = _shift_text(shifts.get(params.get("shift_id")))
    if notice.kind == "undelivered":
        person = people.get(params.get("user_id"))
        return _(
            "A message to %(name)s about this shift reached them on no channel: %(shift)s. "
            "Call them if you can%(phone)s.",
            name=person.full_name if person else _("a volunteer"),
            phone=f" ({person.phone})" if person and person.phone else "",
            shift=shift,
        )
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
    if notice.kind in SWAP_WORDS:
        return str(SWAP_WORDS[notice.kind]) % {"shift": shift}
    if notice.kind == "removed":
        return _("A coordinator took you off this shift: %(shift)s.", shift=shift)
    old = _shift_text(shifts.get(params.get("from_shift_id")))
    return _("A coordinator moved you from %(old)s to %(shift)s.", old=old, shift=shift)


#: what each notice of a swap says (scheduling.swaps), with the shift as %(shift)s
SWAP_WORDS = {
    "offer_to_you": _l("A volunteer offers you their place on this shift: %(shift)s."),
    "offer_open": _l(
        "A volunteer offers their place on a shift you are waiting for: %(shift)s. "
        "Take it before someone else does."
    ),
    "offer_taken": _l(
        "Another volunteer took the shift you offered: you are no longer on %(shift)s."
    ),
    "offer_received": _l("You took a place offered by another volunteer: %(shift)s."),
    "offer_pending": _l(
        "Someone asked to take the shift you offered; a coordinator will decide: %(shift)s."
    ),
    "offer_refused": _l("A coordinator refused the swap of this shift: %(shift)s."),
    "offer_withdrawn": _l(
        "The volunteer who offered you their place took the offer back; the shift stays "
        "theirs: %(shift)s."
    ),
    "swap_to_approve": _l("Two volunteers ask to swap a place on this shift: %(shift)s."),
}


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


def shift_start(session: Session, shift_id: int) -> datetime | None:
    """When a shift starts (UTC), for the kernel's quiet hours: a notice about a shift that
    starts before they end goes at once."""
    return session.scalar(select(Shift.starts_at).where(Shift.id == shift_id))


def tell_coordinators(session: Session, notice: Notification) -> None:
    """A volunteer's notice about a shift reached them nowhere: tell the coordinators of the
    shift's commune (those of its province when the commune has none) in-app and by mail."""
    shift = session.get(Shift, (notice.params or {}).get("shift_id"))
    if shift is None:
        return
    for coordinator in coordinators_of(session, shift, but=notice.user_id):
        notify(session, coordinator, "undelivered", shift_id=shift.id, user_id=notice.user_id)


def coordinators_of(session: Session, shift: Shift, but: int | None = None) -> list[User]:
    """The active coordinators of the shift's commune, or of its province when the commune has
    none (but the person `but`)."""
    commune = session.get_one(Commune, shift.service_point.commune_id)
    coordinators: list[User] = []
    for scope in (
        RoleGrant.commune_id == commune.id,
        RoleGrant.province_id == commune.province_id,
    ):
        coordinators = session.scalars(
            select(User)
            .join(RoleGrant, RoleGrant.user_id == User.id)
            .where(
                RoleGrant.role == Role.COORDINATOR,
                scope,
                User.active.is_(True),
                User.id != but,
            )
            .order_by(User.id)
        ).all()  # one grant per person and commune or province: no one twice
        if coordinators:
            break
    return list(coordinators)


def word_broadcasts(session: Session, notices: list[Notification]) -> list[str]:
    """A broadcast's notice reads as the coordinator wrote it, in whatever language they wrote;
    its messages load in one query."""
    ids = {
        n.params["broadcast_id"]
        for n in notices
        if isinstance((n.params or {}).get("broadcast_id"), int)
    }
    messages = {}
    if ids:
        messages = {
            ident: message
            for ident, message in session.execute(
                select(Broadcast.id, Broadcast.message).where(Broadcast.id.in_(ids))
            )
        }
    return [
        messages.get((n.params or {}).get("broadcast_id")) or _("A message that no longer exists.")
        for n in notices
    ]


def _kind(title, topic: str) -> Kind:
    return Kind(
        title=title,
        word=word,
        endpoint="scheduling.my_shifts",
        link_text=SEE_SHIFTS,
        topic=topic,
        undelivered=tell_coordinators,
    )


def _offer_kind(title) -> Kind:
    """An offer one may take: the mail links to the offers page."""
    return Kind(
        title=title,
        word=word,
        endpoint="swaps.offers",
        link_text=_l("See the offer and take it: %(url)s"),
        topic="shift_changes",
    )


#: every kind of notice scheduling sends, with the title shown on the page and as the subject, and
#: its topic: being taken off or moved off a shift changes a shift one holds, like a cancellation
KINDS = {
    "booking_confirmed": _kind(_l("Booking confirmed"), "placements"),
    "promoted": _kind(_l("You have a place from the waitlist"), "placements"),
    "shift_changed": _kind(_l("Your shift changed"), "shift_changes"),
    "shift_cancelled": _kind(_l("Your shift was cancelled"), "shift_changes"),
    "reminder": _kind(_l("Reminder: your shift is soon"), "reminders"),
    "placed": _kind(_l("A coordinator put you on a shift"), "placements"),
    "removed": _kind(_l("A coordinator took you off a shift"), "shift_changes"),
    "moved": _kind(_l("A coordinator moved you to another shift"), "shift_changes"),
    "offer_to_you": _offer_kind(_l("A shift is offered to you")),
    "offer_open": _offer_kind(_l("A place on a shift you wait for is offered")),
    "offer_taken": _kind(_l("Your offered shift was taken"), "shift_changes"),
    "offer_received": _kind(_l("You took an offered shift"), "shift_changes"),
    "offer_pending": _kind(_l("A swap of your shift waits for approval"), "shift_changes"),
    "swap_to_approve": Kind(
        title=_l("A swap of shifts waits for your approval"),
        word=word,
        endpoint="swaps.pending",
        link_text=_l("Approve or refuse it: %(url)s"),
        topic="shift_changes",
    ),
    "offer_refused": _kind(_l("A swap was refused"), "shift_changes"),
    "offer_withdrawn": Kind(
        title=_l("A shift offered to you was taken back"),
        word=word,
        endpoint="swaps.offers",
        link_text=_l("See the shifts offered to you: %(url)s"),
        topic="shift_changes",
    ),
    # to the coordinators; when it is not delivered either, nobody else is told
    "undelivered": Kind(
        title=_l("A volunteer could not be reached"), word=word, topic="shift_changes"
    ),
    CALL_KIND: Kind(
        title=_l("A shift near you needs volunteers"),
        word=word,
        endpoint="scheduling.find_shifts",
        link_text=_l("Find it and book it: %(url)s"),
        topic="broadcasts",
    ),
    BROADCAST_KIND: Kind(
        title=_l("A message from your coordinator"), word=word_broadcasts, topic="broadcasts"
    ),
}
