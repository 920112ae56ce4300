"""A volunteer at a busy counter logs three assists on a cheap phone, one with the network cut."""

import re

from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.localtime import local_today
from app.roles import Role
from impact.assists.models import AssistedSubmission
from tests.e2e.journey import PHONE, choose, in_english, in_menu, signed_in

EMAIL = "tnv.binh@example.com"
PASSWORD = "correct horse battery"  # tests/conftest.PASSWORD


def _sign_in(page):
    page.goto("/")
    page.locator("header.site-header").get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.goto("/login")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Log in").click()
    signed_in(page)


def _rows(volunteer_id):
    db.session.commit()  # end the test's read transaction: see what the live server wrote
    return db.session.scalars(
        select(AssistedSubmission)
        .where(AssistedSubmission.volunteer_id == volunteer_id)
        .order_by(AssistedSubmission.occurred_at)
    ).all()


def test_three_assists_one_offline_reach_the_server(
    page, axe, screenshots, make_user, bo_de, service_point, procedures, on_duty
):
    volunteer = make_user(Role.VOLUNTEER, email=EMAIL, home_commune=bo_de, full_name="Trần Bình")
    volunteer_id = volunteer.id
    on_duty(volunteer)  # checked in at the counter's point: only then are their entries taken
    db.session.commit()
    page.set_viewport_size(PHONE)
    _sign_in(page)

    in_menu(page, "link", "Log an assist").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log an assist")
    expect(page.get_by_label("Service point")).to_have_value(str(service_point.id))
    count = page.locator("#queue-count")
    expect(count).to_have_text("0")
    axe(page)
    page.screenshot(path=str(screenshots / "assist-new-360.png"), full_page=True)

    # 1. Online: a birth registration found by typing without accents.
    page.get_by_label("Search procedures").fill("khai sinh")
    page.get_by_label("Procedure", exact=True).select_option("birth-registration")
    choose(page, "VNeID")
    choose(page, "Fully online")
    choose(page, "60 and over")
    page.locator("label.choice", has_text="Elderly or disabled").click()
    page.get_by_role("button", name="Save").click()
    recent = page.locator("#recent-list > li")
    expect(recent).to_have_count(1)
    expect(recent.first).to_contain_text("Birth registration")
    expect(count).to_have_text("0")

    # 2. The network drops: the entry waits on the phone.
    page.context.set_offline(True)
    choose(page, "Not submitted")
    expect(page.locator("#reason-group")).to_be_visible()
    choose(page, "Network down")
    choose(page, "Not yet")
    page.get_by_role("button", name="Save").click()
    expect(count).to_have_text("1")
    expect(page.locator("#queue-status")).to_contain_text("waiting to send")
    expect(page.locator("#assist-message")).to_contain_text("Waiting")
    page.screenshot(path=str(screenshots / "assist-offline-360.png"), full_page=True)
    assert len(_rows(volunteer_id)) == 1

    # The network returns: the waiting entry is sent by itself, and "waiting" goes with it.
    page.context.set_offline(False)
    expect(count).to_have_text("0", timeout=15000)
    expect(recent).to_have_count(2)
    expect(page.locator("#queue-status")).to_be_hidden()
    expect(page.locator("#assist-message")).not_to_contain_text("Waiting")
    # each entry says its day, not only its time
    expect(recent.first).to_contain_text(str(local_today().year))

    # 3. Online again, the choices still as last time except the outcome.
    choose(page, "Submitted")
    expect(page.locator("#reason-group")).to_be_hidden()
    choose(page, "Yes")
    page.get_by_role("button", name="Save").click()
    expect(recent).to_have_count(3)
    expect(count).to_have_text("0")
    axe(page)
    page.screenshot(path=str(screenshots / "assist-done-360.png"), full_page=True)
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the log screen scrolls sideways by {overflow}px at 360px"

    rows = _rows(volunteer_id)
    assert len(rows) == 3
    assert [str(r.outcome) for r in rows] == ["submitted", "not_submitted", "submitted"]
    assert [r.offline for r in rows] == [False, True, False]
    assert str(rows[1].reason) == "network_down"
    assert all(r.procedure.code == "birth-registration" and r.vulnerable for r in rows)

    # A reload shows the three entries, and the last one can be undone.
    page.reload()
    expect(recent).to_have_count(3)
    recent.first.get_by_role("button", name="Undo").click()
    expect(page.get_by_role("status").first).to_contain_text("Undone")
    assert _rows(volunteer_id)[2].voided_at is not None


def test_a_resident_asks_for_a_home_visit_and_the_coordinator_sends_two(
    page, axe, screenshots, make_user, bo_de
):
    coordinator = make_user(Role.COORDINATOR, commune=bo_de, email="dp.bode@example.com")
    make_user(Role.VOLUNTEER, home_commune=bo_de, full_name="Trần Thị Bình")
    make_user(Role.VOLUNTEER, home_commune=bo_de, full_name="Lê Văn Cường")
    db.session.commit()
    page.set_viewport_size(PHONE)
    in_english(page)

    page.goto("/home-support/request")
    axe(page)
    page.get_by_label("Province or city").select_option(label="Thành phố Hà Nội")
    page.get_by_label("Commune or ward").fill("bo de")
    page.get_by_label("Address").fill("Số 17 ngõ 42 phố Hồng Tiến")
    page.get_by_label("From which day").fill("2030-01-08")
    page.get_by_label("Time of day").select_option(label="Morning")
    page.get_by_label("What do you need help with?").fill("Cấp lại căn cước cho bà")
    page.screenshot(path=str(screenshots / "home-support-request-360.png"), full_page=True)
    page.get_by_role("button", name="Ask for a visit").click()
    expect(page.get_by_role("status")).to_contain_text("Your request is sent")

    page.goto("/login")
    page.get_by_label("Email").fill(coordinator.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Log in").click()
    in_menu(page, "link", "Home visit requests").click()
    page.get_by_role("link", name=re.compile(r"Request #\d+")).first.click()
    expect(page.locator("main")).to_contain_text("Số 17 ngõ 42 phố Hồng Tiến")
    page.get_by_label("First volunteer").select_option(label="Trần Thị Bình")
    page.get_by_label("Second volunteer").select_option(label="Lê Văn Cường")
    page.get_by_role("button", name="Assign").click()
    expect(page.get_by_role("status")).to_contain_text("Assigned")
    axe(page)
    page.screenshot(path=str(screenshots / "home-support-assigned-360.png"), full_page=True)
    page.get_by_role("button", name="Close and erase the address").click()
    expect(page.get_by_role("status")).to_contain_text("address erased")
