"""Booking through the API from many threads at once stays exact."""

from sqlalchemy import func, select

from app.extensions import db
from scheduling.models import Booking, BookingStatus
from tests.harness import at_once


def test_ten_simultaneous_taps_make_one_booking_and_one_201(app, volunteer, shift, bearer):
    headers, url = bearer(volunteer), f"/api/v1/shifts/{shift.id}/bookings"
    db.session.commit()

    answers = at_once(app, [lambda: app.test_client().post(url, headers=headers)] * 10)

    assert sorted(a.status_code for a in answers) == [200] * 9 + [201]
    assert len({a.get_json()["id"] for a in answers}) == 1
    assert db.session.scalar(select(func.count()).select_from(Booking)) == 1


def test_twenty_bookers_of_five_places_leave_five_confirmed(
    app, campaign, shift, make_volunteer, bearer
):
    campaign.min_per_shift, campaign.max_per_shift = 1, 5
    url = f"/api/v1/shifts/{shift.id}/bookings"
    headers = [bearer(make_volunteer()) for _ in range(20)]
    db.session.commit()

    answers = at_once(app, [lambda h=h: app.test_client().post(url, headers=h) for h in headers])

    assert [a.status_code for a in answers] == [201] * 20
    statuses = [a.get_json()["status"] for a in answers]
    assert statuses.count("confirmed") == 5
    assert statuses.count("waitlisted") == 15
    confirmed = select(func.count()).where(Booking.status == BookingStatus.CONFIRMED)
    assert db.session.scalar(confirmed) == 5
