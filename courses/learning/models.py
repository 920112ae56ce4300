"""What a learner did: lessons done, quiz attempts, their answers, certificates."""

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.database import UTCDateTime, utcnow
from app.extensions import db
from app.places.models import Commune
from courses.models import Course, Lesson, Question


class LessonProgress(db.Model):
    """A lesson a learner marked done; kept by lesson id, so a re-import keeps it."""

    __tablename__ = "lesson_progress"
    __table_args__ = (UniqueConstraint("user_id", "lesson_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id", ondelete="CASCADE"), index=True)
    #: indexed for the impact dashboard, which counts lessons completed in a range of days
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    lesson: Mapped[Lesson] = relationship()


class QuizAttempt(db.Model):
    """One try at a course's quiz: the questions drawn for it and, once finished, its score."""

    __tablename__ = "quiz_attempts"
    __table_args__ = (
        CheckConstraint("question_count >= 1", name="draws_questions"),
        CheckConstraint(
            "correct_count IS NULL OR correct_count BETWEEN 0 AND question_count",
            name="correct_within_count",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    #: the drawn questions in the order asked, each with its choices (or each walkthrough step's
    #: elements) in the shuffled order shown: [{"id": 12, "choices": ["b", "a"], "steps": [...]}]
    draw: Mapped[list] = mapped_column(JSON)
    question_count: Mapped[int] = mapped_column(Integer)
    #: the course's pass mark (percent) when the attempt started
    pass_mark: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: set when the last question is answered
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    correct_count: Mapped[int | None] = mapped_column(Integer)
    passed: Mapped[bool] = mapped_column(Boolean, default=False)

    user: Mapped[User] = relationship()
    course: Mapped[Course] = relationship()
    answers: Mapped[list["QuizAnswer"]] = relationship(
        back_populates="attempt", order_by="QuizAnswer.id", cascade="all, delete-orphan"
    )

    @property
    def score(self) -> int | None:
        """Percent right, rounded down; None while unfinished."""
        if self.correct_count is None:
            return None
        return self.correct_count * 100 // self.question_count


class QuizAnswer(db.Model):
    """One graded answer, written once: a second answer to the same question is not recorded."""

    __tablename__ = "quiz_answers"
    __table_args__ = (UniqueConstraint("attempt_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(
        ForeignKey("quiz_attempts.id", ondelete="CASCADE"), index=True
    )
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"))
    #: what the learner chose: a choice id, a list of ids, true/false, "scam"/"safe", or the
    #: element tapped at each walkthrough step
    answer: Mapped[dict | list | str | bool] = mapped_column(JSON)
    correct: Mapped[bool] = mapped_column(Boolean)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: the UUID the phone made for an answer given offline; a resend with it is the same answer
    client_id: Mapped[str | None] = mapped_column(String(36), unique=True)

    attempt: Mapped[QuizAttempt] = relationship(back_populates="answers")
    question: Mapped[Question] = relationship()


class Certificate(db.Model):
    """Proof that a learner mastered a course; issued once, verifiable by its signed number."""

    __tablename__ = "certificates"
    __table_args__ = (UniqueConstraint("user_id", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: random, unguessable; the public verification link signs it
    number: Mapped[str] = mapped_column(String(32), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    attempt_id: Mapped[int | None] = mapped_column(
        ForeignKey("quiz_attempts.id", ondelete="SET NULL")
    )
    #: the learner's name as they gave it, when the certificate was issued
    name: Mapped[str] = mapped_column(String(120))
    #: the learner's home commune when known
    commune_id: Mapped[int | None] = mapped_column(ForeignKey("communes.id", ondelete="SET NULL"))
    score: Mapped[int] = mapped_column(Integer)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    #: the officer or volunteer who ran the learner's latest assisted session of the course
    helper_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: the helper's name when the certificate was issued: printed, so it must not change later
    helper_name: Mapped[str | None] = mapped_column(String(120))
    #: set once, by a coordinator of the certificate's commune; verification then says "revoked"
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: why it was revoked; shown to coordinators, never on the public verification page
    revoked_reason: Mapped[str | None] = mapped_column(String(300))
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    course: Mapped[Course] = relationship()
    commune: Mapped[Commune | None] = relationship()
    revoked_by: Mapped[User | None] = relationship(foreign_keys=[revoked_by_id])
