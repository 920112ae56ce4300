"""Tell a person what happened: an in-app notice, and a delivery on each channel that reaches
them (mail, and whatever else is registered in `app.notifications.channels.CHANNELS`).

`notify(session, user, kind, **params)` is the one call the parts make. Params are ids and plain
values (``shift_id=…``), never objects or text: the notice is worded when it is read, or by the
worker that delivers it, in the reader's language, from the objects as they are then. The kernel
keeps the mechanism (store, list, read, deliver); each part registers the kinds it sends and how
each is worded.

The delivery log (`Delivery`) is written with the request's transaction; its send tasks are
handed to the queue only once that transaction commits (`app/notifications/jobs.py`), so a
worker never looks for a row that is not there yet, and nothing is sent for a rolled-back notice.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast
from urllib.parse import urlsplit

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import CursorResult, bindparam, func, insert, or_, select, update
from sqlalchemy.orm import Session

from app.auth.models import User
from app.database import utcnow
from app.i18n import lazy_gettext as _l
from app.notifications.channels import CHANNELS, Message, Route
from app.notifications.models import Delivery, DeliveryState, Notification
from app.urls import absolute_url

#: session.info key: (delivery id, due time) of deliveries to hand the queue after the commit
ENQUEUE_AFTER_COMMIT = "deliveries_to_enqueue"
#: a worker holds a claimed delivery this long; past it, it was killed and another may retry
CLAIM_LEASE = timedelta(minutes=5)
#: the longest wait between two attempts
LONGEST_RETRY_DELAY = timedelta(hours=1)


@dataclass(frozen=True)
class Kind:
    """A kind of notice a part sends: its title, how a batch is worded, where the mail points."""

    title: object  # a lazy string: the page's heading and the mail's subject
    #: words notices of this kind in the current language, loading what they name in one go
    word: Callable[[Session, list[Notification]], list[str]]
    #: the page a mail of this kind links to
    endpoint: str = "notifications.index"
    #: the link's sentence in the mail, with %(url)s
    link_text: object = _l("See your notices: %(url)s")
    #: what a person turns channels on and off by (app/notifications/preferences.py TOPICS):
    #: "reminders", "shift_changes", "placements" or "broadcasts"; "" for none of them
    topic: str = ""
    #: tells whoever must know that no channel delivered this notice (it failed or gave up on
    #: every one): a part's callback, run in the worker's transaction; None: nobody is told
    undelivered: Callable[[Session, Notification], None] | None = None


#: every kind of notice, registered by the parts at start-up (kind name -> Kind)
KINDS: dict[str, Kind] = {}


def register_kinds(kinds: dict[str, Kind]) -> None:
    """Add a part's kinds; registering the same kind again (a second app) replaces it."""
    KINDS.update(kinds)


def routes_for(
    session: Session, user: User, kind: str, now: datetime | None = None, **params: Any
) -> list[tuple[str, Route]]:
    """The channels a notice of this kind would reach the person on now, and where: what
    `notify` reads of the person's choices. A caller that makes the notice under a lock (a
    booking's confirmation) reads it before and hands it to `notify`, so the lock does not wait
    on that read."""
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind: {kind}")
    now = now or utcnow()
    return [
        (channel.name, route)
        for channel in CHANNELS.values()
        if (route := channel.route(session, user, kind, now, params=params)) is not None
    ]


def notify(
    session: Session,
    user: User,
    kind: str,
    *,
    routes: list[tuple[str, Route]] | None = None,
    **params: Any,
) -> int:
    """Store a notice for the user and queue one delivery on each channel that reaches them for
    this kind (`routes`, read now unless given); the worker words each in the user's language.
    Return the notice's id.

    Written with two plain INSERTs (the notice, then its deliveries in one statement) on the
    session's connection, not through the session's unit of work or its execution layer: a
    booking's confirmation is written inside the shift's lock, and the unit of work cost more
    than the statements (0.6 ms of a 3.9 ms hold on PostgreSQL). No object of the notice is
    left in the session."""
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind: {kind}")
    now = utcnow()
    if routes is None:
        routes = routes_for(session, user, kind, now, **params)
    session.flush()  # as the session's own execute would: the person may be new
    connection = session.connection()
    notice_id: int = connection.execute(
        _NEW_NOTICE, {"user_id": user.id, "kind": kind, "params": params, "created_at": now}
    ).scalar_one()
    if routes:
        rows = [
            {
                "channel": channel_name,
                "address": route.address,
                "user_id": user.id,
                "notification_id": notice_id,
                "state": DeliveryState.QUEUED,
                "attempts": 0,
                "next_attempt_at": max(route.not_before or now, now),
                "created_at": now,
            }
            for channel_name, route in routes
        ]
        _hand_over(session, connection.execute(_NEW_DELIVERIES, rows).all())
    return notice_id


#: notify's statements, built once
_NEW_NOTICE = insert(Notification.__table__).returning(Notification.__table__.c.id)
_NEW_DELIVERIES = insert(Delivery.__table__).returning(
    Delivery.__table__.c.id, Delivery.__table__.c.next_attempt_at, sort_by_parameter_order=True
)


def queue_mail(
    session: Session, recipient: str, subject: str, body: str, user_id: int | None = None
) -> Delivery:
    """Queue a mail worded in advance (a password reset, an account's first mail); the queue
    sends it after the commit. Flush only."""
    now = utcnow()
    delivery = Delivery(
        channel="mail",
        address=recipient,
        user_id=user_id,
        subject=subject,
        body=body,
        next_attempt_at=now,
        created_at=now,
    )
    _queue(session, delivery)
    return delivery


def _queue(session: Session, *deliveries: Delivery) -> None:
    """Write the deliveries (and what else is pending) in one flush; hand them to the queue
    after the commit."""
    for delivery in deliveries:
        delivery.state = DeliveryState.QUEUED
        delivery.attempts = 0
    session.add_all(deliveries)
    session.flush()
    _hand_over(session, deliveries)


def _hand_over(session: Session, deliveries: Iterable[Any]) -> None:
    """Have these written deliveries (anything with an `id` and a `next_attempt_at`) handed to
    the task queue once the transaction commits (`app/notifications/jobs.py`)."""
    session.info.setdefault(ENQUEUE_AFTER_COMMIT, []).extend(
        (delivery.id, delivery.next_attempt_at) for delivery in deliveries
    )


def message_for(session: Session, delivery: Delivery) -> Message:
    """The delivery's message: a notice worded now in its recipient's language (and kept on the
    delivery, to show what was sent), or the mail worded when it was queued.

    Its Message-ID names the delivery, so a message sent again (a worker killed between the
    send and its record) is recognisably the same one."""
    home = absolute_url("main.home")
    message_id = f"<delivery-{delivery.id}@{urlsplit(home).hostname}>"
    if delivery.notification_id is None:
        return Message(
            subject=delivery.subject or "",
            body=delivery.body or "",
            short=delivery.subject or "",
            url=home,
            headers={"Message-ID": message_id},
        )
    notice = session.get_one(Notification, delivery.notification_id)
    user = session.get_one(User, notice.user_id)
    spec = KINDS[notice.kind]
    with force_locale(user.locale or "vi"):
        url = absolute_url(spec.endpoint)
        text = render(session, [notice])[0].text
        message = Message(
            subject=str(spec.title),
            body="\n\n".join(
                [
                    _("Hello %(name)s,", name=user.full_name),
                    text,
                    str(spec.link_text) % {"url": url},
                    _("Cầu Nối"),
                ]
            ),
            short=text,
            url=url,
            headers={
                "Message-ID": message_id,
                # where the person turns these messages off
                "List-Unsubscribe": f"<{absolute_url('auth.profile')}>",
            },
        )
    delivery.subject, delivery.body = message.subject[:200], message.body
    return message


def claim(session: Session, delivery_id: int, now: datetime) -> bool:
    """Take a due delivery for this worker until the lease ends, counting the attempt; False
    when it is not queued, not due, or another worker holds it. One UPDATE: two workers racing
    for one delivery cannot both win."""
    result = session.execute(
        update(Delivery)
        .where(
            Delivery.id == delivery_id,
            Delivery.state == DeliveryState.QUEUED,
            Delivery.next_attempt_at <= now,
            or_(Delivery.claimed_until.is_(None), Delivery.claimed_until <= now),
        )
        .values(claimed_until=now + CLAIM_LEASE, attempts=Delivery.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    session.flush()
    return cast(CursorResult[Any], result).rowcount == 1


def record_sent(delivery: Delivery, now: datetime) -> None:
    """The channel's service accepted it."""
    delivery.state = DeliveryState.SENT
    delivery.sent_at = now
    delivery.claimed_until = None
    delivery.last_error = None


def record_failure(
    delivery: Delivery,
    error: str,
    transient: bool,
    now: datetime,
    first_delay: timedelta,
    give_up_after: timedelta,
) -> timedelta | None:
    """A failed attempt: wait twice as long as last time (from `first_delay`, up to an hour),
    or stop: a permanent error fails, and a transient one past `give_up_after` from the
    delivery's creation gives up. Returns the wait before the next attempt, or None."""
    delivery.claimed_until = None
    delivery.last_error = error[:500]
    if not transient:
        delivery.state = DeliveryState.FAILED
        return None
    wait = min(first_delay * 2 ** max(delivery.attempts - 1, 0), LONGEST_RETRY_DELAY)
    if now + wait > delivery.created_at + give_up_after:
        delivery.state = DeliveryState.GAVE_UP
        return None
    delivery.next_attempt_at = now + wait
    return wait


def tell_undelivered(session: Session, notification_id: int) -> bool:
    """When no delivery of the notice was sent or may still be, call its kind's `undelivered`
    (once: the last delivery to fail calls it); True when it was called."""
    notice = session.get(Notification, notification_id)
    spec = KINDS.get(notice.kind) if notice else None
    if notice is None or spec is None or spec.undelivered is None:
        return False
    alive = session.scalar(
        select(func.count())
        .select_from(Delivery)
        .where(
            Delivery.notification_id == notification_id,
            Delivery.state.in_((DeliveryState.QUEUED, DeliveryState.SENT)),
        )
    )
    if alive:
        return False
    spec.undelivered(session, notice)
    return True


def due_deliveries(session: Session, now: datetime, late: timedelta, limit: int) -> list[int]:
    """Queued deliveries due for `late` or more and held by no live worker: their task was
    lost (a queue emptied, a worker killed mid-send) or never handed over."""
    return list(
        session.scalars(
            select(Delivery.id)
            .where(
                Delivery.state == DeliveryState.QUEUED,
                Delivery.next_attempt_at <= now - late,
                or_(Delivery.claimed_until.is_(None), Delivery.claimed_until <= now),
            )
            .order_by(Delivery.next_attempt_at, Delivery.id)
            .limit(limit)
        )
    )


def delivery_counts(session: Session, since: datetime) -> dict[tuple[str, str], int]:
    """How many deliveries made since then are in each (channel, state)."""
    rows = session.execute(
        select(Delivery.channel, Delivery.state, func.count())
        .where(Delivery.created_at >= since)
        .group_by(Delivery.channel, Delivery.state)
    )
    return {(channel, state): count for channel, state, count in rows}


def recent_errors(session: Session, limit: int = 20) -> list[Delivery]:
    """The latest deliveries that met an error, whether retried, failed or given up."""
    return list(
        session.scalars(
            select(Delivery)
            .where(Delivery.last_error.is_not(None))
            .order_by(Delivery.next_attempt_at.desc(), Delivery.id.desc())
            .limit(limit)
        )
    )


def deliveries_of(session: Session, notification_ids: list[int]) -> dict[int, list[Delivery]]:
    """The deliveries of these notices, by notice id."""
    found: dict[int, list[Delivery]] = {}
    if not notification_ids:
        return found
    for delivery in session.scalars(
        select(Delivery).where(Delivery.notification_id.in_(notification_ids)).order_by(Delivery.id)
    ):
        found.setdefault(cast(int, delivery.notification_id), []).append(delivery)
    return found


class Shown:
    """A notice as the reader sees it: its title and text in the current language."""

    def __init__(self, notice: Notification, title: str, text: str) -> None:
        self.notice = notice
        self.title = title
        self.text = text


def render(session: Session, notices: list[Notification]) -> list[Shown]:
    """Word the notices in the current language, each kind's batch by the part that sends it."""
    by_kind: dict[str, list[Notification]] = {}
    for notice in notices:
        by_kind.setdefault(notice.kind, []).append(notice)
    texts: dict[int, str] = {}
    for kind, batch in by_kind.items():
        spec = KINDS.get(kind)
        words = spec.word(session, batch) if spec else [_("You have a new notice.")] * len(batch)
        texts.update({id(n): text for n, text in zip(batch, words, strict=True)})
    return [
        Shown(n, str(KINDS[n.kind].title) if n.kind in KINDS else _("Notice"), texts[id(n)])
        for n in notices
    ]


def notices_of(session: Session, user_id: int, limit: int = 100) -> list[Notification]:
    """The person's notices, newest first."""
    return list(
        session.scalars(
            select(Notification)
            .where(Notification.user_id == user_id)
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(limit)
        )
    )


def unread_count(session: Session, user_id: int) -> int:
    """How many of the person's notices are unread (one index lookup)."""
    return session.execute(_UNREAD, {"user_id": user_id}).scalar_one()


#: unread_count's statement, built once (every page's header shows the count): on the table
#: rather than the mapped class, since it loads no object, which spares the ORM's steps
_UNREAD = (
    select(func.count())
    .select_from(Notification.__table__)
    .where(
        Notification.__table__.c.user_id == bindparam("user_id"),
        Notification.__table__.c.read_at.is_(None),
    )
)


def mark_all_read(session: Session, user_id: int, now: datetime | None = None) -> int:
    """Mark every unread notice of the person read; return how many."""
    result = session.execute(
        update(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=now or utcnow())
    )
    session.flush()
    return cast(CursorResult[Any], result).rowcount  # an UPDATE's result counts its rows
