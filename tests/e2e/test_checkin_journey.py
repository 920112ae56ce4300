"""A volunteer checks in with the poster's QR URL on a 360 px phone, and checks out."""

import re
from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from app.database import utcnow
from app.extensions import db
from scheduling.checkin.models import Attendance, Scan
from scheduling.models import Booking, BookingStatus, Shift
from tests.conftest import PASSWORD

PHONE = {"width": 360, "height": 740}
#: an A4 page at 96 dpi
A4 = {"width": 794, "height": 1123}


def _log_in(page, user):
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Log in").click()


def test_volunteer_checks_in_from_the_poster_and_checks_out(
    browser, page, base_url, axe, screenshots, coordinator, volunteer, service_point, campaign
):
    starts_at = utcnow().replace(microsecond=0) - timedelta(minutes=20)
    shift = Shift(
        campaign=campaign,
        service_point=service_point,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=4),
    )
    db.session.add(shift)
    db.session.flush()
    db.session.add(Booking(shift_id=shift.id, user_id=volunteer.id, status=BookingStatus.CONFIRMED))
    db.session.commit()

    # The coordinator prints the poster (A4) and the URL under its QR is the check-in link.
    page.context.add_cookies([{"name": "lang", "value": "en", "url": base_url}])
    page.set_viewport_size(A4)
    page.goto(f"/service-points/{service_point.id}/poster")
    _log_in(page, coordinator)
    expect(page.locator(".poster svg.qr")).to_be_visible()
    axe(page)
    page.emulate_media(media="print")
    page.screenshot(path=str(screenshots / "checkin-poster-a4.png"), full_page=True)
    url = page.locator(".poster-url").inner_text().strip()
    assert re.fullmatch(rf"{re.escape(base_url)}/check-in/[\w.-]+", url)

    # The volunteer opens it with their phone's camera, logs in, and comes back to check in.
    phone = browser.new_context(viewport=PHONE, bypass_csp=True, base_url=base_url)
    phone.add_cookies([{"name": "lang", "value": "en", "url": base_url}])
    mobile = phone.new_page()
    mobile.goto(url)
    expect(mobile).to_have_url(re.compile(r"/login\?next=/check-in/"))
    _log_in(mobile, volunteer)
    expect(mobile).to_have_url(url)
    expect(mobile.get_by_text("You will be checked in to your booked shift.")).to_be_visible()
    axe(mobile)
    mobile.screenshot(path=str(screenshots / "checkin-360.png"), full_page=True)
    overflow = mobile.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the check-in page scrolls sideways by {overflow}px at 360px"

    mobile.get_by_role("button", name="Check in").click()
    expect(mobile.get_by_role("status")).to_contain_text("You are checked in.")
    expect(mobile.get_by_role("heading", level=1)).to_have_text("Check-in")
    axe(mobile)
    mobile.screenshot(path=str(screenshots / "checkin-done-360.png"), full_page=True)

    mobile.get_by_role("button", name="Check out").click()
    expect(mobile.get_by_role("status")).to_contain_text("You are checked out.")
    expect(mobile.get_by_role("button", name="Check out")).to_have_count(0)
    phone.close()

    db.session.rollback()  # end the test's read transaction: see what the live server wrote
    attendance = db.session.scalar(select(Attendance))
    assert attendance.checked_out_at is not None and not attendance.closed_automatically
    assert [s.result for s in db.session.scalars(select(Scan))] == ["ok"]
