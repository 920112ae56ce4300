"""Teams of volunteers (a youth-union branch, a university class) kept by coordinators."""

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.database import UTCDateTime, utcnow
from app.extensions import db
from app.places.models import Commune, Province


class TeamKind(enum.StrEnum):
    YOUTH_BRANCH = "youth_branch"
    UNIVERSITY_CLASS = "university_class"
    OTHER = "other"


class Team(db.Model):
    """A team (đội hình) placed on shifts together; it belongs to a commune or a whole province.

    The commune or province is the scope of the coordinators who keep it: a ward's coordinator
    keeps the teams of the ward, a city's coordinator every team of the city.
    """

    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[TeamKind] = mapped_column(
        Enum(TeamKind, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])
    )
    #: always set: the team's province, or the province of its commune
    province_id: Mapped[int] = mapped_column(
        ForeignKey("provinces.id", ondelete="RESTRICT"), index=True
    )
    #: None for a team of the whole province (a university class travelling to any ward)
    commune_id: Mapped[int | None] = mapped_column(
        ForeignKey("communes.id", ondelete="RESTRICT"), index=True
    )
    #: one of the members; None until a coordinator chooses one
    leader_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    province: Mapped[Province] = relationship()
    commune: Mapped[Commune | None] = relationship()
    leader: Mapped[User | None] = relationship()
    memberships: Mapped[list["TeamMember"]] = relationship(
        back_populates="team", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def scope(self):
        return self.commune or self.province

    def __str__(self):
        return self.name


class TeamMember(db.Model):
    """One volunteer's membership of one team."""

    __tablename__ = "team_members"

    team_id: Mapped[int] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    team: Mapped[Team] = relationship(back_populates="memberships")
    user: Mapped[User] = relationship()
