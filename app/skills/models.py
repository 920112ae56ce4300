"""The skills admins keep, and the skills each person has (one row per person and skill)."""

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.database import UTCDateTime, utcnow
from app.extensions import db
from app.i18n import language


class Skill(db.Model):
    """A skill a volunteer may have and a campaign may ask for. Never deleted once in use:
    an admin deactivates it, and it is no longer offered."""

    __tablename__ = "skills"

    #: stable short code, e.g. "digital_signature": imports, the API and requirements name it
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name_vi: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    #: offered on profiles, imports and new requirements; an inactive skill stays where it is held
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def name(self) -> str:
        """The name in the reader's language."""
        return localized(self.name_vi, self.name_en)

    def __str__(self):
        return self.name


def localized(name_vi: str, name_en: str) -> str:
    """Of a skill's two names, the one in the reader's language (Vietnamese outside a request)."""
    return name_en if language() == "en" else name_vi


class UserSkill(db.Model):
    """One skill one person has: "volunteers with skill S" is an indexed question."""

    __tablename__ = "user_skills"
    __table_args__ = (Index("ix_user_skills_skill_code_user_id", "skill_code", "user_id"),)

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    skill_code: Mapped[str] = mapped_column(
        ForeignKey("skills.code", ondelete="RESTRICT"), primary_key=True
    )
