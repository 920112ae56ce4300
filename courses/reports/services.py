"""Who has learned what in a coordinator's scope, and lessons recorded in assisted sessions.

A learner belongs to the scope of their home commune. Their audience is their learner profile's
(resident, officer) or, without one, volunteer for volunteers and resident for everyone else.
"""

from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

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
from app.text import sort_key
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
    #: everyone who finished a lesson of the course or started its quiz
    learners: int
    lessons_done: int
    mastered: int
    average_score: float | None
    #: learners who answered at least one question of the course's quiz
    attempted: int = 0

    @property
    def pass_rate(self) -> float | None:
        return _rate(self.mastered, self.attempted)


def _rate(mastered: int, attempted: int) -> float | None:
    """Mastered ÷ attempted: the share of those who tried the quiz who passed it."""
    return mastered / attempted if attempted else None


@dataclass
class PassRow:
    """Who passes one course, among the learners of one commune and audience."""

    course: Course
    commune: Commune | None
    audience: str
    #: finished a lesson or started the quiz (quiz-only learners count)
    started: int = 0
    #: finished every lesson of the course
    completed_lessons: int = 0
    #: answered at least one question of the quiz
    attempted: int = 0
    #: holds the course's certificate, not revoked
    mastered: int = 0

    @property
    def pass_rate(self) -> float | None:
        return _rate(self.mastered, self.attempted)


@dataclass
class QuestionRow:
    """How one question is answered: the share right and the wrong choice picked most."""

    question: Question
    answers: int
    correct_share: float
    #: the wrong choice picked most, as choice_label gives it; None when no wrong choice
    common_wrong: dict | str | None = None
    common_wrong_picks: int = 0


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
    passes: list[PassRow] = field(default_factory=list)
    questions: list[QuestionRow] = field(default_factory=list)

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
    passes = _pass_rows(session, commune_ids)
    courses = _course_rows(session, commune_ids)
    for row in courses:  # the course totals are the sums of its commune and audience rows
        mine = [p for p in passes if p.course.id == row.course.id]
        row.learners = sum(p.started for p in mine)
        row.attempted = sum(p.attempted for p in mine)
    return LearningReport(
        by_commune=[cast(tuple[Commune | None, str, int], row) for row in by_commune],
        courses=courses,
        hardest=_hardest(session, commune_ids),
        assisted_lessons=_assisted_lessons(session, commune_ids),
        passes=passes,
        questions=_question_rows(session, commune_ids),
    )


def _pairs(session: Session, stmt: Select[int, int]) -> set[tuple[int, int]]:
    """(user id, course id) pairs, each once."""
    return {(int(user_id), int(course_id)) for user_id, course_id in session.execute(stmt)}


def _pass_rows(session: Session, commune_ids: Collection[int] | None) -> list[PassRow]:
    """Started, completed the lessons, attempted, mastered: per course, commune and audience.

    Each figure counts learners (not attempts), each at most once per course."""
    scoped = _in_scope(commune_ids)
    lesson_learners = (
        select(LessonProgress.user_id, Lesson.course_id)
        .join(Lesson, Lesson.id == LessonProgress.lesson_id)
        .join(User, User.id == LessonProgress.user_id)
        .where(scoped)
    )
    quiz_takers = (
        select(QuizAttempt.user_id, QuizAttempt.course_id)
        .join(User, User.id == QuizAttempt.user_id)
        .where(scoped)
    )
    started = _pairs(session, lesson_learners.distinct()) | _pairs(session, quiz_takers.distinct())
    if not started:
        return []
    lesson_counts = _per_course(
        session, select(Lesson.course_id, func.count(Lesson.id)).group_by(Lesson.course_id)
    )
    done_counts = session.execute(
        select(LessonProgress.user_id, Lesson.course_id, func.count(func.distinct(Lesson.id)))
        .join(Lesson, Lesson.id == LessonProgress.lesson_id)
        .join(User, User.id == LessonProgress.user_id)
        .where(scoped)
        .group_by(LessonProgress.user_id, Lesson.course_id)
    ).all()
    completed = {
        (user_id, course_id)
        for user_id, course_id, done in done_counts
        if done >= lesson_counts.get(course_id, 0) > 0
    }
    attempted = _pairs(
        session,
        quiz_takers.join(QuizAnswer, QuizAnswer.attempt_id == QuizAttempt.id).distinct(),
    )
    mastered = _pairs(
        session,
        select(Certificate.user_id, Certificate.course_id)
        .join(User, User.id == Certificate.user_id)
        .where(scoped, Certificate.revoked_at.is_(None)),  # a revoked certificate is no pass
    )
    audience = _audience().label("audience")
    who = {
        user_id: (commune_id, kind)
        for user_id, commune_id, kind in session.execute(
            select(User.id, User.home_commune_id, audience)
            .outerjoin(LearnerProfile, LearnerProfile.user_id == User.id)
            .where(User.id.in_({user_id for user_id, _course in started}))
        )
    }
    courses = {c.id: c for c in session.scalars(select(Course))}
    communes = {
        c.id: c
        for c in session.scalars(
            select(Commune).where(Commune.id.in_({c for c, _a in who.values() if c}))
        )
    }
    rows: dict[tuple[int, int | None, str], PassRow] = {}
    for pair in started:
        user_id, course_id = pair
        commune_id, kind = who[user_id]
        key = (course_id, commune_id, kind)
        row = rows.get(key)
        if row is None:
            row = rows[key] = PassRow(courses[course_id], communes.get(commune_id or 0), kind)
        row.started += 1
        row.completed_lessons += pair in completed
        row.attempted += pair in attempted
        row.mastered += pair in mastered
    return sorted(
        rows.values(),
        key=lambda r: (
            r.course.audience,
            r.course.order,
            sort_key(r.commune.name if r.commune else ""),
            r.audience,
        ),
    )


def _wrong_picks(question: Question, answer: Any) -> Iterable[Any]:
    """The wrong choices inside one wrong answer: what a learner picked that is not right."""
    data, kind = question.data, question.type
    if kind in ("single", "scam_drill", "true_false"):
        yield answer
    elif kind == "multiple" and isinstance(answer, list):
        yield from (choice for choice in answer if choice not in data["answer"])
    elif kind == "walkthrough" and isinstance(answer, list):
        for number, (tap, step) in enumerate(zip(answer, data["steps"], strict=False), 1):
            if tap != step["answer"]:
                yield (number, tap)
    # an ordering has no wrong "choice": the order itself is wrong


def choice_label(question: Question, pick: Any) -> dict | str:
    """A wrong pick as words: a choice's {vi, en} text, a walkthrough step's element, or the
    code of a true/false or scam/safe answer (the page words those)."""
    data = question.data
    if question.type == "walkthrough":
        number, tap = pick
        labels = {e["id"]: e["label"] for e in data["steps"][number - 1]["elements"]}
        label = labels.get(tap, {"vi": tap, "en": tap})
        return {"vi": f"Bước {number}: {label['vi']}", "en": f"Step {number}: {label['en']}"}
    if question.type in ("single", "multiple"):
        return {c["id"]: c["text"] for c in data["choices"]}.get(pick, str(pick))
    return str(pick).lower()


def _question_rows(session: Session, commune_ids: Collection[int] | None) -> list[QuestionRow]:
    """Every question answered in the scope, hardest first within each course."""
    totals: Counter[int] = Counter()
    right: Counter[int] = Counter()
    wrong: dict[int, Counter[Any]] = {}
    questions = {q.id: q for q in session.scalars(select(Question))}
    rows = session.execute(
        select(QuizAnswer.question_id, QuizAnswer.answer, QuizAnswer.correct)
        .join(QuizAttempt, QuizAttempt.id == QuizAnswer.attempt_id)
        .join(User, User.id == QuizAttempt.user_id)
        .where(_in_scope(commune_ids))
        .execution_options(yield_per=1000)
    )
    # the answer is JSON (Any): typed here, as SQLAlchemy's rows cannot say it
    for question_id, answer, correct in cast(Iterable[tuple[int, Any, bool]], rows):
        totals[question_id] += 1
        if correct:
            right[question_id] += 1
            continue
        counter = wrong.setdefault(question_id, Counter())
        for pick in _wrong_picks(questions[question_id], answer):
            counter[pick if not isinstance(pick, list) else tuple(pick)] += 1
    result = []
    for question_id, count in totals.items():
        question = questions[question_id]
        row = QuestionRow(question, count, right[question_id] / count)
        if wrong.get(question_id):
            # a tie goes to the smaller id, so two reads of the same answers show the same pick
            pick, times = min(wrong[question_id].items(), key=lambda item: (-item[1], str(item[0])))
            row.common_wrong, row.common_wrong_picks = choice_label(question, pick), times
        result.append(row)
    return sorted(
        result,
        key=lambda r: (r.question.course.audience, r.question.course.order, r.correct_share),
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
    mastered = _per_course(
        session,
        select(Certificate.course_id, func.count(Certificate.id))
        .join(User, User.id == Certificate.user_id)
        .where(scoped, Certificate.revoked_at.is_(None))
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
            learners=0,  # learners and attempted are summed from the pass rows
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
    ).all()
    return [
        HardQuestion(question, answers, float(correct))
        for question, answers, correct in cast(Sequence[tuple[Question, int, float]], rows)
    ]


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
