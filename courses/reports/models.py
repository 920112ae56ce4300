"""Assisted learning sessions: a volunteer or officer records lessons done with a resident."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.database import UTCDateTime, utcnow
from app.extensions import db
from courses.models import Course


class AssistedLearningSession(db.Model):
    """Lessons a resident went through with a helper beside them, recorded by the helper.

    The resident is a learner account (name and commune, no ID number); the lessons also count
    as the resident's own progress."""

    __tablename__ = "assisted_learning_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    helper_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    learner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    #: ids of the lessons recorded in this session
    lesson_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    helper: Mapped[User | None] = relationship(foreign_keys=[helper_id])
    learner: Mapped[User] = relationship(foreign_keys=[learner_id])
    course: Mapped[Course] = relationship()
