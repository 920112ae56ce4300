"""Learning pages: marking lessons done, taking a quiz, certificates, "My learning"."""

from datetime import datetime

from flask import (
    Blueprint,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from app import navigation
from app.access import public, signed_in
from app.api import error
from app.database import request_int
from app.extensions import csrf, db
from app.i18n import lazy_gettext as _l
from app.localtime import DayOutOfRange, check_moment
from app.qr import qr_svg
from app.roles import Role
from app.urls import absolute_url
from courses import services as course_services
from courses.learners import services as learners
from courses.learning import grading, services
from courses.learning.models import Certificate, QuizAnswer, QuizAttempt
from courses.models import Course, Question

bp = Blueprint("learning", __name__)

#: the header carrying the quiz pages' sync token (see sync)
SYNC_HEADER = "X-Sync-Token"

navigation.register("learning.my_learning", _l("My learning"), navigation.Group.LEARNING)


def _course(slug) -> Course:
    return course_services.get_course(db.session, slug) or abort(404)


def _own_attempt(course, attempt_id) -> QuizAttempt:
    attempt = db.session.get(QuizAttempt, attempt_id)
    if attempt is None or attempt.user_id != current_user.id or attempt.course_id != course.id:
        abort(404)
    return attempt


@bp.app_template_filter("texts_by_id")
def texts_by_id(items, field):
    """[{id, text: {vi, en}}, …] to {id: {vi, en}}: choices or walkthrough elements by id."""
    return {item["id"]: item[field] for item in items}


@bp.app_template_global()
def learning_state(course):
    """For the course and lesson pages: the reader's lessons done and where to continue."""
    if not current_user.is_authenticated:
        return None
    done = services.done_lesson_ids(db.session, current_user, course)
    following = services.first_unfinished(course, done)
    if following is not None:
        continue_url = url_for("courses.lesson", slug=course.slug, lesson_slug=following.slug)
    else:
        continue_url = url_for("learning.quiz", slug=course.slug)
    return {"done": done, "continue_url": continue_url, "started": bool(done)}


@bp.post("/courses/<slug>/lessons/<lesson_slug>/done")
@signed_in
def mark_done(slug, lesson_slug):
    """Mark a lesson done, then open the next lesson (or the quiz after the last one)."""
    course = _course(slug)
    lesson = course_services.get_lesson(db.session, course, lesson_slug) or abort(404)
    services.mark_lesson_done(db.session, current_user, lesson)
    db.session.commit()
    _previous, following = course_services.neighbours(course, lesson)
    if following is not None:
        return redirect(url_for("courses.lesson", slug=slug, lesson_slug=following.slug))
    return redirect(url_for("learning.quiz", slug=slug))


def _walkthrough_taps(step):
    """The taps made so far in the walkthrough shown (carried in the query string)."""
    if step.question.type != "walkthrough" or request.args.get("q") != str(step.question.id):
        return []
    taps = request.args.getlist("taps")
    if "tap" in request.args:
        taps.append(request.args["tap"])
    taps = grading.read_taps(step.question.data, taps)
    if taps is None or len(taps) >= len(step.question.data["steps"]):
        return []
    return taps


def _moment(text) -> datetime | None:
    """An ISO 8601 time with its offset, in UTC; None when it is not one (or has no zone)."""
    if not isinstance(text, str):
        return None
    try:
        moment = datetime.fromisoformat(text.strip().upper())
        return check_moment(moment) if moment.tzinfo is not None else None
    except (ValueError, DayOutOfRange):
        return None


def _number(value) -> int:
    try:
        return request_int(value)
    except (TypeError, ValueError):
        return 0


def _strings(items) -> bool:
    return isinstance(items, list) and all(isinstance(item, str) for item in items)


def _offline_queue(course, attempt):
    """What the quiz pages' offline queue needs: where to send answers and the token to send
    them with, and the attempt's questions to keep on the phone."""
    return {
        "sync_url": url_for("learning.sync", slug=course.slug),
        "sync_token": services.sync_token(current_app.config["SECRET_KEY"], current_user),
        "pack_url": url_for("learning.offline_questions", slug=course.slug, attempt_id=attempt.id),
        "quiz_url": url_for("learning.quiz", slug=course.slug),
        "cache": f"caunoi-course-{course.slug}",
    }


def _render_question(course, attempt, step, problem=None, status=200):
    taps = _walkthrough_taps(step) if problem is None else []
    return (
        render_template(
            "courses/learning/question.html",
            course=course,
            attempt=attempt,
            step=step,
            data=step.question.data,
            taps=taps,
            step_results=grading.step_results(step.question.data, taps) if taps else [],
            problem=problem,
            queue=_offline_queue(course, attempt),
        ),
        status,
    )


@bp.get("/courses/<slug>/quiz")
@signed_in
def quiz(slug):
    """The quiz: the next question of the unfinished attempt, or how the quiz works."""
    course = _course(slug)
    attempt = services.open_attempt(db.session, current_user, course)
    if attempt is not None:
        step = services.next_step(db.session, attempt)
        if step is not None:
            return _render_question(course, attempt, step)
    bank = db.session.scalar(
        select(db.func.count()).select_from(Question).where(Question.course_id == course.id)
    )
    return render_template(
        "courses/learning/quiz.html",
        course=course,
        bank=bank,
        size=min(course.quiz_size, bank),
        best=services.best_attempt(db.session, current_user, course),
        certificate=services.certificate_for(db.session, current_user, course),
    )


@bp.post("/courses/<slug>/quiz")
@signed_in
def start(slug):
    """Draw a new attempt (or go back to the unfinished one) and show its first question."""
    course = _course(slug)
    try:
        services.start_attempt(db.session, current_user, course)
    except services.LearningError:
        abort(404)
    db.session.commit()
    return redirect(url_for("learning.quiz", slug=slug))


@bp.post("/courses/<slug>/quiz/<int:attempt_id>/answers")
@signed_in
def answer(slug, attempt_id):
    """Grade one answer, then show whether it was right."""
    course = _course(slug)
    attempt = _own_attempt(course, attempt_id)
    question = db.session.get(Question, request.form.get("question", type=request_int) or 0)
    steps = {s.question.id: s for s in services.questions_of(db.session, attempt)}
    if question is None or question.id not in steps:
        abort(404)
    already = db.session.scalar(
        select(QuizAnswer).where(
            QuizAnswer.attempt_id == attempt.id, QuizAnswer.question_id == question.id
        )
    )
    if already is None:
        try:
            given = grading.read_answer(question.type, question.data, request.form)
        except grading.InvalidAnswer as exc:
            return _render_question(
                course, attempt, steps[question.id], exc.page_message, exc.status
            )
        try:
            services.answer_question(db.session, attempt, question, given)
        except services.AttemptFinished:
            return redirect(url_for("learning.result", slug=slug, attempt_id=attempt.id))
        db.session.commit()
    return redirect(
        url_for("learning.feedback", slug=slug, attempt_id=attempt.id, question_id=question.id)
    )


@bp.get("/courses/<slug>/quiz/<int:attempt_id>/offline")
@signed_in
def offline_questions(slug, attempt_id):
    """The attempt's questions not yet answered, on one page the phone keeps, so the quiz goes
    on without data; each question's form posts as the quiz page's does."""
    course = _course(slug)
    attempt = _own_attempt(course, attempt_id)
    answered = {row.question_id for row in attempt.answers}
    steps = [s for s in services.questions_of(db.session, attempt) if s.question.id not in answered]
    return render_template(
        "courses/learning/offline_questions.html",
        course=course,
        attempt=attempt,
        steps=steps,
        queue=_offline_queue(course, attempt),
    )


@bp.post("/courses/<slug>/quiz/sync")
@signed_in
@csrf.exempt
def sync(slug):
    """Record one answer from a quiz page's offline queue: JSON {attempt, question, client_id,
    answered_at, fields}, where fields holds the question form's values ({name: [values]}) and
    client_id the UUID the phone made when the answer was given.

    Authenticated as the check-in pages' queue is (scheduling/checkin/views.py): the session
    cookie and the page's sync token together, since the form token may expire while the phone
    is offline. A resend of the same client id answers what the first did; 409 says why an
    answer was refused (someone else's quiz, a quiz already finished)."""
    token = request.headers.get(SYNC_HEADER, "")
    user_id = services.sync_token_user_id(current_app.config["SECRET_KEY"], token)
    if user_id is None or user_id != current_user.id:
        return error(403, "forbidden", _("Open the quiz again to send waiting answers."))
    course = _course(slug)
    body = request.get_json(silent=True)
    fields = body if isinstance(body, dict) else {}
    client_id, values = fields.get("client_id"), fields.get("fields")
    answered_at = _moment(fields.get("answered_at"))
    if (
        not isinstance(client_id, str)
        or not services.CLIENT_ID.match(client_id)
        or not isinstance(values, dict)
        or not all(
            isinstance(v, list) and all(isinstance(i, str) for i in v) for v in values.values()
        )
        or answered_at is None
    ):
        return error(400, "bad_request", _("This answer cannot be read: answer it again."))
    attempt = db.session.get(QuizAttempt, _number(fields.get("attempt")))
    question = db.session.get(Question, _number(fields.get("question")))
    if attempt is None or question is None or attempt.course_id != course.id:
        return error(404, "not_found", _("This question is no longer in the quiz."))
    try:
        row, _new = services.record_offline_answer(
            db.session,
            current_user,
            attempt,
            question,
            MultiDict([(name, v) for name, items in values.items() for v in items]),
            client_id,
            answered_at,
        )
    except (services.OfflineAnswerRefused, grading.InvalidAnswer) as refusal:
        db.session.rollback()
        return error(refusal.status, refusal.code, refusal.message)
    db.session.commit()
    return jsonify(
        client_id=client_id,
        question=question.id,
        correct=row.correct,
        finished=attempt.finished_at is not None,
        score=attempt.score,
        feedback_url=url_for(
            "learning.feedback", slug=slug, attempt_id=attempt.id, question_id=question.id
        ),
    )


@bp.get("/courses/<slug>/quiz/<int:attempt_id>/answers/<int:question_id>")
@signed_in
def feedback(slug, attempt_id, question_id):
    """Right or wrong, the explanation, and the way on."""
    course = _course(slug)
    attempt = _own_attempt(course, attempt_id)
    row = db.session.scalar(
        select(QuizAnswer).where(
            QuizAnswer.attempt_id == attempt.id, QuizAnswer.question_id == question_id
        )
    )
    if row is None:
        abort(404)
    steps = services.questions_of(db.session, attempt)
    step = next((s for s in steps if s.question.id == question_id), None) or abort(404)
    data = step.question.data
    return render_template(
        "courses/learning/feedback.html",
        course=course,
        attempt=attempt,
        step=step,
        row=row,
        data=data,
        texts=texts_by_id(data.get("choices", []), "text"),
        step_results=grading.step_results(data, row.answer)
        if step.question.type == "walkthrough"
        else [],
    )


@bp.get("/courses/<slug>/quiz/<int:attempt_id>")
@signed_in
def result(slug, attempt_id):
    """An attempt's score and whether it masters the course."""
    course = _course(slug)
    attempt = _own_attempt(course, attempt_id)
    if attempt.finished_at is None:
        return redirect(url_for("learning.quiz", slug=slug))
    return render_template(
        "courses/learning/result.html",
        course=course,
        attempt=attempt,
        certificate=services.certificate_for(db.session, current_user, course),
    )


@bp.get("/me/learning")
@signed_in
def my_learning():
    """The courses the user started: lessons done, best score, mastery and certificates."""
    courses = [c for _audience, group in course_services.catalogue(db.session) for c in group]
    progress = services.progress_by_course(db.session, current_user, courses)
    started = [progress[c.id] for c in courses if progress[c.id].started]
    return render_template("courses/learning/my_learning.html", started=started)


def _verification_url(certificate):
    token = services.verification_id(certificate, current_app.config["SECRET_KEY"])
    return absolute_url("learning.verify", verification=token)


@bp.get("/me/certificates/<int:certificate_id>")
@signed_in
def certificate(certificate_id):
    """The owner's certificate, laid out to print on A5, with a QR to check it."""
    found = db.session.get(Certificate, certificate_id)
    if found is None or found.user_id != current_user.id:
        abort(404)
    url = _verification_url(found)
    return render_template(
        "courses/learning/certificate.html",
        certificate=found,
        verify_url=url,
        qr=qr_svg(url, _("QR code of the verification link")),
    )


@bp.get("/certificates/verify/<verification>")
@public
def verify(verification):
    """Anyone can check a certificate: name, course, date, commune; nothing private."""
    found = services.verify(db.session, verification, current_app.config["SECRET_KEY"])
    if found is None:
        return render_template("courses/learning/verify_invalid.html"), 404
    return render_template("courses/learning/verify.html", certificate=found)


def learner_block(session, user, roles) -> str | None:
    """The learner's block on the home page: continue where they left off, their courses'
    progress, and a reminder to keep their personal code."""
    if Role.LEARNER not in roles:
        return None
    courses = [c for _audience, group in course_services.catalogue(session) for c in group]
    progress = services.progress_by_course(session, user, courses)
    return render_template(
        "courses/learning/today.html",
        resume=services.where_to_continue(session, user),
        started=[progress[c.id] for c in courses if progress[c.id].started],
        has_code=learners.has_code(session, user),
    )
