"""Learning operations: lessons done, quiz attempts and answers, mastery, certificates."""

import random
import re
import secrets
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from app.auth.models import User
from app.database import locked, utcnow
from app.errors import DomainError
from app.i18n import lazy_gettext as _l
from app.scope import CoordinatorScope
from app.tokens import BadToken, signer
from courses.learning import grading
from courses.learning.models import Certificate, LessonProgress, QuizAnswer, QuizAttempt
from courses.models import Course, Lesson, Question
from courses.reports.models import AssistedLearningSession

#: the longest reason a coordinator may give for revoking a certificate
REVOKE_REASON_MAX = 300

_system_random = random.SystemRandom()


class LearningError(DomainError):
    """A quiz operation refused; `code` names why."""

    code = "refused"


class AttemptFinished(LearningError):
    code = "attempt_finished"


class NotInAttempt(LearningError):
    code = "not_in_attempt"


class CertificateError(DomainError):
    """A certificate cannot be revoked; `code` names why."""

    status = 400
    sentences = {
        "already_revoked": _l("This certificate was already revoked."),
        "reason_required": _l("Say why the certificate is revoked."),
        "reason_too_long": _l("The reason is too long."),
        "out_of_scope": _l("This certificate's commune is outside your scope."),
    }


# Progress


def mark_lesson_done(session: Session, user: User, lesson: Lesson) -> LessonProgress:
    """Record that the user finished the lesson; doing it again changes nothing."""
    found = session.scalar(
        select(LessonProgress).where(
            LessonProgress.user_id == user.id, LessonProgress.lesson_id == lesson.id
        )
    )
    if found is None:
        found = LessonProgress(user_id=user.id, lesson_id=lesson.id, completed_at=utcnow())
        session.add(found)
        session.flush()
    return found


def done_lesson_ids(session: Session, user: User, course: Course) -> set[int]:
    """The ids of the course's lessons the user has finished."""
    stmt = (
        select(LessonProgress.lesson_id)
        .join(Lesson, Lesson.id == LessonProgress.lesson_id)
        .where(LessonProgress.user_id == user.id, Lesson.course_id == course.id)
    )
    return set(session.scalars(stmt))


def first_unfinished(course: Course, done: set[int]) -> Lesson | None:
    """Where to continue: the first lesson not yet done, None when all are (then the quiz)."""
    return next((lesson for lesson in course.lessons if lesson.id not in done), None)


# Attempts


def open_attempt(session: Session, user: User, course: Course) -> QuizAttempt | None:
    """The user's unfinished attempt at the course's quiz, if any."""
    return session.scalar(
        select(QuizAttempt)
        .where(
            QuizAttempt.user_id == user.id,
            QuizAttempt.course_id == course.id,
            QuizAttempt.finished_at.is_(None),
        )
        .order_by(QuizAttempt.id.desc())
        .limit(1)
    )


def start_attempt(
    session: Session, user: User, course: Course, rng: random.Random | None = None
) -> QuizAttempt:
    """Draw a new attempt, or give back the unfinished one (a double tap starts only one)."""
    locked(session, User, user.id)  # one start at a time per learner
    current = open_attempt(session, user, course)
    if current is not None:
        if next_step(session, current) is not None:
            return current
        _finish(session, current)  # its last questions were deleted by a re-import
    bank = session.scalars(
        select(Question).where(Question.course_id == course.id).order_by(Question.position)
    ).all()
    if not bank:
        raise LearningError("no_questions")
    drawn = grading.draw(bank, course.quiz_size, rng or _system_random)
    attempt = QuizAttempt(
        user_id=user.id,
        course_id=course.id,
        draw=drawn,
        question_count=len(drawn),
        pass_mark=course.pass_mark,
        started_at=utcnow(),
    )
    session.add(attempt)
    session.flush()
    return attempt


def _questions(session: Session, attempt: QuizAttempt) -> dict[int, Question]:
    ids = [entry["id"] for entry in attempt.draw]
    return {q.id: q for q in session.scalars(select(Question).where(Question.id.in_(ids)))}


@dataclass
class Step:
    """A question to show: its place in the attempt, the question and the shuffled choices."""

    number: int
    total: int
    question: Question
    entry: dict


def questions_of(session: Session, attempt: QuizAttempt) -> list[Step]:
    """The drawn questions that still exist (a re-import may delete one), in the order asked."""
    found = _questions(session, attempt)
    entries = [entry for entry in attempt.draw if entry["id"] in found]
    return [
        Step(number, len(entries), found[entry["id"]], entry)
        for number, entry in enumerate(entries, 1)
    ]


def next_step(session: Session, attempt: QuizAttempt) -> Step | None:
    """The first drawn question not answered yet; None when every one is answered."""
    answered = {answer.question_id for answer in attempt.answers}
    return next((s for s in questions_of(session, attempt) if s.question.id not in answered), None)


def answer_question(
    session: Session,
    attempt: QuizAttempt,
    question: Question,
    answer: Any,
    client_id: str | None = None,
    answered_at: datetime | None = None,
) -> QuizAnswer:
    """Grade and record an answer once; a repeat (double tap, back button) returns the first.

    An answer given offline carries the id its phone made (`client_id`) and the time it was
    given. The last answer finishes the attempt: its score, whether it passed, and a certificate
    the first time the course is mastered.
    """
    attempt = locked(session, QuizAttempt, attempt.id)
    existing = session.scalar(
        select(QuizAnswer).where(
            QuizAnswer.attempt_id == attempt.id, QuizAnswer.question_id == question.id
        )
    )
    if existing is not None:
        return existing
    if attempt.finished_at is not None:
        raise AttemptFinished()
    if question.id not in {entry["id"] for entry in attempt.draw}:
        raise NotInAttempt()
    row = QuizAnswer(
        attempt=attempt,
        question_id=question.id,
        answer=answer,
        correct=grading.is_right(question.type, question.data, answer),
        answered_at=answered_at or utcnow(),
        client_id=client_id,
    )
    session.add(row)
    session.flush()
    if next_step(session, attempt) is None:
        _finish(session, attempt)
    return row


def _finish(session: Session, attempt: QuizAttempt) -> None:
    steps = questions_of(session, attempt)
    asked = {s.question.id for s in steps}
    attempt.question_count = max(len(steps), 1)
    attempt.correct_count = sum(1 for a in attempt.answers if a.correct and a.question_id in asked)
    attempt.passed = attempt.correct_count * 100 >= attempt.pass_mark * attempt.question_count
    attempt.finished_at = utcnow()
    session.flush()
    if attempt.passed:
        issue_certificate(session, attempt)


# The quiz's offline answers

#: the id a phone makes for an answer given offline: a UUID, lower case
CLIENT_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


class OfflineAnswerRefused(LearningError):
    """An answer sent from a phone's offline queue that cannot be recorded; `code` says why."""

    status = 409
    sentences = {
        "not_yours": _l("This quiz belongs to someone else."),
        "attempt_finished": _l("This quiz was already finished: the answer was not counted."),
        "not_in_attempt": _l("This question is not part of this quiz."),
    }


def sync_token(secret_key: str, user: User) -> str:
    """A token for the quiz pages' offline answers, naming the user (see views.sync); it
    outlives the one-hour form token, so answers given on a day without data still count."""
    return signer("quiz-sync", secret_key).dumps({"user": user.id})


def sync_token_user_id(secret_key: str, token: str, max_age: int | None = None) -> int | None:
    """The user id a sync token names, or None when it is forged, malformed or expired."""
    try:
        data = signer("quiz-sync", secret_key).loads(token, max_age=max_age)
    except (BadToken, ValueError, TypeError):
        return None
    return data.get("user") if isinstance(data, dict) else None


def record_offline_answer(
    session: Session,
    user: User,
    attempt: QuizAttempt,
    question: Question,
    form: MultiDict,
    client_id: str,
    answered_at: datetime,
) -> tuple[QuizAnswer, bool]:
    """Record an answer given offline, once per client id: (the answer, whether it is new).

    A resend of the same client id returns the answer first recorded, however the attempt has
    moved on since. A question already answered (online, or from another phone) keeps its first
    answer. The form is read and graded as the online quiz reads and grades it; the time
    answered is the phone's, kept between the attempt's start and now.
    """
    if attempt.user_id != user.id:
        raise OfflineAnswerRefused("not_yours")
    sent = session.scalar(select(QuizAnswer).where(QuizAnswer.client_id == client_id))
    if sent is not None:
        if sent.attempt_id != attempt.id or sent.question_id != question.id:
            raise OfflineAnswerRefused("not_in_attempt")
        return sent, False
    steps = {s.question.id for s in questions_of(session, attempt)}
    if question.id not in steps:
        raise OfflineAnswerRefused("not_in_attempt")
    given = grading.read_answer(question.type, question.data, form)
    answered_at = min(max(answered_at, attempt.started_at), utcnow())
    try:
        row = answer_question(session, attempt, question, given, client_id, answered_at)
    except AttemptFinished as finished:
        raise OfflineAnswerRefused("attempt_finished") from finished
    return row, row.client_id == client_id


def best_attempt(session: Session, user: User, course: Course) -> QuizAttempt | None:
    """The user's finished attempt with the highest score (the earliest among equals)."""
    attempts = session.scalars(
        select(QuizAttempt).where(
            QuizAttempt.user_id == user.id,
            QuizAttempt.course_id == course.id,
            QuizAttempt.finished_at.is_not(None),
        )
    ).all()
    return max(attempts, key=lambda a: (a.score, -a.id), default=None)


# Certificates


def issue_certificate(session: Session, attempt: QuizAttempt) -> Certificate:
    """The learner's certificate for the course, issued the first time they master it."""
    user = attempt.user
    found = certificate_for(session, user, attempt.course)
    if found is not None:
        return found
    # Issued in the name of the learner's commune, and of whoever ran their assisted session.
    assisted = session.scalar(
        select(AssistedLearningSession)
        .where(
            AssistedLearningSession.learner_id == user.id,
            AssistedLearningSession.course_id == attempt.course_id,
            AssistedLearningSession.helper_id.is_not(None),
        )
        .order_by(AssistedLearningSession.created_at.desc(), AssistedLearningSession.id.desc())
        .limit(1)
    )
    helper = assisted.helper if assisted is not None else None
    certificate = Certificate(
        number=secrets.token_hex(8),
        user_id=user.id,
        course_id=attempt.course_id,
        attempt_id=attempt.id,
        name=user.full_name,
        commune_id=user.home_commune_id,
        score=attempt.score,
        issued_at=utcnow(),
        helper_id=helper.id if helper else None,
        helper_name=helper.full_name if helper else None,
    )
    session.add(certificate)
    session.flush()
    return certificate


def revoke_certificate(
    session: Session,
    certificate: Certificate,
    coordinator: User,
    reason: str,
    scope: CoordinatorScope,
) -> Certificate:
    """Revoke a certificate of the coordinator's scope, once, with a reason; the verification
    page then says it was revoked and when (the reason stays with coordinators)."""
    reason = (reason or "").strip()
    if not scope.covers_commune(certificate.commune):
        raise CertificateError("out_of_scope")
    if certificate.revoked_at is not None:
        raise CertificateError("already_revoked")
    if not reason:
        raise CertificateError("reason_required")
    if len(reason) > REVOKE_REASON_MAX:
        raise CertificateError("reason_too_long")
    certificate.revoked_at = utcnow()
    certificate.revoked_reason = reason
    certificate.revoked_by_id = coordinator.id
    session.flush()
    return certificate


def certificates_in_scope(
    session: Session, commune_ids: Collection[int] | None, limit: int = 100
) -> list[Certificate]:
    """The latest certificates of learners' communes in the scope (None: every one)."""
    stmt = select(Certificate).order_by(Certificate.issued_at.desc(), Certificate.id.desc())
    if commune_ids is not None:
        stmt = stmt.where(Certificate.commune_id.in_(commune_ids))
    return list(session.scalars(stmt.limit(limit)))


def certificate_for(session: Session, user: User, course: Course) -> Certificate | None:
    return session.scalar(
        select(Certificate).where(
            Certificate.user_id == user.id, Certificate.course_id == course.id
        )
    )


def completions(session: Session, user_ids: Iterable[int] | None = None) -> list[tuple]:
    """Who mastered which course and when, as (course, user id, issued_at), for the impact
    dashboard's lessons-to-practice comparison; only for these users when given."""
    stmt = select(Course, Certificate.user_id, Certificate.issued_at).join(
        Course, Course.id == Certificate.course_id
    )
    if user_ids is not None:
        stmt = stmt.where(Certificate.user_id.in_(list(user_ids)))
    return [tuple(row) for row in session.execute(stmt.order_by(Course.slug, Certificate.id))]


def verification_id(certificate: Certificate, secret_key: str) -> str:
    """The public id of a certificate: its random number, signed; it never expires (see the
    "certificate" purpose in app.tokens)."""
    return signer("certificate", secret_key).dumps(certificate.number)


def verify(session: Session, verification: str, secret_key: str) -> Certificate | None:
    """The certificate a verification id names; None when tampered with or unknown."""
    try:
        number = signer("certificate", secret_key).loads(verification)
    except BadToken:
        return None
    if not isinstance(number, str):
        return None
    return session.scalar(select(Certificate).where(Certificate.number == number))


# Summaries for "My learning" and the API


@dataclass
class CourseProgress:
    course: Course
    lessons_done: int
    lessons_total: int
    best_score: int | None
    mastered: bool
    certificate: Certificate | None
    started: bool


def progress_by_course(
    session: Session, user: User, courses: list[Course]
) -> dict[int, CourseProgress]:
    """The user's progress in each course, in a handful of queries whatever their number."""
    ids = [c.id for c in courses]
    done = dict(
        session.execute(
            select(Lesson.course_id, func.count())
            .join(LessonProgress, LessonProgress.lesson_id == Lesson.id)
            .where(LessonProgress.user_id == user.id, Lesson.course_id.in_(ids))
            .group_by(Lesson.course_id)
        ).all()
    )
    attempts = session.scalars(
        select(QuizAttempt).where(QuizAttempt.user_id == user.id, QuizAttempt.course_id.in_(ids))
    ).all()
    certificates = {
        c.course_id: c
        for c in session.scalars(
            select(Certificate).where(
                Certificate.user_id == user.id, Certificate.course_id.in_(ids)
            )
        )
    }
    result = {}
    for course in courses:
        mine = [a for a in attempts if a.course_id == course.id]
        scores = [a.score for a in mine if a.score is not None]
        result[course.id] = CourseProgress(
            course=course,
            lessons_done=done.get(course.id, 0),
            lessons_total=len(course.lessons),
            best_score=max(scores, default=None),
            mastered=any(a.passed for a in mine) or course.id in certificates,
            certificate=certificates.get(course.id),
            started=bool(mine) or done.get(course.id, 0) > 0,
        )
    return result


@dataclass
class Resume:
    """Where the learner left off: a lesson to read, or the quiz (``lesson`` None)."""

    course: Course
    lesson: Lesson | None


def where_to_continue(session: Session, user: User) -> Resume | None:
    """The learner's latest activity: an unfinished quiz, else the course of the last lesson done
    (its next lesson, or its quiz once every lesson is done and it is not mastered yet)."""
    attempt = session.scalar(
        select(QuizAttempt)
        .where(QuizAttempt.user_id == user.id, QuizAttempt.finished_at.is_(None))
        .order_by(QuizAttempt.started_at.desc(), QuizAttempt.id.desc())
        .limit(1)
    )
    last_done = session.scalar(
        select(LessonProgress)
        .where(LessonProgress.user_id == user.id)
        .order_by(LessonProgress.completed_at.desc(), LessonProgress.id.desc())
        .limit(1)
    )
    if attempt is not None and (last_done is None or attempt.started_at >= last_done.completed_at):
        return Resume(attempt.course, None)
    if last_done is None:
        return None
    course = last_done.lesson.course
    following = first_unfinished(course, done_lesson_ids(session, user, course))
    if following is not None:
        return Resume(course, following)
    passed = session.scalar(
        select(QuizAttempt.id)
        .where(
            QuizAttempt.user_id == user.id,
            QuizAttempt.course_id == course.id,
            QuizAttempt.passed.is_(True),
        )
        .limit(1)
    )
    return None if passed is not None else Resume(course, None)
