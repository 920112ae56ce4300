"""The foundation journey on a cheap phone: language, registration, sign-in, finding a ward."""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.journey import PHONE, in_menu, signed_in

EMAIL = "an.nguyen@example.com"
VIETNAMESE_ONLY = ["Đăng nhập", "Đăng ký", "Tỉnh"]


def header(page):
    return page.locator("header.site-header")


def switch_to_english(page, axe):
    page.goto("/")
    axe(page)
    header(page).get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    axe(page)


def test_volunteer_journey_at_360px(page, axe, screenshots):
    page.set_viewport_size(PHONE)

    # Vietnamese by default.
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(in_menu(page, "link", "Đăng nhập", exact=True)).to_be_visible()
    expect(in_menu(page, "link", "Đăng ký", exact=True)).to_be_visible()
    axe(page)
    page.screenshot(path=str(screenshots / "home-vi-360.png"), full_page=True)

    # Switch to English with the header button.
    header(page).get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(in_menu(page, "link", "Log in", exact=True)).to_be_visible()
    axe(page)

    # Register a volunteer, filling the form by its labels.
    in_menu(page, "link", "Register", exact=True).click()
    expect(page).to_have_url(re.compile(r"/register$"))
    axe(page)
    page.get_by_label("Full name").fill("Nguyễn Văn An")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Phone").fill("0912 345 678")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat the password").fill(PASSWORD)
    page.get_by_label("Youth-union branch or university").fill("Đoàn phường Bồ Đề")
    page.get_by_label("Home province or city").select_option(label="Thành phố Hà Nội")
    page.get_by_label("Home commune or ward").fill("bo de")
    page.get_by_label("Information technology").check()
    page.screenshot(path=str(screenshots / "register-360.png"), full_page=True)
    page.locator("main").get_by_role("button", name="Register").click()
    # The same answer whether the email had an account (docs/SECURITY.md): the news is mailed.
    expect(page.get_by_role("status")).to_contain_text(f"A message is on its way to {EMAIL}")
    expect(page).to_have_url(re.compile(r"/login$"))
    axe(page)

    # Log in with the new account.
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Log in").click()
    signed_in(page)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    axe(page)

    # Log out.
    in_menu(page, "button", "Log out").click()
    expect(page.get_by_role("status")).to_contain_text("You are signed out.")
    expect(in_menu(page, "link", "Log in", exact=True)).to_be_visible()
    axe(page)

    # Log in again.
    in_menu(page, "link", "Log in", exact=True).click()
    axe(page)
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Log in").click()
    signed_in(page)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    axe(page)

    # Places → Thành phố Hà Nội → search "bo de".
    in_menu(page, "link", "Places").click()
    axe(page)
    page.get_by_role("link", name="Thành phố Hà Nội", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thành phố Hà Nội")
    axe(page)
    page.get_by_label("Find a commune or ward").fill("bo de")
    page.get_by_role("search").get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"[?&]q=bo\+de"))
    expect(page.get_by_role("link", name="Phường Bồ Đề")).to_be_visible()
    axe(page)

    page.screenshot(path=str(screenshots / "foundation-360.png"), full_page=True)
    # Nothing may overflow sideways on a 360 px phone.
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px at 360px"


@pytest.mark.parametrize("path", ["/", "/login", "/register"])
def test_english_leaves_no_vietnamese_only_label(page, axe, path):
    switch_to_english(page, axe)
    page.goto(path)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    axe(page)
    for text in VIETNAMESE_ONLY:
        expect(page.get_by_text(text)).to_have_count(0)
