"""Check-in with the network cut between the scan and the send: the poster's check-in page keeps
the scan on the phone, shows it waiting, and sends it when the network returns."""

import re
from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from app.database import utcnow
from app.extensions import db
from app.places.models import ServicePoint
from scheduling.checkin import tokens
from scheduling.checkin.models import Attendance, Scan
from tests.e2e.journey import PHONE, fill_login


def test_a_check_in_made_offline_waits_on_the_phone_and_is_sent_when_the_network_returns(
    browser, base_url, live_app, axe, screenshots, volunteer, service_point, make_shift
):
    make_shift(utcnow().replace(microsecond=0) - timedelta(minutes=20), booked=[volunteer])
    db.session.commit()
    with live_app.app_context():  # the poster's token, signed with the live server's key
        point = db.session.get(ServicePoint, service_point.id)
        url = f"{base_url}/check-in/{tokens.poster_token(db.session, point)}"
        db.session.commit()

    phone = browser.new_context(viewport=PHONE, bypass_csp=True, base_url=base_url)
    phone.add_cookies([{"name": "lang", "value": "en", "url": base_url}])
    mobile = phone.new_page()
    mobile.goto(url)
    fill_login(mobile, volunteer)
    expect(mobile).to_have_url(url)
    expect(mobile.get_by_text("You will be checked in to your booked shift.")).to_be_visible()
    mobile.wait_for_load_state("load")  # its scripts have run: the page is open, not opening

    # The network drops after the page opened: the tap is kept on the phone.
    phone.set_offline(True)
    mobile.wait_for_function("!navigator.onLine")  # the phone knows it lost the network
    mobile.get_by_role("button", name="Check in").click()
    waiting = mobile.locator("#checkin-queue-status")
    expect(waiting).to_contain_text("1 waiting to send")
    axe(mobile)
    mobile.screenshot(path=str(screenshots / "checkin-offline-360.png"), full_page=True)
    db.session.rollback()
    assert db.session.scalar(select(Scan)) is None

    # The network returns: the scan is sent by itself, with the time it happened.
    phone.set_offline(False)
    expect(waiting).to_be_hidden(timeout=15000)
    expect(mobile.locator("#checkin-queue-result")).to_contain_text("You are checked in.")
    phone.close()

    db.session.rollback()  # see what the live server wrote
    scan = db.session.scalar(select(Scan))
    assert scan.offline and str(scan.result) == "ok"
    assert re.fullmatch(r"[\w-]{8,64}", scan.nonce)
    assert scan.scanned_at <= scan.received_at
    assert db.session.scalar(select(Attendance)) is not None
