"""The quiz without data: a question answered with the network cut waits on the phone, shown as
waiting, and is recorded once the network returns."""

import random

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from courses.learning import services
from courses.learning.models import QuizAnswer
from courses.services import get_course, import_courses
from tests.e2e.journey import PHONE, eventually, fill_login

SLUG = "vneid"
#: the view the kept answers are sent to (courses/learning/views.py)
SYNC = "learning.sync"
#: question types answered with one tap on a choice button
ONE_TAP = ("single", "true_false", "scam_drill")


@pytest.fixture
def attempt(learner):
    """The learner's attempt, drawn so that its first question is answered with one tap and its
    second is a walkthrough (a practice screen)."""
    import_courses(db.session)
    course = get_course(db.session, SLUG)
    for seed in range(500):
        drawn = services.start_attempt(db.session, learner, course, random.Random(seed))
        first, second = (s.question.type for s in services.questions_of(db.session, drawn)[:2])
        if first in ONE_TAP and second == "walkthrough":
            db.session.commit()
            return drawn
        db.session.delete(drawn)
        db.session.flush()
    raise AssertionError("no draw starts with a one-tap question and a walkthrough")


def test_a_quiz_answer_given_offline_waits_and_is_recorded_when_the_network_returns(
    page, context, base_url, live_app, monkeypatch, axe, screenshots, learner, attempt
):
    context.add_cookies([{"name": "lang", "value": "en", "url": base_url}])
    page.set_viewport_size(PHONE)
    page.goto("/login")
    fill_login(page, learner)
    page.goto(f"/courses/{SLUG}")
    expect(page.locator('.offline-box [data-state="saved"]')).to_be_visible(timeout=15_000)
    page.wait_for_function("navigator.serviceWorker.controller !== null")

    # The quiz page keeps the attempt's remaining questions on the phone.
    page.goto(f"/courses/{SLUG}/quiz")
    pack = f"/courses/{SLUG}/quiz/{attempt.id}/offline"
    eventually(
        page, f"caches.open('caunoi-course-{SLUG}').then(c => c.match('{pack}')).then(Boolean)"
    )

    # The network drops: the answer is kept, and the next question is shown from the phone.
    context.set_offline(True)
    # Chromium applies the emulation to a page loaded from the service worker a moment late, and
    # neither it nor Playwright's routing holds back that page's requests: a sync started then
    # reached the server. The server's sync answers as an unreachable one would, meanwhile.
    monkeypatch.setitem(live_app.view_functions, SYNC, lambda slug: ("", 503))
    page.wait_for_function("!navigator.onLine")  # the phone knows it lost the network
    page.locator("form.quiz-form button.choice").first.click()
    expect(page).to_have_url(f"{base_url}{pack}")
    waiting = page.locator("#quiz-queue-status")
    expect(waiting).to_have_text("1 answer waiting to send")
    first, second = services.questions_of(db.session, attempt)[:2]
    expect(page.locator(f'[data-question="{first.question.id}"]')).to_be_hidden()
    walkthrough = page.locator(f'[data-question="{second.question.id}"]')
    expect(walkthrough).to_be_visible()
    axe(page)
    page.screenshot(path=str(screenshots / "quiz-offline-360.png"), full_page=True)

    # The walkthrough's screens follow one another on the phone; the taps wait with the rest.
    for screen in second.question.data["steps"]:
        walkthrough.locator(f'.walkthrough-step:visible button[value="{screen["answer"]}"]').click()
    expect(waiting).to_have_text("2 answers waiting to send")
    expect(walkthrough).to_be_hidden()
    db.session.rollback()
    assert db.session.scalar(select(QuizAnswer)) is None

    # The network returns: the answers are sent by themselves, once each.
    monkeypatch.undo()
    context.set_offline(False)
    expect(waiting).to_have_text("Your answers were sent and counted.", timeout=15_000)
    db.session.rollback()  # see what the live server wrote
    answers = db.session.scalars(select(QuizAnswer).order_by(QuizAnswer.id)).all()
    assert [(a.attempt_id, a.question_id) for a in answers] == [
        (attempt.id, first.question.id),
        (attempt.id, second.question.id),
    ]
    assert all(a.client_id for a in answers)
    assert answers[1].correct  # the right element tapped at every step
