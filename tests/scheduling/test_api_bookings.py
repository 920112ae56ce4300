"""Booking, cancelling and listing one's bookings through the API."""

from datetime import timedelta

from sqlalchemy import func, select

from app.database import utcnow
from app.extensions import db
from app.places.models import ServicePoint
from app.roles import Role
from scheduling.models import Booking, BookingStatus, ShiftStatus
from tests.harness import MORNING


def _book(client, shift_id, headers):
    return client.post(f"/api/v1/shifts/{shift_id}/bookings", headers=headers)


def test_booking_a_shift_confirms_a_place(client, volunteer, shift, bearer):
    response = _book(client, shift.id, bearer(volunteer))

    assert response.status_code == 201
    body = response.get_json()
    assert body == {"id": body["id"], "shift_id": shift.id, "status": "confirmed"}
    booking = db.session.get(Booking, body["id"])
    assert (booking.user_id, booking.status) == (volunteer.id, BookingStatus.CONFIRMED)


def test_booking_again_answers_the_existing_booking(client, volunteer, shift, bearer):
    headers = bearer(volunteer)
    first = _book(client, shift.id, headers)
    again = _book(client, shift.id, headers)

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json() == first.get_json()
    assert db.session.scalar(select(func.count()).select_from(Booking)) == 1


def test_a_full_shift_puts_the_caller_on_the_waitlist(
    client, campaign, shift, make_volunteer, bearer
):
    campaign.min_per_shift, campaign.max_per_shift = 1, 1
    statuses = [
        _book(client, shift.id, bearer(make_volunteer())).get_json()["status"] for _ in range(2)
    ]
    assert statuses == ["confirmed", "waitlisted"]


def test_an_unknown_shift_is_not_found(client, volunteer, bearer):
    response = _book(client, 999999, bearer(volunteer))
    assert response.status_code == 404
    assert response.get_json()["error"] == "not_found"


def test_an_overlapping_shift_is_refused_with_its_reason(
    client, volunteer, make_shift, bo_de, bearer
):
    other_point = ServicePoint(commune=bo_de, name="Điểm phụ", address="Bồ Đề")
    db.session.add(other_point)
    first = make_shift()
    clashing = make_shift(starts_at=MORNING + timedelta(hours=2), point=other_point)
    volunteer.locale = "en"
    headers = bearer(volunteer)
    _book(client, first.id, headers)

    response = _book(client, clashing.id, headers)

    assert response.status_code == 409
    assert response.get_json() == {
        "error": "overlap",
        "message": "You already hold a shift at the same time.",
    }


def test_the_weekly_limit_is_refused_with_its_code(client, volunteer, campaign, make_shift, bearer):
    campaign.weekly_limit = 1
    first, second = make_shift(), make_shift(starts_at=MORNING + timedelta(days=1))
    headers = bearer(volunteer)
    _book(client, first.id, headers)

    response = _book(client, second.id, headers)

    assert response.status_code == 409
    assert response.get_json()["error"] == "weekly_limit"


def test_a_cancelled_shift_is_closed(client, volunteer, shift, bearer):
    shift.status = ShiftStatus.CANCELLED
    response = _book(client, shift.id, bearer(volunteer))
    assert response.status_code == 409
    assert response.get_json()["error"] == "shift_closed"


def test_a_learner_may_not_book(client, make_user, shift, bearer):
    response = _book(client, shift.id, bearer(make_user(Role.LEARNER)))
    assert response.status_code == 403
    assert response.get_json()["error"] == "forbidden"


def test_cancelling_frees_the_place_for_the_waitlist(
    client, campaign, shift, make_volunteer, bearer
):
    campaign.min_per_shift, campaign.max_per_shift = 1, 1
    first, second = make_volunteer(), make_volunteer()
    confirmed = _book(client, shift.id, bearer(first)).get_json()
    waiting = _book(client, shift.id, bearer(second)).get_json()

    response = client.delete(f"/api/v1/bookings/{confirmed['id']}", headers=bearer(first))

    assert response.status_code == 204
    assert response.get_data() == b""
    assert db.session.get(Booking, confirmed["id"]).status == BookingStatus.CANCELLED
    assert db.session.get(Booking, waiting["id"]).status == BookingStatus.CONFIRMED
    again = client.delete(f"/api/v1/bookings/{confirmed['id']}", headers=bearer(first))
    assert again.status_code == 204


def test_cancelling_after_the_deadline_is_refused(client, volunteer, make_shift, bearer):
    soon = make_shift(starts_at=utcnow() + timedelta(hours=1))
    headers = bearer(volunteer)
    booking = _book(client, soon.id, headers).get_json()

    response = client.delete(f"/api/v1/bookings/{booking['id']}", headers=headers)

    assert response.status_code == 409
    assert response.get_json()["error"] == "past_deadline"
    assert db.session.get(Booking, booking["id"]).status == BookingStatus.CONFIRMED


def test_another_persons_booking_is_not_found(client, shift, make_volunteer, bearer):
    owner, stranger = make_volunteer(), make_volunteer()
    booking = _book(client, shift.id, bearer(owner)).get_json()

    response = client.delete(f"/api/v1/bookings/{booking['id']}", headers=bearer(stranger))

    assert response.status_code == 404
    assert response.get_json()["error"] == "not_found"
    assert db.session.get(Booking, booking["id"]).status == BookingStatus.CONFIRMED
    missing = client.delete("/api/v1/bookings/999999", headers=bearer(stranger))
    assert missing.status_code == 404


def test_my_bookings_lists_only_the_callers_own(
    client, volunteer, make_volunteer, make_shift, bearer
):
    headers = bearer(volunteer)
    early, late = make_shift(), make_shift(starts_at=MORNING + timedelta(days=1))
    mine = [_book(client, s.id, headers).get_json() for s in (early, late)]
    _book(client, early.id, bearer(make_volunteer()))
    client.delete(f"/api/v1/bookings/{mine[0]['id']}", headers=headers)

    response = client.get("/api/v1/me/bookings", headers=headers)

    assert response.status_code == 200
    body = response.get_json()
    assert [(b["id"], b["shift_id"], b["status"]) for b in body] == [
        (mine[1]["id"], late.id, "confirmed"),
        (mine[0]["id"], early.id, "cancelled"),
    ]
    assert body[1]["starts_at"] == "2030-01-08T07:00:00+07:00"
    assert body[1]["ends_at"] == "2030-01-08T11:00:00+07:00"
    assert body[1]["commune"]["code"] == "00130"
    assert body[1]["service_point"]["name"] == early.service_point.name


def test_refusals_are_in_vietnamese_for_a_vietnamese_reader(client, shift, make_volunteer, bearer):
    # the reader's profile language (vi, the default) names the language of messages
    response = client.delete("/api/v1/bookings/999999", headers=bearer(make_volunteer(), "vi"))
    assert response.status_code == 404
    assert set(response.get_json()) == {"error", "message"}
    anonymous = client.get("/api/v1/me/bookings", headers={"Accept-Language": "vi"})
    assert anonymous.get_json() == {
        "error": "unauthorized",
        "message": "Vui lòng đăng nhập để tiếp tục.",
    }
