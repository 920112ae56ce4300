"""The volunteer's booking pages: find shifts, book, waitlist, my shifts, cancel."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.database import begin_write, utcnow
from app.extensions import db
from app.localtime import local_date
from app.places.models import ServicePoint
from scheduling.booking.services import book_shift
from scheduling.models import Booking, BookingStatus
from tests.harness import NOW

#: the local day of make_shift()'s default shift (NOW + 24 h = 07:00 in Hanoi on 8 January 2030)
DAY = "2030-01-08"


@pytest.fixture
def english(client):
    client.set_cookie("lang", "en")
    return client


@pytest.fixture
def signed_in(english, login, volunteer):
    return login(volunteer)


def _booking(shift, user):
    return db.session.scalar(
        select(Booking).where(Booking.shift_id == shift.id, Booking.user_id == user.id)
    )


def _book(shift, user, now=None):
    begin_write(db.session)
    booking = book_shift(db.session, shift, user, now=now).booking
    db.session.commit()
    return booking


def test_searching_bo_de_without_accents_finds_bo_de_shifts(
    signed_in, make_shift, other_point, service_point
):
    make_shift()
    make_shift(point=other_point)
    page = signed_in.get(f"/shifts?commune=bo+de&day={DAY}").get_data(as_text=True)
    assert service_point.name in page
    assert other_point.name not in page
    assert "Book" in page


def test_searching_by_the_communes_official_code_finds_its_shifts(
    signed_in, make_shift, other_point, service_point
):
    make_shift()
    make_shift(point=other_point)
    code = service_point.commune.code
    page = signed_in.get(f"/shifts?commune=+{code}+&day={DAY}").get_data(as_text=True)
    assert service_point.name in page
    assert other_point.name not in page
    # a part of a code is no name, nor a code
    assert service_point.name not in signed_in.get(
        f"/shifts?commune={code[:-1]}&day={DAY}"
    ).get_data(as_text=True)


def test_home_commune_shifts_come_first(signed_in, make_shift, other_point, service_point):
    make_shift(NOW + timedelta(hours=26))  # Bồ Đề, later in the day
    make_shift(NOW + timedelta(hours=24), point=other_point)
    page = signed_in.get(f"/shifts?day={DAY}&commune=").get_data(as_text=True)
    assert page.index(service_point.name) < page.index(other_point.name)


def test_only_free_places_hides_full_shifts(
    signed_in, make_campaign, make_shift, make_volunteer, service_point
):
    full = make_shift(on=make_campaign(min_per_shift=1, max_per_shift=1))
    _book(full, make_volunteer())
    page = signed_in.get(f"/shifts?day={DAY}").get_data(as_text=True)
    assert "Join the waitlist" in page
    page = signed_in.get(f"/shifts?day={DAY}&free_only=y").get_data(as_text=True)
    assert service_point.name not in page


def test_booking_through_the_page_confirms(signed_in, make_shift, volunteer):
    shift = make_shift()
    response = signed_in.post(
        f"/shifts/{shift.id}/book", data={"next": f"/shifts?day={DAY}"}, follow_redirects=True
    )
    page = response.get_data(as_text=True)
    assert "Booked: Trung tâm Phục vụ hành chính công phường Bồ Đề" in page
    assert _booking(shift, volunteer).status == BookingStatus.CONFIRMED
    assert "On the waitlist" not in page and "✓ Booked" in page


def test_booking_a_full_shift_puts_the_volunteer_on_the_waitlist(
    signed_in, make_campaign, make_shift, make_volunteer, volunteer
):
    shift = make_shift(on=make_campaign(min_per_shift=1, max_per_shift=1))
    _book(shift, make_volunteer())
    page = signed_in.post(f"/shifts/{shift.id}/book", follow_redirects=True).get_data(as_text=True)
    assert "The shift is full: you are number 1 on the waitlist" in page
    assert _booking(shift, volunteer).status == BookingStatus.WAITLISTED


def test_an_overlapping_booking_is_refused_and_nothing_is_written(
    signed_in, make_shift, other_point, volunteer
):
    first = make_shift()
    second = make_shift(NOW + timedelta(hours=25), point=other_point)
    _book(first, volunteer)
    page = signed_in.post(f"/shifts/{second.id}/book", follow_redirects=True).get_data(as_text=True)
    assert "You already hold a shift at that time" in page
    assert _booking(second, volunteer) is None


def test_booking_an_unknown_shift_is_not_found(signed_in):
    assert signed_in.post("/shifts/999999/book").status_code == 404


def test_my_shifts_lists_my_bookings(signed_in, make_shift, volunteer, service_point):
    _book(make_shift(), volunteer)
    page = signed_in.get("/me/shifts").get_data(as_text=True)
    assert service_point.name in page
    assert "✓ Booked" in page
    assert "You can cancel until" in page


def test_cancelling_before_the_deadline_promotes_the_first_waitlisted(
    signed_in, make_campaign, make_shift, make_volunteer, volunteer
):
    shift = make_shift(on=make_campaign(min_per_shift=1, max_per_shift=1))
    mine = _book(shift, volunteer)
    waiting = make_volunteer()
    _book(shift, waiting)
    page = signed_in.post(f"/bookings/{mine.id}/cancel", follow_redirects=True).get_data(
        as_text=True
    )
    assert "Cancelled: " in page
    assert _booking(shift, volunteer).status == BookingStatus.CANCELLED
    assert _booking(shift, waiting).status == BookingStatus.CONFIRMED


def test_after_the_deadline_only_a_coordinator_can_release(signed_in, make_shift, volunteer):
    shift = make_shift(utcnow() + timedelta(hours=2))  # the campaign's deadline is 12 hours before
    booking = _book(shift, volunteer)
    page = signed_in.get("/me/shifts").get_data(as_text=True)
    assert "Only a coordinator can release you now" in page
    assert f"/bookings/{booking.id}/cancel" not in page
    page = signed_in.post(f"/bookings/{booking.id}/cancel", follow_redirects=True).get_data(
        as_text=True
    )
    assert "Only a coordinator can release you now" in page
    assert _booking(shift, volunteer).status == BookingStatus.CONFIRMED


def test_another_persons_booking_cannot_be_cancelled(signed_in, make_shift, make_volunteer):
    someone = make_volunteer()
    theirs = _book(make_shift(), someone)
    assert signed_in.post(f"/bookings/{theirs.id}/cancel").status_code == 404
    assert _booking(theirs.shift, someone).status == BookingStatus.CONFIRMED


@pytest.mark.parametrize("method, url", [("GET", "/shifts"), ("GET", "/me/shifts")])
def test_a_stranger_is_sent_to_log_in(client, method, url):
    response = client.open(url, method=method)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_a_learner_without_the_volunteer_role_is_refused(client, login, learner, make_shift):
    login(learner)
    assert client.get("/shifts").status_code == 403
    assert client.get("/me/shifts").status_code == 403
    assert client.post(f"/shifts/{make_shift().id}/book").status_code == 403


def test_the_header_links_to_the_booking_pages(signed_in):
    page = signed_in.get("/me/shifts").get_data(as_text=True)
    assert 'href="/shifts"' in page and 'href="/me/shifts"' in page


def test_refusals_are_in_vietnamese_by_default(client, login, volunteer, make_shift, other_point):
    login(volunteer)
    _book(make_shift(), volunteer)
    second = make_shift(NOW + timedelta(hours=25), point=other_point)
    page = client.post(f"/shifts/{second.id}/book", follow_redirects=True).get_data(as_text=True)
    assert "Bạn đã có một ca trùng giờ" in page


def test_the_page_of_fifty_shifts_stays_light(signed_in, make_campaign, make_shift, other_commune):
    campaign = make_campaign()
    for number in range(60):
        point = ServicePoint(commune=other_commune, name=f"Điểm {number}", address="Hà Nội")
        db.session.add(point)
        make_shift(on=campaign, point=point)
    page = signed_in.get(f"/shifts?day={DAY}&commune=")
    assert len(page.get_data()) < 50_000
    assert "More shifts" in page.get_data(as_text=True)


def test_an_unreadable_day_is_explained_and_today_is_shown(signed_in):
    response = signed_in.get("/shifts?day=tomorrow")
    assert response.status_code == 200
    assert "Not a valid date value." in response.get_data(as_text=True)


def test_find_shifts_opens_on_the_home_commune(signed_in, make_shift, other_point, service_point):
    make_shift(NOW + timedelta(hours=26))  # Bồ Đề, the volunteer's home commune
    make_shift(NOW + timedelta(hours=24), point=other_point)

    page = signed_in.get(f"/shifts?day={DAY}").get_data(as_text=True)

    assert service_point.name in page and other_point.name not in page
    assert 'value="Phường Bồ Đề"' in page  # the search says which commune is shown
    assert "commune=Ph%C6%B0%E1%BB%9Dng+B%E1%BB%93+%C4%90%E1%BB%81" in page  # kept by the day links


def test_find_shifts_opens_on_the_last_booked_commune_without_a_home_commune(
    signed_in, volunteer, make_shift, other_point
):
    volunteer.home_commune = None
    make_shift(NOW - timedelta(days=3), point=other_point, booked=[volunteer])
    make_shift(NOW + timedelta(hours=24), point=other_point)
    db.session.commit()

    page = signed_in.get(f"/shifts?day={DAY}").get_data(as_text=True)

    assert f'value="{other_point.commune.name}"' in page


def test_an_overlapping_shift_says_why_it_cannot_be_booked(
    signed_in, volunteer, make_shift, other_point
):
    _book(make_shift(), volunteer)
    overlapping = make_shift(NOW + timedelta(hours=25), point=other_point)

    page = signed_in.get(f"/shifts?day={DAY}&commune=").get_data(as_text=True)

    assert f'action="/shifts/{overlapping.id}/book"' not in page
    assert "You cannot book this shift: it overlaps your shift at" in page


def test_booking_inside_the_cancellation_window_warns_before_the_tap(
    signed_in, make_campaign, make_shift
):
    soon = utcnow().replace(microsecond=0) + timedelta(hours=3)
    campaign = make_campaign(
        starts_on=soon.date() - timedelta(days=1),
        ends_on=soon.date() + timedelta(days=1),
        cancel_deadline_hours=24,
    )
    shift = make_shift(soon, on=campaign)
    lenient = make_campaign(
        starts_on=campaign.starts_on, ends_on=campaign.ends_on, cancel_deadline_hours=1
    )
    cancellable = make_shift(soon + timedelta(minutes=30), on=lenient)

    page = signed_in.get(f"/shifts?day={local_date(soon).isoformat()}&commune=").get_data(
        as_text=True
    )

    assert f'aria-describedby="no-cancel-{shift.id}"' in page
    assert "Once booked, you cannot cancel this shift yourself" in page
    assert f"no-cancel-{cancellable.id}" not in page


def test_my_shifts_has_a_plain_title(signed_in):
    page = signed_in.get("/me/shifts").get_data(as_text=True)
    assert "<title>My shifts · Cầu Nối</title>" in page
