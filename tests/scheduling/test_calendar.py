"""Calendar feeds and .ics downloads, read back by a standard iCalendar parser."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar

from app.database import begin_write, utcnow
from app.extensions import db
from app.tokens import signer
from scheduling.booking.services import book_shift, cancel_booking
from scheduling.coverage import calendar
from scheduling.models import ShiftStatus


@pytest.fixture
def english(client):
    client.set_cookie("lang", "en")
    return client


@pytest.fixture
def soon_shift(make_shift):
    """A shift two days from now (the feed reaches 30 days back and six months ahead)."""

    def make(days=2, hours=4, **options):
        return make_shift(
            (utcnow() + timedelta(days=days)).replace(microsecond=0), hours, **options
        )

    return make


def _book(shift, user):
    begin_write(db.session)
    booking = book_shift(db.session, shift, user).booking
    db.session.commit()
    return booking


def _feed_url(client):
    html = client.get("/me/calendar").get_data(as_text=True)
    return re.search(r'value="(https://caunoi.example.vn/calendar/[^"]+\.ics)"', html).group(1)


def _events(body):
    return [c for c in Calendar.from_ical(body).walk("VEVENT")]


def test_feed_events_carry_the_shifts_times_in_hanoi(
    english, login, volunteer, soon_shift, service_point
):
    shift = soon_shift()
    booking = _book(shift, volunteer)
    login(volunteer, on=english)
    url = _feed_url(english)
    english.post("/logout")

    response = english.get(url.removeprefix("https://caunoi.example.vn"))

    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    parsed = Calendar.from_ical(response.get_data())
    assert [tz["TZID"] for tz in parsed.walk("VTIMEZONE")] == ["Asia/Ho_Chi_Minh"]
    (event,) = _events(response.get_data())
    assert event.decoded("dtstart") == shift.starts_at
    assert event.decoded("dtend") == shift.ends_at
    assert event["dtstart"].params["TZID"] == "Asia/Ho_Chi_Minh"
    assert str(event["uid"]) == f"booking-{booking.id}@cau-noi"
    assert str(event["status"]) == "CONFIRMED"
    assert service_point.name in str(event["location"])
    assert "Bồ Đề" in str(event["location"]) and service_point.address in str(event["location"])
    assert "/me/shifts" in str(event["description"])


def test_the_feed_speaks_the_volunteers_language(client, make_volunteer, soon_shift, app):
    person = make_volunteer(locale="en")
    _book(soon_shift(), person)
    token = calendar.feed_token(db.session, app.config["SECRET_KEY"], person)
    (event,) = _events(client.get(f"/calendar/{token}.ics").get_data())
    assert str(event["summary"]).startswith("Volunteer shift at")


def test_uids_stay_the_same_between_reads(client, volunteer, soon_shift, app):
    _book(soon_shift(days=1), volunteer)
    _book(soon_shift(days=3), volunteer)
    token = calendar.feed_token(db.session, app.config["SECRET_KEY"], volunteer)
    first = [str(e["uid"]) for e in _events(client.get(f"/calendar/{token}.ics").get_data())]
    second = [str(e["uid"]) for e in _events(client.get(f"/calendar/{token}.ics").get_data())]
    assert first == second and len(set(first)) == 2


def test_waitlisted_shifts_are_tentative_and_cancelled_shifts_cancelled(
    client, make_volunteer, volunteer, soon_shift, app, campaign
):
    campaign.min_per_shift, campaign.max_per_shift = 1, 1
    full = soon_shift(days=1)
    _book(full, make_volunteer())
    _book(full, volunteer)  # waitlisted
    dropped = soon_shift(days=3)
    _book(dropped, volunteer)
    dropped.status = ShiftStatus.CANCELLED
    given_up = soon_shift(days=5)
    booking = _book(given_up, volunteer)
    begin_write(db.session)
    cancel_booking(db.session, booking)
    db.session.commit()

    token = calendar.feed_token(db.session, app.config["SECRET_KEY"], volunteer)
    events = _events(client.get(f"/calendar/{token}.ics").get_data())

    statuses = {e.decoded("dtstart"): str(e["status"]) for e in events}
    assert statuses == {full.starts_at: "TENTATIVE", dropped.starts_at: "CANCELLED"}


def test_the_feed_covers_the_past_30_days_and_leaves_older_shifts_out(
    client, volunteer, soon_shift, app
):
    # booked back then: book_shift refuses past shifts today
    recent = soon_shift(days=-20, booked=[volunteer])
    soon_shift(days=-40, booked=[volunteer])  # too old for the feed
    db.session.commit()
    token = calendar.feed_token(db.session, app.config["SECRET_KEY"], volunteer)
    events = _events(client.get(f"/calendar/{token}.ics").get_data())
    assert [e.decoded("dtstart") for e in events] == [recent.starts_at]


def test_reset_invalidates_the_old_url(english, login, volunteer, soon_shift):
    _book(soon_shift(), volunteer)
    login(volunteer, on=english)
    old = _feed_url(english).removeprefix("https://caunoi.example.vn")
    assert english.get(old).status_code == 200

    response = english.post("/me/calendar/reset", follow_redirects=True)

    assert "the old one no longer works" in response.get_data(as_text=True)
    new = _feed_url(english).removeprefix("https://caunoi.example.vn")
    assert new != old
    assert english.get(old).status_code == 404
    assert english.get(new).status_code == 200


def test_a_tampered_token_is_404(client, volunteer, make_volunteer, app):
    token = calendar.feed_token(db.session, app.config["SECRET_KEY"], volunteer)
    payload, signature = token.rsplit(".", 1)
    other = make_volunteer()
    forged = signer("calendar-feed", "another secret").dumps([other.id, 0])
    for bad in (
        payload + "." + signature[::-1],
        payload[:-1] + ("A" if payload[-1] != "A" else "B") + "." + signature,
        forged,
        "nonsense",
    ):
        assert client.get(f"/calendar/{bad}.ics").status_code == 404


def test_a_token_of_another_purpose_is_404(client, volunteer, app):
    from itsdangerous import URLSafeSerializer

    token = URLSafeSerializer(app.config["SECRET_KEY"], salt="password-reset").dumps(
        [volunteer.id, 0]
    )
    assert client.get(f"/calendar/{token}.ics").status_code == 404


def test_a_deactivated_accounts_feed_is_404(client, volunteer, app):
    token = calendar.feed_token(db.session, app.config["SECRET_KEY"], volunteer)
    volunteer.active = False
    assert client.get(f"/calendar/{token}.ics").status_code == 404


def test_the_calendar_page_offers_webcal_and_a_reset_button(english, login, volunteer):
    login(volunteer, on=english)
    html = english.get("/me/calendar").get_data(as_text=True)
    assert 'href="webcal://caunoi.example.vn/calendar/' in html
    assert 'action="/me/calendar/reset"' in html
    assert "Google Calendar" in html and "iPhone" in html


def test_a_booking_downloads_as_ics_for_its_owner_only(
    english, login, volunteer, make_volunteer, soon_shift
):
    shift = soon_shift()
    booking = _book(shift, volunteer)
    login(volunteer, on=english)
    response = english.get(f"/bookings/{booking.id}.ics")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    (event,) = _events(response.get_data())
    assert event.decoded("dtstart") == shift.starts_at
    assert event.decoded("dtend") == shift.ends_at

    begin_write(db.session)
    cancel_booking(db.session, booking)
    db.session.commit()
    (event,) = _events(english.get(f"/bookings/{booking.id}.ics").get_data())
    assert str(event["status"]) == "CANCELLED"

    english.post("/logout")
    login(make_volunteer(), on=english)
    assert english.get(f"/bookings/{booking.id}.ics").status_code == 404
    assert english.get("/bookings/999999.ics").status_code == 404


def test_my_shifts_links_to_the_calendar(english, login, volunteer, soon_shift):
    booking = _book(soon_shift(), volunteer)
    login(volunteer, on=english)
    html = english.get("/me/shifts").get_data(as_text=True)
    assert 'href="/me/calendar"' in html
    assert f'href="/bookings/{booking.id}.ics"' in html


def test_feed_times_equal_utc_instants(app, volunteer, soon_shift):
    """Readers that convert to UTC get the shift's own instants back."""
    shift = soon_shift()
    _book(shift, volunteer)
    with app.test_request_context("/"):
        with_feed = calendar.calendar_of(
            calendar.feed_bookings(db.session, volunteer.id),
            name="x",
            my_shifts_url="https://caunoi.example.vn/me/shifts",
        )
    (event,) = _events(with_feed)
    assert event.decoded("dtstart").astimezone(UTC) == shift.starts_at
    assert isinstance(event.decoded("dtstart"), datetime)


def test_a_held_shift_rings_a_day_and_two_hours_before_a_waitlisted_one_does_not(
    client, make_volunteer, volunteer, soon_shift, app, campaign
):
    campaign.min_per_shift, campaign.max_per_shift = 1, 1
    held = soon_shift(days=1)
    _book(held, volunteer)
    full = soon_shift(days=3)
    _book(full, make_volunteer())
    _book(full, volunteer)  # waitlisted
    token = calendar.feed_token(db.session, app.config["SECRET_KEY"], volunteer)

    events = _events(client.get(f"/calendar/{token}.ics").get_data())

    alarms = {
        e.decoded("dtstart"): sorted(a.decoded("trigger") for a in e.walk("VALARM")) for e in events
    }
    assert alarms == {held.starts_at: [-timedelta(days=1), -timedelta(hours=2)], full.starts_at: []}
    [action] = {str(a["action"]) for e in events for a in e.walk("VALARM")}
    assert action == "DISPLAY"
