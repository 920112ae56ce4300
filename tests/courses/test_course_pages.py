"""The catalogue, a course and a lesson: public, readable without JavaScript, in both languages."""

import pytest

from app.extensions import db
from courses.services import import_courses


@pytest.fixture
def courses():
    import_courses(db.session)
    db.session.commit()


def test_catalogue_is_in_vietnamese_by_default_grouped_by_audience(client, courses):
    html = client.get("/courses").get_data(as_text=True)
    assert "Kích hoạt và dùng VNeID an toàn" in html
    assert "Activating and using VNeID safely" not in html
    assert html.count('<section aria-labelledby="audience-') == 3
    assert html.index("audience-resident") < html.index("audience-officer")
    assert html.index("audience-officer") < html.index("audience-volunteer")


def test_catalogue_is_in_english_with_the_language_cookie(client, courses):
    client.set_cookie("lang", "en")
    html = client.get("/courses").get_data(as_text=True)
    assert "Activating and using VNeID safely" in html
    assert "Kích hoạt và dùng VNeID an toàn" not in html


def test_course_page_lists_its_lessons_in_order(client, courses):
    html = client.get("/courses/vneid").get_data(as_text=True)
    links = [
        "/courses/vneid/lessons/what-is-vneid",
        "/courses/vneid/lessons/activate",
        "/courses/vneid/lessons/security",
    ]
    positions = [html.index(f'href="{link}"') for link in links]
    assert positions == sorted(positions)
    assert "Luật Căn cước 2023" in html


def test_lesson_page_renders_markdown_with_previous_and_next(client, courses):
    response = client.get("/courses/vneid/lessons/activate")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert len(response.data) < 50_000
    assert "<h2>" in html and "<script>" not in html  # only listen.js, by src
    assert 'href="/courses/vneid/lessons/what-is-vneid" rel="prev"' in html
    assert 'href="/courses/vneid/lessons/wallet-and-services" rel="next"' in html


def test_lesson_page_follows_the_language_cookie(client, courses):
    client.set_cookie("lang", "en")
    html = client.get("/courses/vneid/lessons/what-is-vneid").get_data(as_text=True)
    assert "What is VNeID? Level 1 and level 2 accounts" in html
    assert 'rel="prev"' not in html


def test_every_lesson_page_is_under_50_kb(client, courses):
    from sqlalchemy import select

    from courses.models import Lesson

    for lesson in db.session.scalars(select(Lesson)):
        url = f"/courses/{lesson.course.slug}/lessons/{lesson.slug}"
        for language in ("vi", "en"):
            client.set_cookie("lang", language)
            response = client.get(url)
            assert response.status_code == 200 and len(response.data) < 50_000, url


def test_unknown_course_or_lesson_is_not_found(client, courses):
    assert client.get("/courses/no-such-course").status_code == 404
    assert client.get("/courses/vneid/lessons/no-such-lesson").status_code == 404
