"""The quiz without data: answers given offline carry a UUID made by the phone and are sent later
to /courses/<slug>/quiz/sync, which records each id once, grades it as the quiz page does and
finishes the attempt once; answers to someone else's quiz or to a finished one are refused."""

import random
import re
import uuid
from datetime import timedelta

import pytest
from learning_helpers import as_form, right_answer, wrong_answer
from sqlalchemy import func, select

from app.database import utcnow
from app.extensions import db
from app.roles import Role
from courses.learning import services
from courses.learning.models import Certificate, QuizAnswer
from courses.services import get_course, import_courses

SYNC = "/courses/vneid/quiz/sync"


@pytest.fixture
def course():
    import_courses(db.session)
    db.session.commit()
    return get_course(db.session, "vneid")


@pytest.fixture
def attempt(course, learner):
    started = services.start_attempt(db.session, learner, course, random.Random(3))
    started.started_at = utcnow() - timedelta(hours=2)  # started before the network went
    db.session.commit()
    return started


def _steps(attempt):
    return services.questions_of(db.session, attempt)


def _fields(question, answer):
    """The question form's values as the phone keeps them: {name: [values]}."""
    form = as_form(question, answer)
    return {name: value if isinstance(value, list) else [value] for name, value in form.items()}


def _sync_token(client, attempt):
    page = client.get(f"/courses/vneid/quiz/{attempt.id}/offline").get_data(as_text=True)
    return re.search(r'data-sync-token="([^"]+)"', page).group(1)


def _send(client, token, attempt, question, answer, client_id=None, answered_at=None, extra=()):
    body = {
        "client_id": client_id or str(uuid.uuid4()),
        "attempt": attempt.id,
        "question": question.id,
        "answered_at": (answered_at or utcnow()).isoformat(),
        "fields": _fields(question, answer),
    }
    body.update(extra)
    return client.post(SYNC, json=body, headers={"X-Sync-Token": token})


def _answers(attempt):
    return db.session.scalars(select(QuizAnswer).where(QuizAnswer.attempt_id == attempt.id)).all()


def test_an_answer_sent_twice_with_its_id_is_recorded_once(client, login, learner, attempt):
    login(learner)
    token = _sync_token(client, attempt)
    question = _steps(attempt)[0].question
    client_id = str(uuid.uuid4())
    given = utcnow() - timedelta(minutes=30)

    first = _send(client, token, attempt, question, right_answer(question), client_id, given)
    again = _send(client, token, attempt, question, right_answer(question), client_id, given)

    assert first.status_code == again.status_code == 200
    assert first.get_json() == again.get_json()
    assert first.get_json()["correct"] is True
    (row,) = _answers(attempt)
    assert row.client_id == client_id and row.correct
    assert abs(row.answered_at - given) < timedelta(seconds=1)  # the phone's time, not arrival


def test_a_wrong_answer_is_graded_as_the_quiz_page_grades_it(client, login, learner, attempt):
    login(learner)
    token = _sync_token(client, attempt)
    question = _steps(attempt)[0].question

    response = _send(client, token, attempt, question, wrong_answer(question))

    assert response.get_json()["correct"] is False
    assert [row.correct for row in _answers(attempt)] == [False]


def test_the_last_answer_finishes_the_attempt_once_even_when_resent(
    client, login, learner, attempt
):
    login(learner)
    token = _sync_token(client, attempt)
    sent = []
    for step in _steps(attempt):
        client_id = str(uuid.uuid4())
        response = _send(
            client, token, attempt, step.question, right_answer(step.question), client_id
        )
        assert response.status_code == 200
        sent.append((step.question, client_id, response.get_json()))
    last_question, last_id, last_result = sent[-1]
    db.session.refresh(attempt)
    finished_at, score = attempt.finished_at, attempt.score

    replay = _send(client, token, attempt, last_question, right_answer(last_question), last_id)

    assert last_result["finished"] is True and last_result["score"] == 100
    assert replay.status_code == 200 and replay.get_json() == last_result
    db.session.refresh(attempt)
    assert (attempt.finished_at, attempt.score, attempt.correct_count) == (
        finished_at,
        score,
        attempt.question_count,
    )
    assert len(_answers(attempt)) == attempt.question_count
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 1


def test_a_question_answered_online_keeps_its_first_answer(client, login, learner, attempt):
    login(learner)
    token = _sync_token(client, attempt)
    question = _steps(attempt)[0].question
    client.post(
        f"/courses/vneid/quiz/{attempt.id}/answers",
        data={"question": question.id} | as_form(question, right_answer(question)),
    )

    response = _send(client, token, attempt, question, wrong_answer(question))

    assert response.status_code == 200 and response.get_json()["correct"] is True
    (row,) = _answers(attempt)
    assert row.client_id is None and row.correct


def test_an_answer_to_a_finished_attempt_is_refused(client, login, learner, attempt):
    login(learner)
    token = _sync_token(client, attempt)
    *first, last = _steps(attempt)
    for step in first:
        services.answer_question(db.session, attempt, step.question, right_answer(step.question))
    attempt.finished_at = utcnow()  # finished on another phone, say after a re-import
    db.session.commit()

    response = _send(client, token, attempt, last.question, right_answer(last.question))

    assert response.status_code == 409
    assert response.get_json()["error"] == "attempt_finished"
    assert len(_answers(attempt)) == len(first)


def test_an_answer_to_someone_elses_attempt_is_refused(client, login, make_user, learner, attempt):
    question = _steps(attempt)[0].question
    login(learner)
    client_id = str(uuid.uuid4())
    _send(
        client, _sync_token(client, attempt), attempt, question, right_answer(question), client_id
    )
    client.post("/logout")
    other = make_user(Role.LEARNER)
    login(other)
    token = _sync_token_for(client, other)

    fresh = _send(client, token, attempt, question, right_answer(question))
    replayed = _send(client, token, attempt, question, right_answer(question), client_id)

    assert fresh.status_code == replayed.status_code == 409
    assert fresh.get_json()["error"] == replayed.get_json()["error"] == "not_yours"
    assert len(_answers(attempt)) == 1


def _sync_token_for(client, user):
    """The sync token a quiz page gives this user (their own attempt's page)."""
    course = get_course(db.session, "vneid")
    own = services.start_attempt(db.session, user, course, random.Random(4))
    db.session.commit()
    return _sync_token(client, own)


def test_a_client_id_reused_for_another_question_is_refused(client, login, learner, attempt):
    login(learner)
    token = _sync_token(client, attempt)
    first, second = (step.question for step in _steps(attempt)[:2])
    client_id = str(uuid.uuid4())
    _send(client, token, attempt, first, right_answer(first), client_id)

    response = _send(client, token, attempt, second, right_answer(second), client_id)

    assert response.status_code == 409
    assert response.get_json()["error"] == "not_in_attempt"
    assert [row.question_id for row in _answers(attempt)] == [first.id]


def test_without_the_pages_sync_token_nothing_is_recorded(client, login, learner, attempt):
    login(learner)
    question = _steps(attempt)[0].question

    forged = _send(client, "forged", attempt, question, right_answer(question))

    assert forged.status_code == 403
    assert _answers(attempt) == []


@pytest.mark.parametrize(
    "extra",
    [{"client_id": "not-a-uuid"}, {"answered_at": "yesterday"}, {"fields": {"choice": "a"}}],
)
def test_an_unreadable_answer_is_refused_with_a_reason(client, login, learner, attempt, extra):
    login(learner)
    token = _sync_token(client, attempt)
    question = _steps(attempt)[0].question

    response = _send(client, token, attempt, question, right_answer(question), extra=extra)

    assert response.status_code == 400 and response.get_json()["message"]
    assert _answers(attempt) == []


def test_an_incomplete_answer_is_refused_as_the_quiz_page_refuses_it(
    client, login, learner, attempt
):
    login(learner)
    token = _sync_token(client, attempt)
    question = _steps(attempt)[0].question
    body = {
        "client_id": str(uuid.uuid4()),
        "attempt": attempt.id,
        "question": question.id,
        "answered_at": utcnow().isoformat(),
        "fields": {},
    }

    response = client.post(SYNC, json=body, headers={"X-Sync-Token": token})

    assert response.status_code == 422
    assert _answers(attempt) == []


def test_the_page_kept_offline_holds_the_questions_not_yet_answered(
    client, login, learner, attempt
):
    login(learner)
    first, *rest = _steps(attempt)
    services.answer_question(db.session, attempt, first.question, right_answer(first.question))
    db.session.commit()

    page = client.get(f"/courses/vneid/quiz/{attempt.id}/offline").get_data(as_text=True)

    shown = [int(n) for n in re.findall(r'data-question="(\d+)"', page)]
    assert shown == [step.question.id for step in rest]
    assert "quiz-offline.js" in page
    ids = re.findall(r' id="([^"]+)"', page)
    assert len(ids) == len(set(ids))  # several questions' fields on one page stay apart


def test_the_page_kept_offline_is_only_the_learners_own(client, login, make_user, attempt):
    login(make_user(Role.LEARNER))

    assert client.get(f"/courses/vneid/quiz/{attempt.id}/offline").status_code == 404


def test_a_walkthrough_answered_offline_is_graded_from_its_taps(client, login, learner, course):
    login(learner)
    for seed in range(200):
        drawn = services.start_attempt(db.session, learner, course, random.Random(seed))
        walkthroughs = [s.question for s in _steps(drawn) if s.question.type == "walkthrough"]
        if walkthroughs:
            break
        db.session.delete(drawn)
        db.session.flush()
    db.session.commit()
    token = _sync_token(client, drawn)
    question = walkthroughs[0]

    response = _send(client, token, drawn, question, right_answer(question))

    assert response.status_code == 200 and response.get_json()["correct"] is True
    (row,) = _answers(drawn)
    assert row.answer == right_answer(question)
