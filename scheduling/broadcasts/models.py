"""A coordinator's broadcast: one message to the people of a shift, a team or a campaign in one
commune, and the notices it became (their deliveries are the kernel's delivery log)."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.database import UTCDateTime, utcnow
from app.extensions import db
from app.places.models import Commune
from scheduling.models import Campaign, Shift
from scheduling.teams.models import Team


class AudienceKind:
    """Whom a broadcast went to."""

    SHIFT = "shift"  #: the people holding a place on one shift (confirmed or waiting)
    TEAM = "team"  #: the members of one team
    CAMPAIGN = "campaign"  #: the people holding a place on a campaign's coming shifts in a commune

    ALL = (SHIFT, TEAM, CAMPAIGN)


class Broadcast(db.Model):
    """Who sent what, when, to which audience and to how many people (a fact: never edited)."""

    __tablename__ = "broadcasts"
    __table_args__ = (
        CheckConstraint("audience IN ('shift', 'team', 'campaign')", name="broadcast_audience"),
        # the hourly limit and the coordinator's list: their broadcasts, latest first
        Index("ix_broadcasts_sender_sent", "sender_id", "sent_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the coordinator who sent it; empty once their account is gone
    sender_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: one of AudienceKind.ALL; the column of that kind names the shift, team or campaign
    audience: Mapped[str] = mapped_column(String(10))
    shift_id: Mapped[int | None] = mapped_column(ForeignKey("shifts.id", ondelete="SET NULL"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"))
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id", ondelete="SET NULL"))
    #: a campaign's broadcast goes to one commune of it
    commune_id: Mapped[int | None] = mapped_column(ForeignKey("communes.id", ondelete="SET NULL"))
    #: the coordinator's words, as typed (shown escaped wherever they appear)
    message: Mapped[str] = mapped_column(Text)
    #: how many people it reached on the site (one notice each)
    people: Mapped[int] = mapped_column(Integer)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    sender: Mapped[User | None] = relationship()
    shift: Mapped[Shift | None] = relationship()
    team: Mapped[Team | None] = relationship()
    campaign: Mapped[Campaign | None] = relationship()
    commune: Mapped[Commune | None] = relationship()


class BroadcastNotice(db.Model):
    """One person's notice of a broadcast: the link from a broadcast to its deliveries."""

    __tablename__ = "broadcast_notices"

    notification_id: Mapped[int] = mapped_column(
        ForeignKey("notifications.id", ondelete="CASCADE"), primary_key=True
    )
    broadcast_id: Mapped[int] = mapped_column(
        ForeignKey("broadcasts.id", ondelete="CASCADE"), index=True
    )
