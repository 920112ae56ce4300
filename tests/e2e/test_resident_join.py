"""A resident joins on a cheap phone with a name and a commune typed without accents, keeps the
personal code, reads a lesson in large text (with the listen button on a device that has a
voice), then resumes on another device with the code: in Vietnamese, then in English."""

import re

import pytest
from flask_babel import force_locale, gettext
from playwright.sync_api import expect

from app.extensions import db
from courses.services import import_courses
from tests.e2e.journey import PHONE, in_menu

NAMES = {"vi": "Bà Nguyễn Thị Lan", "en": "Trần Văn Minh"}
LESSON = "/courses/vneid/lessons/activate"
# Pages a resident or an officer meets, checked at 360 px with large text on.
PAGES = [
    "/",
    "/learn/join",
    "/learn/resume",
    "/register/officer",
    "/courses",
    "/courses/vneid",
    LESSON,
    "/learn/code",
    "/profile",
    "/provinces",
    "/provinces/01",
    "/login",
    "/register",
    "/password/forgot",
]

# A device with a Vietnamese and an English voice: speech is recorded instead of spoken.
FAKE_VOICES = """
(() => {
  const spoken = [];
  const listeners = {};
  const synth = {
    paused: false, speaking: false, spoken,
    getVoices: () => [{lang: "vi-VN", name: "Giọng Việt"}, {lang: "en-US", name: "English"}],
    speak(u) { spoken.push(u.text + "|" + u.lang); this.speaking = true; },
    cancel() { this.speaking = false; this.paused = false; },
    pause() { this.paused = true; },
    resume() { this.paused = false; },
    addEventListener(name, fn) { listeners[name] = fn; },
  };
  Object.defineProperty(window, "speechSynthesis", {value: synth, configurable: true});
  window.SpeechSynthesisUtterance = function (text) { this.text = text; };
})();
"""


@pytest.fixture
def courses():
    import_courses(db.session)
    db.session.commit()


def t(live_app, language, msgid, **values):
    """A message as the site shows it in that language (whatever the catalogue holds)."""
    with live_app.test_request_context(), force_locale(language):
        return gettext(msgid, **values)


def _no_sideways_scroll(page):
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px at 360px"


@pytest.mark.parametrize("language", ["vi", "en"])
def test_resident_joins_reads_in_large_text_and_resumes_on_another_device(
    page, browser, base_url, live_app, axe, screenshots, courses, language
):
    name = NAMES[language]
    page.set_viewport_size(PHONE)
    page.add_init_script(FAKE_VOICES)
    page.goto("/")
    if language == "en":
        page.locator("header").get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", language)

    # Join in one step from the home page.
    page.locator("main").get_by_role("link", name=t(live_app, language, "Start learning")).click()
    expect(page).to_have_url(re.compile(r"/learn/join$"))
    axe(page)
    page.get_by_label(t(live_app, language, "Your name")).fill(name)
    page.get_by_label(t(live_app, language, "Province or city")).select_option(
        label="Thành phố Hà Nội"
    )
    page.get_by_label(t(live_app, language, "Commune or ward")).fill("bo de")
    page.screenshot(path=str(screenshots / f"learn-join-{language}-360.png"), full_page=True)
    page.locator("main").get_by_role("button", name=t(live_app, language, "Start learning")).click()

    # The code, once, and the QR.
    expect(page).to_have_url(re.compile(r"/learn/code$"))
    code = page.locator("#personal-code").inner_text()
    assert re.fullmatch(r"[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}", code)
    expect(page.locator("svg.qr")).to_be_visible()
    expect(page.locator(".code-card")).to_contain_text(name)
    expect(page.locator(".code-card")).to_contain_text("Phường Bồ Đề")
    expect(page.get_by_role("button", name=t(live_app, language, "Print the card"))).to_be_visible()
    axe(page)
    page.screenshot(path=str(screenshots / f"learn-code-{language}-360.png"), full_page=True)

    # Large text on, then a lesson: readable, the listen button there, nothing sideways.
    in_menu(page, "button", t(live_app, language, "Large text")).click()
    expect(page.locator("html")).to_have_class("large-text")
    expect(page.locator("header form.text-size button")).to_have_attribute("aria-pressed", "true")
    page.goto(LESSON)
    expect(page.locator("html")).to_have_class("large-text")
    font = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    assert font == 20  # 125% of 16 px
    listen = page.get_by_role("button", name=t(live_app, language, "Listen"), exact=True)
    expect(listen).to_be_visible()
    axe(page)
    page.screenshot(
        path=str(screenshots / f"learn-lesson-large-{language}-360.png"), full_page=True
    )
    _no_sideways_scroll(page)
    listen.click()
    expect(
        page.get_by_role("button", name=t(live_app, language, "Pause"), exact=True)
    ).to_be_visible()
    spoken = page.evaluate("window.speechSynthesis.spoken")
    heading = page.locator("h1").inner_text()
    assert spoken[0] == f"{heading}|{'vi-VN' if language == 'vi' else 'en-US'}"
    assert len(spoken) > 3
    page.get_by_role("button", name=t(live_app, language, "Stop"), exact=True).click()
    expect(listen).to_be_visible()

    # Every page a learner meets stays usable at 360 px with large text on.
    for path in PAGES:
        page.goto(path)
        expect(page.locator("html")).to_have_class("large-text")
        _no_sideways_scroll(page)
    page.goto("/learn/code")
    page.screenshot(path=str(screenshots / f"learn-code-again-{language}-360.png"), full_page=True)
    expect(page.locator("#personal-code")).to_have_count(0)  # shown once only

    # Another phone: type the code, be the same person.
    other = browser.new_context(base_url=base_url, bypass_csp=True, viewport=PHONE)
    try:
        second = other.new_page()
        second.goto("/learn/resume")
        if language == "en":
            second.locator("header").get_by_role("button", name="English").click()
        expect(second.locator("html")).to_have_attribute("lang", language)  # the page came back
        axe(second)
        second.get_by_label(t(live_app, language, "Your personal code")).fill(code.lower())
        second.screenshot(
            path=str(screenshots / f"learn-resume-{language}-360.png"), full_page=True
        )
        second.locator("main").get_by_role(
            "button", name=t(live_app, language, "Continue learning")
        ).click()
        expect(second.get_by_role("status")).to_contain_text(
            t(live_app, language, "Welcome back, %(name)s!", name=name)
        )
        expect(second.locator("html")).not_to_have_class("large-text")  # a setting of the device
        second.goto("/learn/code")
        expect(second.locator(".code-card")).to_contain_text(name)
        axe(second)
    finally:
        other.close()


def test_the_listen_button_stays_hidden_without_a_voice(page, courses):
    page.set_viewport_size(PHONE)
    page.add_init_script(FAKE_VOICES.replace('{lang: "vi-VN", name: "Giọng Việt"}, ', ""))
    page.goto(LESSON)  # Vietnamese page, only an English voice
    expect(page.locator("[data-listen]")).to_be_hidden()
    expect(page.locator("article h1")).to_be_visible()


def test_officer_registers_at_360px(page, live_app, axe, screenshots):
    page.set_viewport_size(PHONE)
    page.goto("/register/officer")
    axe(page)
    page.get_by_label(t(live_app, "vi", "Full name")).fill("Lê Văn Hùng")
    page.get_by_label("Email").fill("hung.le@example.com")
    page.get_by_label(t(live_app, "vi", "Password"), exact=True).fill("a long enough password")
    page.get_by_label(t(live_app, "vi", "Repeat the password")).fill("a long enough password")
    page.get_by_label(t(live_app, "vi", "Province or city")).select_option(label="Thành phố Hà Nội")
    page.get_by_label(t(live_app, "vi", "Commune or ward")).fill("bo de")
    page.get_by_label(t(live_app, "vi", "Position"), exact=True).fill("Công chức Tư pháp – Hộ tịch")
    page.screenshot(path=str(screenshots / "officer-register-vi-360.png"), full_page=True)
    page.locator("main").get_by_role("button", name=t(live_app, "vi", "Register")).click()
    # the same answer whether the email had an account: the welcome comes by mail
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.get_by_role("status")).to_contain_text("hung.le@example.com")
    _no_sideways_scroll(page)
