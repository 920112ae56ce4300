"""A simulator at 360 px: a wrong tap outlines where to look, the right taps reach the end."""

import re

import pytest
from playwright.sync_api import expect

from app.extensions import db
from courses.services import get_course, import_courses
from courses.simulators import tappable_ids
from tests.e2e.journey import PHONE

SLUG, KEY = "vneid", "judicial-record-walkthrough"


@pytest.fixture
def simulator():
    import_courses(db.session)
    db.session.commit()
    course = get_course(db.session, SLUG)
    return next(q for q in course.questions if q.key == KEY)


@pytest.mark.parametrize("language", ["vi", "en"])
def test_a_simulator_is_done_by_taps_alone_on_a_small_phone(
    page, axe, screenshots, simulator, language
):
    steps = simulator.data["steps"]
    page.set_viewport_size(PHONE)
    page.goto("/")
    if language == "en":
        page.locator("header.site-header").get_by_role("button", name="English").click()
        expect(page.locator("html")).to_have_attribute("lang", "en")

    # From the lesson that teaches the procedure to its simulator.
    page.goto(f"/courses/{SLUG}/lessons/{simulator.data['lesson']}")
    page.locator(f'a[href="/courses/{SLUG}/simulators/{KEY}"]').click()
    phone = page.locator(".sim-phone")
    expect(phone).to_be_visible()
    axe(page)
    page.wait_for_load_state("load")  # the stylesheet too: unstyled, the page is wider
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    for target in phone.locator('button[name="tap"]').all():
        box = target.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44, target.inner_text()
    page.screenshot(path=str(screenshots / f"simulator-{language}-360.png"), full_page=True)

    # A wrong tap: the same step, the hint, and the target's row outlined.
    first = steps[0]
    wrong = next(i for i in tappable_ids(first) if i != first["answer"])
    phone.locator(f'button[name="tap"][value="{wrong}"]').click()
    expect(page.locator(".step-feedback.wrong")).to_contain_text(first["hint"][language])
    expect(page.locator(f'.sim-look[value="{first["answer"]}"]')).to_be_visible()
    axe(page)
    page.screenshot(path=str(screenshots / f"simulator-hint-{language}-360.png"), full_page=True)

    # The right taps, each followed by its explanation, to the end.
    for step in steps:
        page.locator(f'.sim-phone button[name="tap"][value="{step["answer"]}"]').click()
        expect(page.locator(".step-feedback.right")).to_contain_text(
            step["explanation"][language][:40]
        )
    expect(page.locator(".verdict.right")).to_be_visible()
    expect(page.locator("main a.button")).to_have_attribute(
        "href", re.compile(rf"/courses/{SLUG}/simulators/{KEY}$")
    )
