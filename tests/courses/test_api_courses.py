"""GET /api/v1/courses and /api/v1/courses/{slug}: the catalogue with the caller's progress."""

import pytest

from app.extensions import db
from courses.learning import services
from courses.services import get_course, import_courses


@pytest.fixture
def course():
    import_courses(db.session)
    db.session.commit()
    return get_course(db.session, "vneid")


def _right(question):
    data = question.data
    if question.type == "walkthrough":
        return [step["answer"] for step in data["steps"]]
    return data["answer"]


def test_catalogue_in_the_requests_language_with_progress(client, bearer, course, learner):
    services.mark_lesson_done(db.session, learner, course.lessons[0])
    response = client.get("/api/v1/courses", headers=bearer(learner, "en"))
    assert response.status_code == 200
    courses = response.get_json()
    assert len(courses) == 9
    vneid = next(c for c in courses if c["slug"] == "vneid")
    assert vneid["title"] == "Activating and using VNeID safely"
    assert vneid["audience"] == "resident"
    assert vneid["lessons_count"] == len(course.lessons)
    assert vneid["minutes"] == course.minutes
    assert vneid["progress"] == {"lessons_done": 1, "mastered": False, "best_score": None}
    other = next(c for c in courses if c["slug"] != "vneid")
    assert other["progress"]["lessons_done"] == 0


def test_catalogue_in_vietnamese(client, bearer, course, learner):
    courses = client.get("/api/v1/courses", headers=bearer(learner, "vi")).get_json()
    vneid = next(c for c in courses if c["slug"] == "vneid")
    assert vneid["title"] == "Kích hoạt và dùng VNeID an toàn"


def test_one_course_lists_lessons_done_and_mastery(client, bearer, course, volunteer):
    services.mark_lesson_done(db.session, volunteer, course.lessons[1])
    attempt = services.start_attempt(db.session, volunteer, course)
    for step in services.questions_of(db.session, attempt):
        services.answer_question(db.session, attempt, step.question, _right(step.question))
    response = client.get("/api/v1/courses/vneid", headers=bearer(volunteer, "en"))
    assert response.status_code == 200
    body = response.get_json()
    assert [lesson["slug"] for lesson in body["lessons"]] == [x.slug for x in course.lessons]
    assert [lesson["done"] for lesson in body["lessons"]][:3] == [False, True, False]
    assert body["progress"] == {"lessons_done": 1, "mastered": True, "best_score": 100}


def test_progress_is_the_callers_own(client, bearer, course, learner, volunteer):
    services.mark_lesson_done(db.session, volunteer, course.lessons[0])
    body = client.get("/api/v1/courses/vneid", headers=bearer(learner)).get_json()
    assert body["progress"]["lessons_done"] == 0
    assert not any(lesson["done"] for lesson in body["lessons"])


def test_unknown_course_is_a_json_404(client, bearer, course, learner):
    response = client.get("/api/v1/courses/nope", headers=bearer(learner, "en"))
    assert response.status_code == 404
    assert response.get_json() == {"error": "not_found", "message": "No course has this name."}


def test_a_token_is_needed(client, course, login, learner):
    assert client.get("/api/v1/courses").status_code == 401
    login(learner)  # a browser session cookie is not enough
    assert client.get("/api/v1/courses/vneid").status_code == 401
