"""Quiz attempts: random draws, a stable draw within an attempt, resume, mastery, retries."""

import random
import re

import pytest
from learning_helpers import as_form, right_answer, wrong_answer
from sqlalchemy import func, select

from app.extensions import db
from courses.learning import services
from courses.learning.grading import draw_entry
from courses.learning.models import Certificate, QuizAnswer, QuizAttempt
from courses.models import Question
from courses.services import get_course, import_courses
from courses.simulators import tappable_ids


@pytest.fixture
def course():
    import_courses(db.session)
    db.session.commit()
    return get_course(db.session, "vneid")


def _answer_all(attempt, right=None, wrong_from=None):
    """Answer every question of the attempt; right ones until `wrong_from` (an index)."""
    for number, step in enumerate(services.questions_of(db.session, attempt)):
        bad = wrong_from is not None and number >= wrong_from
        make = wrong_answer if bad else right_answer
        services.answer_question(db.session, attempt, step.question, make(step.question))
    return attempt


def test_draws_quiz_size_questions_from_the_bank(course, learner):
    attempt = services.start_attempt(db.session, learner, course, random.Random(1))
    ids = [entry["id"] for entry in attempt.draw]
    bank = set(db.session.scalars(select(Question.id).where(Question.course_id == course.id)))
    assert len(ids) == course.quiz_size == attempt.question_count
    assert len(set(ids)) == len(ids)
    assert set(ids) <= bank
    assert len(bank) > course.quiz_size


def test_two_attempts_draw_different_questions(course, learner):
    first = services.start_attempt(db.session, learner, course, random.Random(1))
    _answer_all(first)
    second = services.start_attempt(db.session, learner, course, random.Random(2))
    assert second.id != first.id
    assert [e["id"] for e in first.draw] != [e["id"] for e in second.draw]


def test_choices_are_shuffled_differently_across_attempts(course, learner):
    orders = set()
    for seed in range(6):
        attempt = services.start_attempt(db.session, learner, course, random.Random(seed))
        orders |= {
            (entry["id"], tuple(entry["choices"])) for entry in attempt.draw if "choices" in entry
        }
        db.session.delete(attempt)
        db.session.flush()
    question_ids = {question_id for question_id, _order in orders}
    assert len(orders) > len(question_ids)  # some question was shown in two orders


def _without_tokens(response):
    """The page without its signed tokens (the forms' and the offline queue's), which carry the
    second they were signed in."""
    return re.sub(r'="[\w.-]{40,}"', '=""', response.get_data(as_text=True))


def test_the_draw_is_stable_within_an_attempt(client, login, course, learner):
    attempt = services.start_attempt(db.session, learner, course, random.Random(3))
    login(learner)
    first, again = (_without_tokens(client.get("/courses/vneid/quiz")) for _ in range(2))
    assert first == again
    # Starting again while an attempt is open gives back that attempt: no new draw.
    assert services.start_attempt(db.session, learner, course).id == attempt.id


def test_resume_continues_at_the_next_unanswered_question(course, learner):
    attempt = services.start_attempt(db.session, learner, course, random.Random(4))
    steps = services.questions_of(db.session, attempt)
    for step in steps[:3]:
        services.answer_question(db.session, attempt, step.question, right_answer(step.question))
    db.session.commit()
    resumed = services.open_attempt(db.session, learner, course)
    assert resumed.id == attempt.id
    assert services.next_step(db.session, resumed).question.id == steps[3].question.id
    assert services.next_step(db.session, resumed).number == 4


def test_mastery_at_the_pass_mark_exactly(course, learner):
    course.quiz_size, course.pass_mark = 5, 80
    below = _answer_all(services.start_attempt(db.session, learner, course), wrong_from=3)
    assert (below.correct_count, below.score, below.passed) == (3, 60, False)
    assert services.certificate_for(db.session, learner, course) is None

    exactly = _answer_all(services.start_attempt(db.session, learner, course), wrong_from=4)
    assert (exactly.correct_count, exactly.score, exactly.passed) == (4, 80, True)
    assert services.certificate_for(db.session, learner, course) is not None


def test_retries_are_unlimited_and_a_failed_retry_does_not_undo_mastery(course, learner):
    for _ in range(3):
        _answer_all(services.start_attempt(db.session, learner, course), wrong_from=0)
    _answer_all(services.start_attempt(db.session, learner, course))
    _answer_all(services.start_attempt(db.session, learner, course), wrong_from=0)
    progress = services.progress_by_course(db.session, learner, [course])[course.id]
    assert progress.mastered is True
    assert progress.best_score == 100
    count = db.session.scalar(select(func.count()).select_from(QuizAttempt))
    assert count == 5


def test_answering_the_same_question_twice_keeps_the_first_graded_answer(course, learner):
    attempt = services.start_attempt(db.session, learner, course, random.Random(5))
    question = services.next_step(db.session, attempt).question
    first = services.answer_question(db.session, attempt, question, wrong_answer(question))
    again = services.answer_question(db.session, attempt, question, right_answer(question))
    assert again.id == first.id
    assert again.correct is False
    rows = db.session.scalar(select(func.count()).select_from(QuizAnswer))
    assert rows == 1


def test_double_posting_an_answer_records_one_row(client, login, course, learner):
    attempt = services.start_attempt(db.session, learner, course, random.Random(6))
    question = services.next_step(db.session, attempt).question
    login(learner)
    url = f"/courses/vneid/quiz/{attempt.id}/answers"
    form = {"question": question.id, **as_form(question, right_answer(question))}
    first = client.post(url, data=form)
    second = client.post(
        url, data={"question": question.id, **as_form(question, wrong_answer(question))}
    )
    assert first.status_code == second.status_code == 302
    assert first.location == second.location
    rows = db.session.scalars(select(QuizAnswer)).all()
    assert len(rows) == 1 and rows[0].correct is True


def test_an_incomplete_answer_is_asked_again_and_nothing_is_written(client, login, course, learner):
    attempt = services.start_attempt(db.session, learner, course, random.Random(7))
    question = services.next_step(db.session, attempt).question
    login(learner)
    response = client.post(
        f"/courses/vneid/quiz/{attempt.id}/answers", data={"question": question.id}
    )
    assert response.status_code == 422
    assert 'role="alert"' in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(QuizAnswer)) == 0


def test_another_learners_attempt_is_not_found(client, login, course, learner, make_user):
    attempt = services.start_attempt(db.session, learner, course, random.Random(8))
    question = services.next_step(db.session, attempt).question
    login(make_user())
    url = f"/courses/vneid/quiz/{attempt.id}/answers"
    response = client.post(
        url, data={"question": question.id, **as_form(question, right_answer(question))}
    )
    assert response.status_code == 404
    assert client.get(f"/courses/vneid/quiz/{attempt.id}").status_code == 404


def test_a_full_quiz_through_the_pages_ends_with_the_score(client, login, course, learner):
    login(learner)
    client.post("/courses/vneid/quiz")
    attempt = services.open_attempt(db.session, learner, course)
    for step in services.questions_of(db.session, attempt):
        html = client.get("/courses/vneid/quiz").get_data(as_text=True)
        assert f'name="question" value="{step.question.id}"' in html or (
            f'name="q" value="{step.question.id}"' in html
        )
        form = {"question": step.question.id, **as_form(step.question, right_answer(step.question))}
        feedback = client.post(f"/courses/vneid/quiz/{attempt.id}/answers", data=form)
        page = client.get(feedback.location).get_data(as_text=True)
        assert "Đúng rồi" in page or "Right!" in page
    result = client.get(f"/courses/vneid/quiz/{attempt.id}").get_data(as_text=True)
    assert "100%" in result
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 1


def test_a_walkthrough_goes_screen_by_screen_without_javascript(client, login, course, learner):
    question = next(q for q in course.questions if q.type == "walkthrough")
    steps = question.data["steps"]
    entry = draw_entry(question.id, question.type, question.data, random.Random(9))
    attempt = QuizAttempt(
        user_id=learner.id, course_id=course.id, draw=[entry], question_count=1, pass_mark=80
    )
    db.session.add(attempt)
    login(learner)
    client.set_cookie("lang", "en")

    first = client.get("/courses/vneid/quiz").get_data(as_text=True)
    assert 'method="get"' in first and "Step 1 of" in first
    assert first.count('name="tap"') == len(tappable_ids(steps[0]))
    wrong = next(i for i in tappable_ids(steps[0]) if i != steps[0]["answer"])
    second = client.get(
        "/courses/vneid/quiz", query_string={"q": question.id, "tap": wrong}
    ).get_data(as_text=True)
    assert "Step 2 of" in second and "Not that one." in second
    assert f'name="taps" value="{wrong}"' in second

    taps = [wrong] + [step["answer"] for step in steps[1:]]
    last = client.get(
        "/courses/vneid/quiz", query_string={"q": question.id, "taps": taps[:-2], "tap": taps[-2]}
    ).get_data(as_text=True)
    assert 'method="post"' in last and f"Step {len(steps)} of" in last
    assert db.session.scalar(select(func.count()).select_from(QuizAnswer)) == 0

    response = client.post(
        f"/courses/vneid/quiz/{attempt.id}/answers",
        data={"question": question.id, "taps": taps[:-1], "tap": taps[-1]},
    )
    row = db.session.scalar(select(QuizAnswer))
    assert row.answer == taps and row.correct is False
    feedback = client.get(response.location).get_data(as_text=True)
    assert feedback.count("✗ Wrong") == 1
    assert feedback.count("✓ Right") == len(steps) - 1
