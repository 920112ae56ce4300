"""What a campaign asks for: at least N people with a skill on each shift, where it applies."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.database import UTCDateTime, utcnow
from app.extensions import db
from app.places.models import ServicePoint
from app.skills.models import Skill
from scheduling.models import Campaign, Shift


class SkillRequirement(db.Model):
    """ "At least `minimum` confirmed people with the skill" on every shift of the campaign, or
    on its shifts at one service point, or on one shift. Where several apply to a shift, the
    largest minimum counts (each of them asks for "at least")."""

    __tablename__ = "skill_requirements"
    __table_args__ = (
        CheckConstraint("minimum >= 1", name="minimum_positive"),
        CheckConstraint("service_point_id IS NULL OR shift_id IS NULL", name="one_place"),
        # the requirements of a shift's campaign, by skill: read for every shift a page shows
        Index("ix_skill_requirements_campaign_skill", "campaign_id", "skill_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    skill_code: Mapped[str] = mapped_column(
        String(40), ForeignKey("skills.code", ondelete="RESTRICT")
    )
    minimum: Mapped[int] = mapped_column(Integer, default=1)
    #: the service point whose shifts it applies to; with shift_id, None for the whole campaign
    service_point_id: Mapped[int | None] = mapped_column(
        ForeignKey("service_points.id", ondelete="CASCADE"), index=True
    )
    #: the one shift it applies to
    shift_id: Mapped[int | None] = mapped_column(
        ForeignKey("shifts.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    campaign: Mapped[Campaign] = relationship()
    skill: Mapped[Skill] = relationship()
    service_point: Mapped[ServicePoint | None] = relationship()
    shift: Mapped[Shift | None] = relationship()
