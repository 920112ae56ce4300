"""A coordinator on a phone writes to the people of a shift: the SMS preview follows the typing
(the server measures it), the reach is shown, and the real form (CSRF on) sends it."""

from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from app.database import utcnow
from app.extensions import db
from scheduling.broadcasts.models import Broadcast
from scheduling.models import Booking, BookingStatus
from tests.e2e.journey import PHONE, in_english, sign_in


def test_coordinator_previews_and_sends_a_message_to_a_shift(
    page, axe, coordinator, make_shift, make_volunteer
):
    shift = make_shift(utcnow().replace(microsecond=0) + timedelta(days=1))
    db.session.add(Booking(shift=shift, user=make_volunteer(), status=BookingStatus.CONFIRMED))
    db.session.commit()
    page.set_viewport_size(PHONE)

    in_english(page)
    sign_in(page, coordinator)
    page.goto(f"/shifts/{shift.id}/staff")
    page.get_by_role("link", name="Send a message to the people of this shift").click()
    expect(page.get_by_text("1 person, each on their notices page.")).to_be_visible()
    page.get_by_label("Message").fill("Ca sáng mai đổi sang phòng họp tầng 2.")
    expect(page.get_by_text("of 70 characters (UCS-2), with the link.")).to_be_visible()
    axe(page)

    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text("Your message was sent to 1 person.")).to_be_visible()
    expect(page.get_by_text("Ca sáng mai đổi sang phòng họp tầng 2.")).to_be_visible()
    db.session.rollback()
    assert db.session.scalars(select(Broadcast.people)).all() == [1]
