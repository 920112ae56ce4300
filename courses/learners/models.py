"""A learner's profile: who they learn as (resident, officer), an officer's position, their code."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from app.auth.models import User
from app.database import UTCDateTime, utcnow
from app.extensions import db

LEARNER_AUDIENCES = ("resident", "officer", "volunteer")


class LearnerProfile(db.Model):
    """Who a learner is for the courses; volunteers without one count as audience volunteer."""

    __tablename__ = "learner_profiles"
    __table_args__ = (
        CheckConstraint("audience IN ('resident', 'officer', 'volunteer')", name="audience_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    #: resident, officer or volunteer: the reports count learners by it
    audience: Mapped[str] = mapped_column(String(20))
    #: an officer's post as they write it, e.g. "Công chức Tư pháp – Hộ tịch"
    position: Mapped[str] = mapped_column(String(200), default="")
    #: SHA-256 (hex) of the personal code; the code itself is shown once and never stored
    code_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    #: when the current code was issued; a new code replaces the old one and its QR
    code_issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(
        backref=backref("learner_profile", uselist=False, cascade="all, delete-orphan")
    )

    def __str__(self):
        return f"{self.user_id}:{self.audience}"
