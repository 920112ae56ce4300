"""Courses, their lessons and their question banks, as imported from courses/content."""

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.database import UTCDateTime, utcnow
from app.extensions import db

AUDIENCES = ("resident", "officer", "volunteer")


class Course(db.Model):
    """A course as written in courses/content/<slug>/; the files are the truth, rows a copy."""

    __tablename__ = "courses"
    __table_args__ = (
        CheckConstraint("audience IN ('resident', 'officer', 'volunteer')", name="audience_valid"),
        CheckConstraint("pass_mark BETWEEN 1 AND 100", name="pass_mark_percent"),
        CheckConstraint("quiz_size >= 1", name="quiz_size_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the folder name, lower-case ASCII and hyphens; stable, used in URLs
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    #: resident, officer or volunteer
    audience: Mapped[str] = mapped_column(String(20))
    #: position in the catalogue within its audience
    order: Mapped[int] = mapped_column(Integer)
    #: estimated minutes to finish the lessons and the quiz
    minutes: Mapped[int] = mapped_column(Integer)
    #: the day the content was last checked against official sources
    last_checked: Mapped[date] = mapped_column(Date)
    #: percent of a quiz's questions to answer right to master the course
    pass_mark: Mapped[int] = mapped_column(Integer, default=80)
    #: questions drawn at random from the bank for each attempt
    quiz_size: Mapped[int] = mapped_column(Integer, default=8)
    #: {"vi": …, "en": …}
    title: Mapped[dict] = mapped_column(JSON)
    #: {"vi": …, "en": …}, one or two sentences
    summary: Mapped[dict] = mapped_column(JSON)
    #: {"vi": …, "en": …}, the legal or official basis the content follows
    basis: Mapped[dict] = mapped_column(JSON)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    lessons: Mapped[list["Lesson"]] = relationship(
        back_populates="course", order_by="Lesson.position", cascade="all, delete-orphan"
    )
    questions: Mapped[list["Question"]] = relationship(
        back_populates="course", order_by="Question.position", cascade="all, delete-orphan"
    )

    def __str__(self):
        return self.slug


class Lesson(db.Model):
    """One lesson; updated in place on re-import (same id) so learners keep their progress."""

    __tablename__ = "lessons"
    __table_args__ = (UniqueConstraint("course_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    #: the number of its files, 1 for 01-<slug>.vi.md
    position: Mapped[int] = mapped_column(Integer)
    #: the name of its files without number and language, e.g. "what-is-vneid"
    slug: Mapped[str] = mapped_column(String(80))
    #: {"vi": …, "en": …}, from the file's first line
    title: Mapped[dict] = mapped_column(JSON)
    #: {"vi": …, "en": …}, the Markdown after the title line
    body_markdown: Mapped[dict] = mapped_column(JSON)

    course: Mapped[Course] = relationship(back_populates="lessons")

    def __str__(self):
        return f"{self.course_id}/{self.slug}"


class Question(db.Model):
    """A question of a course's quiz bank, kept whole as written in quiz.yaml."""

    __tablename__ = "questions"
    __table_args__ = (UniqueConstraint("course_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    #: the question's id in quiz.yaml; learners' answers refer to it
    key: Mapped[str] = mapped_column(String(80))
    #: its place in quiz.yaml
    position: Mapped[int] = mapped_column(Integer)
    #: single, multiple, true_false, ordering, walkthrough or scam_drill
    type: Mapped[str] = mapped_column(String(20))
    #: the whole question as in quiz.yaml (prompt, choices, answer, explanation, …)
    data: Mapped[dict] = mapped_column(JSON)

    course: Mapped[Course] = relationship(back_populates="questions")

    def __str__(self):
        return self.key
