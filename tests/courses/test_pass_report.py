"""Who passes: the report's figures checked against counts made by hand over a few learners."""

import csv
import io

import pytest
from sqlalchemy import select

from app.extensions import db
from courses.learners.services import join_as_resident
from courses.learning.models import Certificate, QuizAnswer, QuizAttempt
from courses.learning.services import mark_lesson_done
from courses.models import Course
from courses.reports import services
from courses.services import import_courses


@pytest.fixture(autouse=True)
def courses():
    import_courses(db.session)
    db.session.flush()


@pytest.fixture
def vneid():
    return db.session.scalar(select(Course).where(Course.slug == "vneid"))


def _resident(name, commune):
    user, _code = join_as_resident(db.session, full_name=name, home_commune=commune)
    return user


def _attempt(user, course, answers, certificate=False):
    """One finished attempt with the given (question, answer, correct) rows."""
    attempt = QuizAttempt(
        user_id=user.id,
        course_id=course.id,
        draw=[q.id for q, _a, _c in answers],
        question_count=len(answers),
        pass_mark=80,
        correct_count=sum(c for _q, _a, c in answers),
    )
    db.session.add(attempt)
    db.session.flush()
    for question, answer, correct in answers:
        db.session.add(
            QuizAnswer(
                attempt_id=attempt.id, question_id=question.id, answer=answer, correct=correct
            )
        )
    if certificate:
        db.session.add(
            Certificate(
                number=f"n{user.id}",
                user_id=user.id,
                course_id=course.id,
                name=user.full_name,
                attempt_id=attempt.id,
                score=100,
            )
        )
    db.session.flush()


def _single(course, key):
    return next(q for q in course.questions if q.key == key)


@pytest.fixture
def four_learners(vneid, bo_de, other_commune):
    """An: every lesson and mastered. Bình: straight to the quiz, failed. Chi: one lesson only.
    Dũng: another commune, quiz only and mastered (outside Bồ Đề's scope)."""
    question = next(q for q in vneid.questions if q.type == "single")
    wrong = [c["id"] for c in question.data["choices"] if c["id"] != question.data["answer"]]
    an, binh, chi = (_resident(n, bo_de) for n in ("Nguyễn An", "Trần Bình", "Lê Chi"))
    dung = _resident("Phạm Dũng", other_commune)
    for lesson in vneid.lessons:
        mark_lesson_done(db.session, an, lesson)
    _attempt(an, vneid, [(question, question.data["answer"], True)], certificate=True)
    _attempt(binh, vneid, [(question, wrong[0], False)])
    _attempt(binh, vneid, [(question, wrong[0], False)])  # a retry: still one learner
    mark_lesson_done(db.session, chi, vneid.lessons[0])
    _attempt(dung, vneid, [(question, wrong[-1], False)], certificate=True)
    return question, wrong[0]


def test_quiz_only_learners_count_and_the_pass_rate_is_mastered_over_attempted(
    vneid, bo_de, four_learners
):
    report = services.learning_report(db.session, {bo_de.id})

    [row] = [p for p in report.passes if p.course == vneid]
    assert (row.commune, row.audience) == (bo_de, "resident")
    assert (row.started, row.completed_lessons, row.attempted, row.mastered) == (3, 1, 2, 1)
    assert row.pass_rate == 0.5
    course_row = next(r for r in report.courses if r.course == vneid)
    assert (course_row.learners, course_row.attempted, course_row.pass_rate) == (3, 2, 0.5)


def test_each_question_shows_its_share_correct_and_the_wrong_choice_picked_most(
    vneid, bo_de, four_learners
):
    question, picked = four_learners

    rows = services.learning_report(db.session, {bo_de.id}).questions

    [row] = [r for r in rows if r.question == question]
    assert (row.answers, row.correct_share) == (3, pytest.approx(1 / 3))
    texts = {c["id"]: c["text"] for c in question.data["choices"]}
    assert (row.common_wrong, row.common_wrong_picks) == (texts[picked], 2)


def test_a_walkthroughs_wrong_pick_names_its_step(vneid, bo_de):
    walkthrough = _single(vneid, "activate-walkthrough")
    right = [step["answer"] for step in walkthrough.data["steps"]]
    learner = _resident("Võ Em", bo_de)
    _attempt(learner, vneid, [(walkthrough, ["register", *right[1:]], False)])

    [row] = services.learning_report(db.session, {bo_de.id}).questions

    assert row.common_wrong["en"] == "Step 1: Register an account"
    assert row.common_wrong["vi"] == "Bước 1: Đăng ký tài khoản"


def test_the_pass_table_is_a_csv_too(client, login, coordinator, vneid, four_learners):
    db.session.commit()
    login(coordinator)
    client.set_cookie("lang", "en")

    page = client.get("/courses/reports").get_data(as_text=True)
    passes = client.get("/courses/reports/passes.csv").data.decode("utf-8-sig")
    questions = client.get("/courses/reports/questions.csv").data.decode("utf-8-sig")

    assert "Pass rate" in page and "Wrong choice picked most" in page
    rows = list(csv.reader(io.StringIO(passes)))
    assert rows[0][-1] == "Pass rate"
    assert rows[1][1:] == ["Phường Bồ Đề", "Residents", "3", "1", "2", "1", "50%"]
    assert "(2 times)" in questions


def test_a_revoked_certificate_is_no_longer_a_pass(vneid, bo_de, four_learners):
    certificate = db.session.scalar(
        select(Certificate)
        .where(Certificate.course_id == vneid.id, Certificate.number.like("n%"))
        .order_by(Certificate.id)
        .limit(1)
    )
    certificate.revoked_at = certificate.issued_at

    [row] = [p for p in services.learning_report(db.session, {bo_de.id}).passes]

    assert (row.attempted, row.mastered, row.pass_rate) == (2, 0, 0.0)
