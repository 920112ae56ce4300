"""Lessons without data: a course opened once reads with the network cut, and can be removed."""

import pytest
from playwright.sync_api import expect

from app.extensions import db
from courses.services import get_course, import_courses
from tests.e2e.journey import PHONE

SLUG = "vneid"


@pytest.fixture
def course():
    import_courses(db.session)
    db.session.commit()
    return get_course(db.session, SLUG)


def test_an_opened_course_reads_offline_and_can_be_removed(page, context, axe, screenshots, course):
    page.set_viewport_size(PHONE)
    page.goto(f"/courses/{SLUG}")
    saved = page.locator('.offline-box [data-state="saved"]')
    expect(saved).to_be_visible(timeout=15_000)
    page.evaluate("navigator.serviceWorker.ready")
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    axe(page)
    page.screenshot(path=str(screenshots / "offline-course-vi-360.png"), full_page=True)

    context.set_offline(True)
    for lesson in course.lessons:
        page.goto(f"/courses/{SLUG}/lessons/{lesson.slug}")
        expect(page.locator("article.lesson h1")).to_have_text(lesson.title["vi"])
    page.goto(f"/courses/{SLUG}")
    expect(saved).to_be_visible()

    # Removed from the phone: the lessons are gone offline, and opening the course keeps it so.
    page.locator('[data-state="saved"] [data-action="remove"]').click()
    expect(page.locator('.offline-box [data-state="removed"]')).to_be_visible()
    page.goto(f"/courses/{SLUG}/lessons/{course.lessons[1].slug}")
    expect(page.locator("body")).to_contain_text("You are offline, and this page was not saved")
    context.set_offline(False)
