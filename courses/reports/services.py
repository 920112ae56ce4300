"""Who has learned what in a coordinator's scope, and lessons recorded in assisted sessions.

A learner belongs to the scope of their home commune. Their audience is their learner profile's
(resident, officer) or, without one, volunteer for volunteers and resident for everyone else.
"""

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    Subquery,
    and_,
    case,
    exists,
    func,
    select,
    true,
    union,
)
from sqlalchemy.orm import Session

from app.auth.models import RoleGrant, User
from app.database import alphabetical
from app.errors import DomainError
from app.places.models import Commune
from app.roles import Role
from courses.learners.models import LearnerProfile
from courses.learning.models import Certificate, LessonProgress, QuizAnswer, QuizAttempt
from courses.learning.services import mark_lesson_done
from courses.models import Course, Lesson, Question
from courses.reports.models import AssistedLearningSession

#: a question is ranked among the hardest once this many answers are known
HARDEST_MINIMUM_ANSWERS = 5
HARDEST_COUNT = 10


class AssistedSessionError(DomainError, ValueError):
    """An assisted session that cannot be recorded; ``code`` names why."""

    status = 400


def _audience() -> ColumnElement[str]:
    is_volunteer = exists().where(RoleGrant.user_id == User.id, RoleGrant.role == Role.VOLUNTEER)
    return func.coalesce(
        LearnerProfile.audience, case((is_volunteer, "volunteer"), else_="resident")
    )


def _learners() -> Subquery:
    """Ids of everyone who finished a lesson or started a quiz."""
    return union(select(LessonProgress.user_id), select(QuizAttempt.user_id)).subquery()


def _in_scope(commune_ids: Collection[int] | None) -> ColumnElement[bool]:
    return true() if commune_ids is None else User.home_commune_id.in_(commune_ids)


@dataclass
class CourseRow:
    course: Course
    learners: int
    lessons_done: int
    mastered: int
    average_score: float | None


@dataclass
class HardQuestion:
    question: Question
    answers: int
    correct_share: float


@dataclass
class LearningReport:
    """The figures of /courses/reports and its CSV files."""

    by_commune: list[tuple[Commune | None, str, int]]
    courses: list[CourseRow]
    hardest: list[HardQuestion]
    assisted_lessons: int

    @property
    def learners(self) -> int:
        return sum(count for _commune, _audience, count in self.by_commune)

    @property
    def by_audience(self) -> dict[str, int]:
        totals: dict[str, int] = {}
        for _commune, audience, count in self.by_commune:
            totals[audience] = totals.get(audience, 0) + count
        return totals


def learning_report(session: Session, commune_ids: Collection[int] | None) -> LearningReport:
    """The learning figures of the learners whose home commune is in `commune_ids` (None: all)."""
    learners = _learners()
    audience = _audience().label("audience")
    by_commune = session.execute(
        select(Commune, audience, func.count(User.id))
        .select_from(User)
        .join(learners, learners.c.user_id == User.id)
        .outerjoin(LearnerProfile, LearnerProfile.user_id == User.id)
        .outerjoin(Commune, Commune.id == User.home_commune_id)
        .where(_in_scope(commune_ids))
        .group_by(Commune.id, audience)
        .order_by(alphabetical(Commune.name), audience)
    ).all()
    return LearningReport(
        by_commune=[row._tuple() for row in by_commune],
        courses=_course_rows(session, commune_ids),
        hardest=_hardest(session, commune_ids),
        assisted_lessons=_assisted_lessons(session, commune_ids),
    )


def _per_course(session: Session, stmt: Select[int, Any]) -> dict[int, Any]:
    return dict(session.execute(stmt).all())


def _course_rows(session: Session, commune_ids: Collection[int] | None) -> list[CourseRow]:
    scoped = and_(_in_scope(commune_ids))
    done = _per_course(
        session,
        select(Lesson.course_id, func.count(LessonProgress.id))
        .join(LessonProgress, LessonProgress.lesson_id == Lesson.id)
        .join(User, User.id == LessonProgress.user_id)
        .where(scoped)
        .group_by(Lesson.course_id),
    )
    started = _per_course(
        session,
        select(Lesson.course_id, func.count(func.distinct(LessonProgress.user_id)))
        .join(LessonProgress, LessonProgress.lesson_id == Lesson.id)
        .join(User, User.id == LessonProgress.user_id)
        .where(scoped)
        .group_by(Lesson.course_id),
    )
    mastered = _per_course(
        session,
        select(Certificate.course_id, func.count(Certificate.id))
        .join(User, User.id == Certificate.user_id)
        .where(scoped)
        .group_by(Certificate.course_id),
    )
    scores = _per_course(
        session,
        select(
            QuizAttempt.course_id,
            func.avg(QuizAttempt.correct_count * 1.0 / QuizAttempt.question_count),
        )
        .join(User, User.id == QuizAttempt.user_id)
        .where(scoped, QuizAttempt.finished_at.is_not(None), QuizAttempt.question_count > 0)
        .group_by(QuizAttempt.course_id),
    )
    courses = session.scalars(select(Course).order_by(Course.audience, Course.order)).all()
    return [
        CourseRow(
            course,
            learners=started.get(course.id, 0),
            lessons_done=done.get(course.id, 0),
            mastered=mastered.get(course.id, 0),
            average_score=float(scores[course.id]) if course.id in scores else None,
        )
        for course in courses
    ]


def _hardest(session: Session, commune_ids: Collection[int] | None) -> list[HardQuestion]:
    share = func.avg(case((QuizAnswer.correct.is_(True), 1.0), else_=0.0))
    rows = session.execute(
        select(Question, func.count(QuizAnswer.id), share)
        .join(QuizAnswer, QuizAnswer.question_id == Question.id)
        .join(QuizAttempt, QuizAttempt.id == QuizAnswer.attempt_id)
        .join(User, User.id == QuizAttempt.user_id)
        .where(_in_scope(commune_ids))
        .group_by(Question.id)
        .having(func.count(QuizAnswer.id) >= HARDEST_MINIMUM_ANSWERS)
        .order_by(share, Question.id)
        .limit(HARDEST_COUNT)
    ).t.all()
    return [HardQuestion(question, answers, float(correct)) for question, answers, correct in rows]


def _assisted_lessons(session: Session, commune_ids: Collection[int] | None) -> int:
    lesson_lists = session.scalars(
        select(AssistedLearningSession.lesson_ids)
        .join(User, User.id == AssistedLearningSession.learner_id)
        .where(_in_scope(commune_ids))
    )
    return sum(len(ids) for ids in lesson_lists)


def record_assisted_session(
    session: Session, helper: User, learner: User, course: Course, lesson_ids: Collection[int]
) -> AssistedLearningSession:
    """Record lessons a resident did with the helper beside them; they count as the resident's.

    Only lessons of the course are accepted, each once; none at all is refused."""
    lessons = [lesson for lesson in course.lessons if lesson.id in set(lesson_ids)]
    if not lessons:
        raise AssistedSessionError("no_lessons")
    if learner.id == helper.id:
        raise AssistedSessionError("self")
    for lesson in lessons:
        mark_lesson_done(session, learner, lesson)
    record = AssistedLearningSession(
        helper_id=helper.id,
        learner_id=learner.id,
        course_id=course.id,
        lesson_ids=[lesson.id for lesson in lessons],
    )
    session.add(record)
    session.flush()
    return record


def sessions_by(session: Session, helper: User, limit: int = 20) -> list[AssistedLearningSession]:
    """The helper's latest assisted sessions."""
    return list(
        session.scalars(
            select(AssistedLearningSession)
            .where(AssistedLearningSession.helper_id == helper.id)
            .order_by(AssistedLearningSession.created_at.desc(), AssistedLearningSession.id.desc())
            .limit(limit)
        )
    )
