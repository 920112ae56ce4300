"""What the channels keep: a browser's push subscription, a person's choices, SMS short links."""

from datetime import datetime, time

from sqlalchemy import JSON, Boolean, ForeignKey, String, Text, Time
from sqlalchemy.orm import Mapped, mapped_column

from app.database import UTCDateTime, utcnow
from app.extensions import db

#: quiet hours, local time (Asia/Ho_Chi_Minh), unless the person chose others
QUIET_FROM = time(21, 0)
QUIET_UNTIL = time(7, 0)


class PushSubscription(db.Model):
    """One browser (a phone, a laptop) that agreed to show a person's notices (Web Push)."""

    __tablename__ = "push_subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: the push service's URL for this browser (RFC 8030); a secret of sorts: whoever holds it and
    #: the keys can push to the browser, so it is never shown
    endpoint: Mapped[str] = mapped_column(Text, unique=True)
    #: the browser's P-256 public key and auth secret (RFC 8291), base64url as the browser gave them
    p256dh: Mapped[str] = mapped_column(String(100))
    auth: Mapped[str] = mapped_column(String(50))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: when the push service last accepted a notice for it
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class NotificationPreference(db.Model):
    """A person's choices: which channels carry which topics, and their quiet hours.

    No row means the defaults: every channel for every topic it carries, quiet 21:00-07:00.
    """

    __tablename__ = "notification_preferences"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    #: topic -> the channel names chosen for it, e.g. {"broadcasts": ["mail"]}; a topic absent
    #: here keeps the default (every channel)
    channels: Mapped[dict] = mapped_column(JSON, default=dict)
    #: whether push and SMS wait for the end of the quiet hours
    quiet: Mapped[bool] = mapped_column(Boolean, default=True)
    #: local wall-clock times; quiet_from after quiet_until spans midnight
    quiet_from: Mapped[time] = mapped_column(Time, default=QUIET_FROM)
    quiet_until: Mapped[time] = mapped_column(Time, default=QUIET_UNTIL)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ShortLink(db.Model):
    """The short link an SMS carries (/n/<code>) to a page of the site.

    The code is random, never an id: it tells nothing of how many links exist or whom they were
    sent to, and one cannot walk from one code to the next. One code per page, so a link is
    created once and every SMS pointing to the same page reuses it.
    """

    __tablename__ = "short_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    #: a path of this site (with its query), never a whole URL: the redirect cannot leave the site
    path: Mapped[str] = mapped_column(String(500), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
