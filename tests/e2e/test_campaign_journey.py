"""A ward coordinator on a phone creates a campaign, generates its shifts and sees the count."""

import re

from playwright.sync_api import expect

from app.extensions import db
from tests.conftest import PASSWORD
from tests.e2e.journey import PHONE, in_menu


def test_coordinator_creates_a_campaign_and_generates_shifts_at_360px(
    page, axe, screenshots, coordinator, service_point
):
    db.session.commit()  # the live server reads the same database
    page.set_viewport_size(PHONE)
    page.goto("/")
    page.locator("header.site-header").get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.goto("/login")
    page.get_by_label("Email").fill(coordinator.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Log in").click()

    in_menu(page, "link", "Campaigns").click()
    expect(page).to_have_url(re.compile(r"/campaigns$"))
    expect(page.get_by_text("No campaign in your scope yet.")).to_be_visible()
    axe(page)

    page.get_by_role("link", name="New campaign").click()
    expect(page.get_by_label("Shift 1 starts")).to_have_value("07:30")
    expect(page.get_by_label("Maximum volunteers per shift")).to_have_value("8")
    page.get_by_label("Name of the campaign").fill("45 ngày đêm Bồ Đề")
    page.get_by_label("First day").fill("2030-01-07")
    page.get_by_label("Last day").fill("2030-01-13")
    page.get_by_label("Phường Bồ Đề").check()
    page.get_by_label("Sunday").uncheck()
    axe(page)
    page.screenshot(path=str(screenshots / "campaign-form-360.png"), full_page=True)
    page.locator("main").get_by_role("button", name="Save").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("45 ngày đêm Bồ Đề")
    expect(page.locator("#shift-count")).to_have_text("0 active shifts")
    page.get_by_role("button", name="Generate shifts").click()
    # Monday to Saturday, two shifts a day, one service point
    expect(page.get_by_role("status")).to_contain_text("12 shifts added.")
    expect(page.locator("#shift-count")).to_have_text("12 active shifts")
    axe(page)
    page.screenshot(path=str(screenshots / "campaign-detail-360.png"), full_page=True)

    page.get_by_role("button", name="Generate shifts").click()
    expect(page.get_by_role("status")).to_contain_text("0 shifts added.")
    expect(page.locator("#shift-count")).to_have_text("12 active shifts")
    # nothing scrolls sideways on a 360 px phone (measured once the page and its stylesheet have
    # loaded: the status above shows as soon as the HTML has, and unstyled the page is wider)
    page.wait_for_load_state("load")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_a_city_coordinator_finds_a_ward_among_126_by_typing(
    page, axe, screenshots, province_coordinator
):
    db.session.commit()
    page.set_viewport_size(PHONE)
    page.goto("/login")
    page.get_by_label("Email").fill(province_coordinator.email)
    page.get_by_label("Mật khẩu", exact=True).fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Đăng nhập").click()
    page.goto("/campaigns/new")
    communes = page.locator("#commune-list li")
    expect(communes).to_have_count(126)
    page.get_by_role("searchbox").fill("bo de")
    expect(communes.filter(visible=True)).to_have_count(1)
    expect(communes.filter(visible=True)).to_contain_text("Phường Bồ Đề")
    axe(page)
    page.screenshot(path=str(screenshots / "campaign-communes-filter-360.png"), full_page=False)
