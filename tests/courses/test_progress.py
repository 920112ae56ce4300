"""Lesson progress: "Done, next lesson", done marks, continue where one left off, re-import."""

import shutil

import pytest
from sqlalchemy import func, select

from app.extensions import db
from courses.learning import services
from courses.learning.models import LessonProgress
from courses.services import CONTENT_ROOT, get_course, import_courses


@pytest.fixture
def course():
    import_courses(db.session)
    db.session.commit()
    return get_course(db.session, "vneid")


def test_done_opens_the_next_lesson_and_is_recorded_once(client, login, course, learner):
    first, second = course.lessons[0], course.lessons[1]
    login(learner)
    url = f"/courses/vneid/lessons/{first.slug}/done"
    response = client.post(url)
    assert response.status_code == 302
    assert response.location.endswith(f"/courses/vneid/lessons/{second.slug}")
    client.post(url)
    assert db.session.scalar(select(func.count()).select_from(LessonProgress)) == 1


def test_done_on_the_last_lesson_opens_the_quiz(client, login, course, volunteer):
    login(volunteer)
    response = client.post(f"/courses/vneid/lessons/{course.lessons[-1].slug}/done")
    assert response.location.endswith("/courses/vneid/quiz")


def test_course_page_marks_lessons_done_and_continues_at_the_first_unfinished(
    client, login, course, coordinator
):
    lessons = course.lessons
    services.mark_lesson_done(db.session, coordinator, lessons[0])
    services.mark_lesson_done(db.session, coordinator, lessons[2])
    login(coordinator)
    client.set_cookie("lang", "en")
    html = client.get("/courses/vneid").get_data(as_text=True)
    assert html.count("✓ Done") == 2
    assert "Continue where you left off" in html
    assert f'class="button" href="/courses/vneid/lessons/{lessons[1].slug}"' in html


def test_when_every_lesson_is_done_continue_leads_to_the_quiz(client, login, course, learner):
    for lesson in course.lessons:
        services.mark_lesson_done(db.session, learner, lesson)
    login(learner)
    html = client.get("/courses/vneid").get_data(as_text=True)
    assert 'class="button" href="/courses/vneid/quiz"' in html


def test_anonymous_readers_read_lessons_and_are_invited_to_sign_in(client, course):
    client.set_cookie("lang", "en")
    response = client.get(f"/courses/vneid/lessons/{course.lessons[0].slug}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Log in or register to save your progress" in html
    assert "Done, next lesson" not in html
    refused = client.post(f"/courses/vneid/lessons/{course.lessons[0].slug}/done")
    assert refused.status_code == 302 and "/login" in refused.location


def test_progress_survives_a_reimport_of_changed_content(course, learner, tmp_path):
    lesson = course.lessons[0]
    services.mark_lesson_done(db.session, learner, lesson)
    db.session.commit()
    root = tmp_path / "content"
    shutil.copytree(CONTENT_ROOT, root)
    path = next((root / "vneid").glob(f"01-{lesson.slug}.en.md"))
    path.write_text(path.read_text() + "\nOne more corrected sentence.\n")
    counts = import_courses(db.session, root)
    db.session.commit()
    assert counts["lessons"]["updated"] == 1
    assert services.done_lesson_ids(db.session, learner, course) == {lesson.id}


def test_my_learning_lists_started_courses_with_progress(client, login, course, learner):
    services.mark_lesson_done(db.session, learner, course.lessons[0])
    login(learner)
    client.set_cookie("lang", "en")
    html = client.get("/me/learning").get_data(as_text=True)
    assert "Activating and using VNeID safely" in html
    assert f"1 of {len(course.lessons)} lessons done" in html
    assert "Quiz not taken yet" in html
    assert "Public Service Portal" not in html
    assert 'href="/me/learning"' in html  # the header's nav item
