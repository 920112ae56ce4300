"""A volunteer checks in with the poster's QR URL on a 360 px phone, and checks out."""

import re
from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from app.database import utcnow
from app.extensions import db
from scheduling.checkin.models import Attendance, Scan
from tests.e2e.journey import PHONE, fill_login

#: an A4 page at 96 dpi
A4 = {"width": 794, "height": 1123}


def test_volunteer_checks_in_from_the_poster_and_checks_out(
    browser, page, base_url, axe, screenshots, coordinator, volunteer, service_point, make_shift
):
    shift = make_shift(utcnow().replace(microsecond=0) - timedelta(minutes=20), booked=[volunteer])
    db.session.commit()

    # The coordinator prints the poster (A4) and the URL under its QR is the check-in link.
    page.context.add_cookies([{"name": "lang", "value": "en", "url": base_url}])
    page.set_viewport_size(A4)
    page.goto(f"/service-points/{service_point.id}/poster")
    fill_login(page, coordinator)
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
    fill_login(mobile, volunteer)
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

    # The coordinator sees the arrival and the departure on the shift's attendance list.
    page.emulate_media(media="screen")
    page.set_viewport_size(PHONE)
    page.goto(f"/shifts/{shift.id}/attendance")
    expect(page.locator("main")).to_contain_text("1 of 1 booked volunteers checked in")
    expect(page.get_by_role("row", name=re.compile(volunteer.full_name)).first).to_be_visible()
    axe(page)
    page.screenshot(path=str(screenshots / "checkin-attendance-360.png"), full_page=True)

    db.session.rollback()  # end the test's read transaction: see what the live server wrote
    attendance = db.session.scalar(select(Attendance))
    assert attendance.checked_out_at is not None and not attendance.closed_automatically
    assert [s.result for s in db.session.scalars(select(Scan))] == ["ok"]


def _y4m_of_qr(text, path, size=480):
    """A one-frame Y4M video of a QR code, for Chromium's fake camera."""
    import qrcode

    code = qrcode.QRCode(border=4)
    code.add_data(text)
    matrix = code.get_matrix()
    scale = size // len(matrix)
    offset = (size - scale * len(matrix)) // 2
    rows = []
    for y in range(size):
        row = bytearray(b"\xff" * size)
        my = (y - offset) // scale
        if y - offset >= 0 and my < len(matrix):
            for mx, dark in enumerate(matrix[my]):
                if dark:
                    start = offset + mx * scale
                    row[start : start + scale] = b"\x00" * scale
        rows.append(bytes(row))
    chroma = b"\x80" * (size // 2 * size // 2)
    frame = b"FRAME\n" + b"".join(rows) + chroma + chroma
    path.write_bytes(f"YUV4MPEG2 W{size} H{size} F5:1 Ip A1:1 C420jpeg\n".encode() + frame)


def test_coordinator_scans_a_volunteers_badge_with_the_camera(
    playwright,
    live_app,
    base_url,
    axe,
    screenshots,
    tmp_path,
    coordinator,
    volunteer,
    service_point,
    make_shift,
    make_user,
):
    from scheduling.checkin import tokens

    make_shift(utcnow().replace(microsecond=0) - timedelta(minutes=10), booked=[volunteer])
    db.session.commit()

    # The volunteer's badge page at 360 px: a QR and a short code, and no QR decoder loaded.
    browser = playwright.chromium.launch(
        executable_path="/usr/bin/chromium",
        args=[
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={tmp_path / 'badge.y4m'}",
        ],
    )
    phone = browser.new_context(viewport=PHONE, bypass_csp=True, base_url=base_url)
    phone.add_cookies([{"name": "lang", "value": "en", "url": base_url}])
    mobile = phone.new_page()
    mobile.goto("/me/badge")
    fill_login(mobile, volunteer)
    expect(mobile.locator(".badge-qr svg.qr")).to_be_visible()
    expect(mobile.locator("script[src*=jsQR]")).to_have_count(0)
    axe(mobile)
    mobile.screenshot(path=str(screenshots / "checkin-badge-360.png"), full_page=True)

    # The coordinator's scanner reads the badge from the (fake) camera and checks them in.
    with live_app.app_context():
        _y4m_of_qr(
            tokens.badge_token(db.session.get(type(volunteer), volunteer.id)),
            tmp_path / "badge.y4m",
        )
    desk = browser.new_context(
        viewport=PHONE, bypass_csp=True, base_url=base_url, permissions=["camera"]
    )
    desk.add_cookies([{"name": "lang", "value": "en", "url": base_url}])
    scanner = desk.new_page()
    scanner.goto(f"/service-points/{service_point.id}/scan")
    fill_login(scanner, coordinator)
    axe(scanner)
    scanner.screenshot(path=str(screenshots / "checkin-scanner-360.png"), full_page=True)
    scanner.get_by_role("button", name="Start the camera").click()
    expect(scanner.get_by_role("status").first).to_contain_text("Checked in.", timeout=20000)
    expect(scanner.locator(".notice")).to_contain_text(volunteer.full_name)
    scanner.screenshot(path=str(screenshots / "checkin-scanned-360.png"), full_page=True)
    browser.close()

    db.session.rollback()
    logged = db.session.scalar(select(Scan))
    assert (logged.user_id, logged.scanned_by_id, logged.result, logged.method) == (
        volunteer.id,
        coordinator.id,
        "ok",
        "badge",
    )


def test_the_live_qr_fetches_a_new_code_every_thirty_seconds(
    page, base_url, axe, screenshots, coordinator, service_point
):
    db.session.commit()
    page.context.add_cookies([{"name": "lang", "value": "en", "url": base_url}])
    page.set_viewport_size(PHONE)
    page.clock.install()
    page.goto(f"/service-points/{service_point.id}/live-qr")
    fill_login(page, coordinator)
    expect(page.locator("#live-qr svg.qr")).to_be_visible()
    axe(page)
    page.screenshot(path=str(screenshots / "checkin-live-qr-360.png"), full_page=True)

    # the browser's clock, not the test, jumps a window ahead
    with page.expect_response(re.compile(r"/live-qr\.svg\?t=")) as first:
        page.clock.run_for(31_000)
    with page.expect_response(re.compile(r"/live-qr\.svg\?t=")) as second:
        page.clock.run_for(30_000)

    assert first.value.status == second.value.status == 200
    expect(page.locator("#live-qr svg.qr")).to_have_count(1)
    expect(page.locator("#live-qr")).not_to_have_class(re.compile("stale"))
