"""A learner on a 360 px phone: reads a lesson, marks it done, fails the quiz, retries and
passes, opens the certificate and checks it through its public verification link.

The right answers are read from the database, as the quiz page never reveals them. Pages are
found by their structure (form actions, classes, values) so the journey reads the same in
Vietnamese and in English.
"""

import re

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.roles import Role
from courses.learning import services
from courses.services import get_course, import_courses
from courses.simulators import tappable_ids
from tests.e2e.journey import PHONE

SLUG = "online-payments"  # its bank holds every question type


@pytest.fixture
def course():
    import_courses(db.session)
    course = get_course(db.session, SLUG)
    course.quiz_size = len(course.questions)  # every type is asked, in a random order
    db.session.commit()
    return course


def _right(question):
    data = question.data
    if question.type == "walkthrough":
        return [step["answer"] for step in data["steps"]]
    return data["answer"]


def _wrong(question):
    data, right = question.data, _right(question)
    kind = question.type
    if kind == "single":
        return next(c["id"] for c in data["choices"] if c["id"] != right)
    if kind == "multiple":
        return right[:1] if len(right) > 1 else [c["id"] for c in data["choices"]]
    if kind == "true_false":
        return not right
    if kind == "scam_drill":
        return "safe" if right == "scam" else "scam"
    if kind == "ordering":
        return list(reversed(right))
    first = data["steps"][0]
    return [next(i for i in tappable_ids(first) if i != first["answer"])] + right[1:]


def _current_question(user, course):
    db.session.commit()  # end the read snapshot: see what the live server wrote
    attempt = services.open_attempt(db.session, user, course)
    return services.next_step(db.session, attempt).question


def _answer(page, question, answer, shots, axe, language):
    kind = question.type
    if kind not in shots:
        axe(page)
        name = "walkthrough-step" if kind == "walkthrough" else f"question-{kind}"
        page.screenshot(path=str(shots["dir"] / f"{name}-{language}-360.png"), full_page=True)
        shots[kind] = True
    if kind in ("single", "scam_drill"):
        page.locator(f'button[name="choice"][value="{answer}"]').click()
    elif kind == "true_false":
        page.locator(f'button[name="choice"][value="{str(answer).lower()}"]').click()
    elif kind == "multiple":
        for choice in answer:
            page.locator(f'input[name="choice"][value="{choice}"]').check()
        page.locator(".quiz-form button.button").click()
    elif kind == "ordering":
        for number, choice in enumerate(answer, 1):
            page.locator(f"#position-{number}").select_option(choice)
        page.locator(".quiz-form button.button").click()
    else:
        for number, tap in enumerate(answer):
            expect(page.locator(".sim-phone")).to_be_visible()
            if number == 1 and "walkthrough-2" not in shots:
                page.screenshot(
                    path=str(shots["dir"] / f"walkthrough-step2-{language}-360.png"),
                    full_page=True,
                )
                shots["walkthrough-2"] = True
            page.locator(f'.sim-phone button[name="tap"][value="{tap}"]').click()


def _take_quiz(page, user, course, right, shots, axe, language):
    page.locator(f'form[action="/courses/{SLUG}/quiz"] button').click()
    for _ in range(course.quiz_size):
        question = _current_question(user, course)
        _answer(
            page, question, _right(question) if right else _wrong(question), shots, axe, language
        )
        verdict = page.locator(".verdict")
        expect(verdict).to_have_class(re.compile("right" if right else "wrong"))
        key = f"feedback-{question.type}-{right}"
        if key not in shots and question.type in ("walkthrough", "scam_drill", "multiple"):
            axe(page)
            page.screenshot(
                path=str(shots["dir"] / f"feedback-{question.type}-{language}-360.png"),
                full_page=True,
            )
            shots[key] = True
        page.locator("main a.button").click()


@pytest.mark.parametrize("language", ["vi", "en"])
def test_learning_journey_to_a_verified_certificate(
    page, axe, screenshots, course, make_user, bo_de, language
):
    learner = make_user(Role.LEARNER, full_name="Lê Thị Hoa", home_commune=bo_de)
    db.session.commit()
    page.set_viewport_size(PHONE)
    page.goto("/")
    if language == "en":
        page.locator("header.site-header").get_by_role("button", name="English").click()
        expect(page.locator("html")).to_have_attribute("lang", "en")

    # Anonymous: the lesson is public and invites to sign in.
    first = course.lessons[0]
    page.goto(f"/courses/{SLUG}/lessons/{first.slug}")
    expect(page.locator(".invite")).to_be_visible()
    page.locator(".invite a").first.click()
    page.locator("#email").fill(learner.email)
    page.locator("#password").fill("correct horse battery")
    page.locator("main form button, main form input[type=submit]").last.click()
    expect(page).to_have_url(re.compile(rf"/courses/{SLUG}/lessons/{first.slug}$"))

    # Read the lesson and mark it done: the next lesson opens; the course page shows it.
    axe(page)
    page.locator("form.lesson-done button").click()
    expect(page).to_have_url(re.compile(rf"/lessons/{course.lessons[1].slug}$"))
    page.goto(f"/courses/{SLUG}")
    expect(page.locator(".list .tag.ok")).to_have_count(1)
    continue_link = page.locator(
        f'a.button[href="/courses/{SLUG}/lessons/{course.lessons[1].slug}"]'
    )
    expect(continue_link).to_be_visible()
    axe(page)

    # The quiz, answered wrongly: not mastered.
    page.goto(f"/courses/{SLUG}/quiz")
    axe(page)
    shots = {"dir": screenshots}
    _take_quiz(page, learner, course, False, shots, axe, language)
    expect(page.locator(".verdict.wrong")).to_be_visible()
    expect(page.locator(".score")).to_contain_text("0%")
    axe(page)

    # Retry, answered rightly: mastered, with a certificate.
    _take_quiz(page, learner, course, True, shots, axe, language)
    expect(page.locator(".verdict.right")).to_be_visible()
    expect(page.locator(".score")).to_contain_text("100%")
    page.screenshot(path=str(screenshots / f"quiz-result-{language}-360.png"), full_page=True)
    page.locator('main a.button[href^="/me/certificates/"]').click()
    certificate = page.locator("article.certificate")
    expect(certificate).to_contain_text("Lê Thị Hoa")
    expect(certificate).to_contain_text("Phường Bồ Đề")
    expect(certificate.locator("svg.qr")).to_be_visible()
    axe(page)
    page.screenshot(path=str(screenshots / f"certificate-{language}-360.png"), full_page=True)
    page.emulate_media(media="print")
    page.screenshot(path=str(screenshots / f"certificate-print-{language}.png"), full_page=True)
    page.emulate_media(media="screen")

    # The verification link printed under the QR opens the public page, signed in or not.
    url = page.locator("a.verify-url").inner_text()
    assert re.match(r"^http://127\.0\.0\.1:\d+/certificates/verify/", url)
    page.context.clear_cookies()
    page.goto(url)
    expect(page.locator(".verdict.right")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Lê Thị Hoa")
    expect(page.locator("main")).not_to_contain_text(learner.email)
    axe(page)
    page.screenshot(path=str(screenshots / f"verify-{language}-360.png"), full_page=True)
    tampered = page.goto(url[:-3] + "xyz")
    assert tampered.status == 404
    expect(page.locator(".verdict.wrong")).to_be_visible()

    # My learning (signed in again) shows the mastered course.
    if language == "en":
        return
    page.goto("/login")
    page.locator("#email").fill(learner.email)
    page.locator("#password").fill("correct horse battery")
    page.locator("main form button, main form input[type=submit]").last.click()
    page.goto("/me/learning")
    expect(page.locator(".cards .tag.ok")).to_be_visible()
    axe(page)
