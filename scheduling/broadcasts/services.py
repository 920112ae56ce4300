"""Coordinator broadcasts: one short message to the people of a shift, a team, or a campaign in
one commune, sent as a notice to each (kind "broadcast", topic "broadcasts") so it travels the
channels each person chose.

Before sending, the coordinator sees whom it reaches on which channel (each channel's own
`route`, the rule the sending follows) and how it reads by SMS (the SMS channel's length rule).
A coordinator sends at most `BROADCASTS_PER_HOUR` an hour. A call for volunteers
(scheduling.booking.staffing) is not a broadcast: it is worded by the site, goes to people not
yet on a shift, and reaches each of them once per shift.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import ngettext
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.auth.models import User
from app.database import locked, utcnow
from app.errors import DomainError
from app.i18n import lazy_gettext as _l
from app.notifications.channels import CHANNELS, sms
from app.notifications.models import Delivery, Notification
from app.notifications.services import notify
from app.places.models import Commune, ServicePoint
from scheduling.broadcasts.models import AudienceKind, Broadcast, BroadcastNotice
from scheduling.models import Booking, Campaign, Shift, ShiftStatus
from scheduling.notices import BROADCAST_KIND
from scheduling.services import HOLDING
from scheduling.teams.models import Team, TeamMember

#: the longest message: a few sentences a phone shows whole
MAX_MESSAGE = 500


class BroadcastError(DomainError):
    """A broadcast that cannot be sent."""

    status = 400
    sentences = {
        "empty": _l("Write a message first."),
        "too_long": _l("The message is too long: 500 characters at most."),
        "nobody": _l("Nobody is reached by this message: there is nobody to send it to."),
    }


class TooManyBroadcasts(BroadcastError):
    """The coordinator reached the hourly limit."""

    code = "too_many"
    status = 429

    def __init__(self, limit: int):
        super().__init__()
        self.limit = limit

    @property
    def message(self) -> str:
        return ngettext(
            "You have already sent %(num)d message in the last hour, the most allowed. "
            "Wait a little before sending another.",
            "You have already sent %(num)d messages in the last hour, the most allowed. "
            "Wait a little before sending another.",
            self.limit,
        )


# --- audiences ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Audience:
    """Whom a broadcast goes to: a shift, a team, or a campaign in one of its communes."""

    kind: str
    shift: Shift | None = None
    team: Team | None = None
    campaign: Campaign | None = None
    commune: Commune | None = None


def of_shift(shift: Shift) -> Audience:
    return Audience(AudienceKind.SHIFT, shift=shift)


def of_team(team: Team) -> Audience:
    return Audience(AudienceKind.TEAM, team=team)


def of_campaign(campaign: Campaign, commune: Commune) -> Audience:
    return Audience(AudienceKind.CAMPAIGN, campaign=campaign, commune=commune)


def people_of(session: Session, audience: Audience, now: datetime | None = None) -> list[User]:
    """The active people a broadcast to this audience reaches, each once, by id.

    A shift: whoever holds a place on it, confirmed or waiting. A team: its members. A campaign
    in a commune: whoever holds a place on one of its shifts there that has not ended."""
    now = now or utcnow()
    stmt = select(User).where(User.active.is_(True)).order_by(User.id)
    if audience.kind == AudienceKind.SHIFT:
        assert audience.shift is not None
        holders = select(Booking.user_id).where(
            Booking.shift_id == audience.shift.id, Booking.status.in_(HOLDING)
        )
        stmt = stmt.where(User.id.in_(holders))
    elif audience.kind == AudienceKind.TEAM:
        assert audience.team is not None
        members = select(TeamMember.user_id).where(TeamMember.team_id == audience.team.id)
        stmt = stmt.where(User.id.in_(members))
    else:
        assert audience.campaign is not None and audience.commune is not None
        holders = (
            select(Booking.user_id)
            .join(Shift, Shift.id == Booking.shift_id)
            .join(ServicePoint, ServicePoint.id == Shift.service_point_id)
            .where(
                Shift.campaign_id == audience.campaign.id,
                ServicePoint.commune_id == audience.commune.id,
                Shift.status == ShiftStatus.ACTIVE,
                Shift.ends_at > now,
                Booking.status.in_(HOLDING),
            )
        )
        stmt = stmt.where(User.id.in_(holders))
    return list(session.scalars(stmt))


# --- before sending: reach and SMS preview ------------------------------------------------------


@dataclass
class Reach:
    """How many people a broadcast reaches, and on which channels (a person may count on
    several); `site_only` are reached on their notices page alone."""

    people: int = 0
    channels: Counter = field(default_factory=Counter)
    site_only: int = 0


def reach(session: Session, people: list[User], now: datetime | None = None) -> Reach:
    """Whom the broadcast would reach on each channel, asking each channel's `route`: the
    person's preferences and addresses, as the sending will."""
    now = now or utcnow()
    found = Reach(people=len(people))
    for person in people:
        routed = [
            name
            for name, channel in CHANNELS.items()
            if channel.route(session, person, BROADCAST_KIND, now, params={}) is not None
        ]
        found.channels.update(routed)
        if not routed:
            found.site_only += 1
    return found


@dataclass(frozen=True)
class SmsPreview:
    """How the message reads by SMS: measured with its link, as the SMS channel sends it."""

    whole: str  #: the message and its link, before any cut
    length: int  #: characters, as the SMS alphabet counts them
    limit: int  #: of one SMS: 160 (GSM-7) or 70 (UCS-2)
    parts: int  #: SMS the whole text would take
    sent: str  #: what one SMS carries: the channel cuts the text at a word to keep the link

    @property
    def encoding(self) -> str:
        return "GSM-7" if self.limit == sms.GSM7_LIMIT else "UCS-2"

    @property
    def cut(self) -> bool:
        return self.sent != self.whole


def sms_preview(message: str) -> SmsPreview:
    """The message measured by the SMS channel's rules, with a link as long as a real one."""
    link = sms.link_like()
    whole = f"{sms.plain(message)} {link}"
    length, limit = sms.sms_length(whole)
    return SmsPreview(
        whole=whole,
        length=length,
        limit=limit,
        parts=sms.parts(whole),
        sent=sms.one_sms(message, link),
    )


# --- sending ------------------------------------------------------------------------------------


def sent_last_hour(session: Session, sender: User, now: datetime) -> int:
    """How many broadcasts the coordinator sent in the hour before `now`."""
    return session.execute(
        select(func.count())
        .select_from(Broadcast)
        .where(Broadcast.sender_id == sender.id, Broadcast.sent_at > now - timedelta(hours=1))
    ).scalar_one()


def send_broadcast(
    session: Session,
    sender: User,
    audience: Audience,
    message: str,
    per_hour: int,
    now: datetime | None = None,
) -> Broadcast:
    """Record the broadcast and notify each person of the audience; the deliveries leave once
    the caller commits. Refused (TooManyBroadcasts, 429) past `per_hour` in the last hour:
    the sender's row is locked while counting, so two sends at once cannot both pass."""
    now = now or utcnow()
    message = message.strip()
    if not message:
        raise BroadcastError("empty")
    if len(message) > MAX_MESSAGE:
        raise BroadcastError("too_long")
    locked(session, User, sender.id)
    if sent_last_hour(session, sender, now) >= per_hour:
        raise TooManyBroadcasts(per_hour)
    people = people_of(session, audience, now)
    if not people:
        raise BroadcastError("nobody")
    broadcast = Broadcast(
        sender_id=sender.id,
        audience=audience.kind,
        shift_id=audience.shift.id if audience.shift else None,
        team_id=audience.team.id if audience.team else None,
        campaign_id=audience.campaign.id if audience.campaign else None,
        commune_id=audience.commune.id if audience.commune else None,
        message=message,
        people=len(people),
        sent_at=now,
    )
    session.add(broadcast)
    session.flush()
    for person in people:
        notice_id = notify(session, person, BROADCAST_KIND, broadcast_id=broadcast.id)
        session.add(BroadcastNotice(notification_id=notice_id, broadcast_id=broadcast.id))
    session.flush()
    return broadcast


# --- after: the coordinator's broadcasts and their deliveries -----------------------------------


@dataclass
class Sent:
    """One past broadcast with what became of it."""

    broadcast: Broadcast
    #: deliveries by (channel, state), from the delivery log
    deliveries: dict[tuple[str, str], int]
    #: how many of its notices were read on the site
    read: int


def broadcasts_of(session: Session, sender: User, limit: int = 50) -> list[Sent]:
    """The coordinator's latest broadcasts with their delivery counts by channel and state."""
    broadcasts = list(
        session.scalars(
            select(Broadcast)
            .where(Broadcast.sender_id == sender.id)
            .order_by(Broadcast.sent_at.desc(), Broadcast.id.desc())
            .limit(limit)
        )
    )
    ids = [b.id for b in broadcasts]
    deliveries: dict[int, dict[tuple[str, str], int]] = {}
    read: dict[int, int] = {}
    if ids:
        for broadcast_id, channel, state, count in session.execute(
            select(BroadcastNotice.broadcast_id, Delivery.channel, Delivery.state, func.count())
            .join(Delivery, Delivery.notification_id == BroadcastNotice.notification_id)
            .where(BroadcastNotice.broadcast_id.in_(ids))
            .group_by(BroadcastNotice.broadcast_id, Delivery.channel, Delivery.state)
        ):
            deliveries.setdefault(broadcast_id, {})[(channel, state)] = count
        read = {
            broadcast_id: count
            for broadcast_id, count in session.execute(
                select(BroadcastNotice.broadcast_id, func.count())
                .join(Notification, Notification.id == BroadcastNotice.notification_id)
                .where(BroadcastNotice.broadcast_id.in_(ids), Notification.read_at.is_not(None))
                .group_by(BroadcastNotice.broadcast_id)
            )
        }
    return [Sent(b, deliveries.get(b.id, {}), read.get(b.id, 0)) for b in broadcasts]
