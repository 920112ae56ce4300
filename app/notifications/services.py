"""Tell a person what happened: an in-app notice and a mail in their language.

`notify(session, user, kind, **params)` is the one call the parts make. Params are ids and plain
values (``shift_id=…``), never objects or text: the notice is worded when it is read, in the
reader's current language, from the objects as they are then. The kernel keeps the mechanism
(store, list, read, deliver); each part registers the kinds it sends and how each is worded.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.orm import Session

from app.auth.models import User
from app.database import utcnow
from app.mail import queue_mail
from app.notifications.models import Notification
from app.urls import absolute_url


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


#: every kind of notice, registered by the parts at start-up (kind name -> Kind)
KINDS: dict[str, Kind] = {}


def register_kinds(kinds: dict[str, Kind]) -> None:
    """Add a part's kinds; registering the same kind again (a second app) replaces it."""
    KINDS.update(kinds)


def notify(session: Session, user: User, kind: str, **params: Any) -> Notification:
    """Store a notice for the user and queue its mail (when they have an email); flush only."""
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind: {kind}")
    notice = Notification(user_id=user.id, kind=kind, params=params, created_at=utcnow())
    session.add(notice)
    session.flush()
    if user.email:
        spec = KINDS[kind]
        with force_locale(user.locale or "vi"):
            subject = str(spec.title)
            text = render(session, [notice])[0].text
            body = "\n\n".join(
                [
                    _("Hello %(name)s,", name=user.full_name),
                    text,
                    str(spec.link_text) % {"url": absolute_url(spec.endpoint)},
                    _("Cầu Nối"),
                ]
            )
        queue_mail(session, user.email, subject, body)
    return notice


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
    return session.execute(
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
    ).scalar_one()


def mark_all_read(session: Session, user_id: int, now: datetime | None = None) -> int:
    """Mark every unread notice of the person read; return how many."""
    result = session.execute(
        update(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=now or utcnow())
    )
    session.flush()
    return cast(CursorResult[Any], result).rowcount  # an UPDATE's result counts its rows
