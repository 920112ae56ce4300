"""A coordinator watches the impact dashboard change as volunteers log assisted submissions."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from app.database import utcnow
from app.extensions import db
from app.localtime import local_today
from impact.assists.services import record_assist
from tests.conftest import PASSWORD
from tests.e2e.journey import PHONE, in_menu


@pytest.fixture
def log_assist(coordinator, assist_entry):
    # logged by Bồ Đề's coordinator at the counter: a volunteer would need a shift and a check-in
    db.session.commit()

    def log(**fields):
        now = utcnow()
        data = assist_entry(occurred_at=(now - timedelta(minutes=5)).isoformat(), **fields)
        record_assist(db.session, coordinator, data, now=now)
        db.session.commit()

    return log


def test_the_dashboard_counts_each_new_submission(page, axe, screenshots, coordinator, log_assist):
    log_assist()
    log_assist(outcome="not_submitted", reason="network_down", level="partly_online")
    db.session.commit()
    page.set_viewport_size(PHONE)
    page.goto("/login")
    page.get_by_label("Email").fill(coordinator.email)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Đăng nhập").click()

    in_menu(page, "link", "Hiệu quả").click()
    total = page.locator(".figures li").first
    expect(total).to_contain_text("2")
    expect(page.get_by_role("table").filter(has_text="Mạng mất hoặc nghẽn")).to_be_visible()
    axe(page)
    page.screenshot(path=str(screenshots / "impact-360.png"), full_page=True)

    log_assist()
    page.reload()
    expect(total).to_contain_text("3")

    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=str(screenshots / "impact-desktop.png"), full_page=True)


def test_the_public_page_shows_the_province_without_names(page, axe, volunteer, log_assist):
    log_assist()
    page.goto(f"/provinces/01/impact?end={local_today().isoformat()}")

    expect(page.get_by_role("heading", level=1)).to_contain_text("Hà Nội")
    expect(page.locator(".figures li").first).to_contain_text("1")
    expect(page.locator("main")).not_to_contain_text(volunteer.full_name)
    axe(page)
