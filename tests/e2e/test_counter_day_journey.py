"""A shift at the counter from end to end: the poster's QR, check-in, three assisted submissions
(one while the network is down), check-out, and the coordinator's dashboard counting them."""

from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from app.database import utcnow
from app.extensions import db
from app.localtime import local_today
from impact.assists.models import AssistedSubmission
from scheduling.checkin.models import Attendance
from tests.e2e.journey import PHONE, choose, fill_login, in_english, sign_in


def test_a_shift_at_the_counter_shows_on_the_dashboard(
    browser,
    page,
    base_url,
    axe,
    screenshots,
    coordinator,
    volunteer,
    service_point,
    make_shift,
    procedures,
):
    make_shift(utcnow().replace(microsecond=0) - timedelta(minutes=10), booked=[volunteer])
    db.session.commit()
    volunteer_id = volunteer.id

    # The coordinator looks at today's figures, then prints the poster.
    in_english(page)
    sign_in(page, coordinator)
    today = local_today().isoformat()
    dashboard = f"/impact?start={today}&end={today}"
    page.goto(dashboard)
    dossiers = page.locator(".figures li").first
    expect(dossiers).to_contain_text("0")
    page.goto(f"/service-points/{service_point.id}/poster")
    url = page.locator(".poster-url").inner_text().strip()

    # The volunteer's phone opens the QR, signs in and checks in with one tap.
    phone = browser.new_context(viewport=PHONE, bypass_csp=True, base_url=base_url)
    phone.add_cookies([{"name": "lang", "value": "en", "url": base_url}])
    mobile = phone.new_page()
    mobile.goto(url)
    fill_login(mobile, volunteer)
    mobile.get_by_role("button", name="Check in").click()
    expect(mobile.get_by_role("status")).to_contain_text("You are checked in.")
    checked_in_at = mobile.url

    # From the check-in, the log screen, with the point of the shift already chosen.
    mobile.locator("main").get_by_role("link", name="Log an assist").click()
    expect(mobile.get_by_label("Service point")).to_have_value(str(service_point.id))
    waiting = mobile.locator("#queue-count")
    recent = mobile.locator("#recent-list > li")

    mobile.get_by_label("Search procedures").fill("ly lich tu phap")
    mobile.get_by_label("Procedure", exact=True).select_option("criminal-record-vneid")
    choose(mobile, "VNeID")
    choose(mobile, "Fully online")
    choose(mobile, "60 and over")
    mobile.get_by_role("button", name="Save").click()
    expect(recent).to_have_count(1)

    phone.set_offline(True)
    choose(mobile, "Not submitted")
    choose(mobile, "Network down")
    mobile.get_by_role("button", name="Save").click()
    expect(waiting).to_have_text("1")
    phone.set_offline(False)
    expect(waiting).to_have_text("0", timeout=15000)

    choose(mobile, "Submitted")
    mobile.get_by_role("button", name="Save").click()
    expect(recent).to_have_count(3)
    expect(waiting).to_have_text("0")
    axe(mobile)
    mobile.screenshot(path=str(screenshots / "counter-day-assists-360.png"), full_page=True)

    # Back to the check-in, and out.
    mobile.goto(checked_in_at)
    mobile.get_by_role("button", name="Check out").click()
    expect(mobile.get_by_role("status")).to_contain_text("You are checked out.")
    phone.close()

    # The coordinator's dashboard now counts the three, and why one was not submitted.
    page.goto(dashboard)
    expect(dossiers).to_contain_text("3")
    expect(page.get_by_role("table").filter(has_text="Network down or congested")).to_be_visible()
    axe(page)

    db.session.rollback()  # end the test's read transaction: see what the live server wrote
    rows = db.session.scalars(
        select(AssistedSubmission)
        .where(AssistedSubmission.volunteer_id == volunteer_id)
        .order_by(AssistedSubmission.occurred_at)
    ).all()
    assert [r.offline for r in rows] == [False, True, False]
    assert all(r.service_point_id == service_point.id for r in rows)
    attendance = db.session.scalar(select(Attendance))
    assert attendance.checked_out_at is not None
