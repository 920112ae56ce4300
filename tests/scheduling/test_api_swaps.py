"""Shift swaps through the API: offer a booking, list the offers one may take, take one."""

import uuid

import pytest
from sqlalchemy import func, select

from app.extensions import db
from scheduling.booking.services import book_shift
from scheduling.models import Booking, BookingStatus
from scheduling.swaps.models import ShiftOffer


@pytest.fixture
def held(make_campaign, make_shift, make_volunteer):
    """A full shift of one place, held by the giver."""
    shift = make_shift(on=make_campaign(min_per_shift=1, max_per_shift=1))
    giver = make_volunteer()
    booking = book_shift(db.session, shift, giver).booking
    db.session.commit()
    return shift, giver, booking


def _offer(client, booking_id, headers, **body):
    return client.post(f"/api/v1/bookings/{booking_id}/offers", json=body, headers=headers)


def test_an_offer_to_a_named_volunteer_is_listed_for_them_and_taken(
    client, held, make_volunteer, bearer
):
    shift, giver, booking = held
    taker = make_volunteer(email="nhan@example.test")
    made = _offer(client, booking.id, bearer(giver), id=str(uuid.uuid4()), to="nhan@example.test")
    assert made.status_code == 201
    offer = made.get_json()
    assert (offer["shift_id"], offer["status"], offer["booking_id"]) == (
        shift.id,
        "open",
        booking.id,
    )

    listed = client.get("/api/v1/offers", headers=bearer(taker)).get_json()
    assert [(o["id"], o["to_you"], o["can_take"], o["why_not"]) for o in listed] == [
        (offer["id"], True, True, None)
    ]
    assert (offer["can_take"], offer["why_not"]) == (None, None)  # not judged for the giver

    taken = client.post(f"/api/v1/offers/{offer['id']}/take", headers=bearer(taker))
    assert taken.status_code == 201
    assert taken.get_json()["status"] == "confirmed"
    again = client.post(f"/api/v1/offers/{offer['id']}/take", headers=bearer(taker))
    assert (again.status_code, again.get_json()) == (200, taken.get_json())
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).status == BookingStatus.CANCELLED


def test_the_same_client_made_id_answers_the_same_offer(client, held, bearer):
    _shift, giver, booking = held
    ident = str(uuid.uuid4())
    first = _offer(client, booking.id, bearer(giver), id=ident)
    again = _offer(client, booking.id, bearer(giver), id=ident)

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json() == first.get_json()
    assert db.session.scalar(select(func.count()).select_from(ShiftOffer)) == 1


def test_a_taken_offer_answers_409_with_its_reason(client, held, make_volunteer, bearer):
    _shift, giver, booking = held
    offer = _offer(client, booking.id, bearer(giver)).get_json()
    client.post(f"/api/v1/offers/{offer['id']}/take", headers=bearer(make_volunteer()))

    late = client.post(f"/api/v1/offers/{offer['id']}/take", headers=bearer(make_volunteer()))

    assert late.status_code == 409
    assert late.get_json()["error"] == "offer_taken"


def test_taking_ones_own_offer_is_refused(client, held, bearer):
    _shift, giver, booking = held
    offer = _offer(client, booking.id, bearer(giver)).get_json()

    own = client.post(f"/api/v1/offers/{offer['id']}/take", headers=bearer(giver))

    assert (own.status_code, own.get_json()["error"]) == (409, "own_offer")


def test_another_persons_booking_and_an_unknown_email_are_not_found(
    client, held, make_volunteer, bearer
):
    _shift, giver, booking = held
    stranger = _offer(client, booking.id, bearer(make_volunteer()))
    unknown = _offer(client, booking.id, bearer(giver), to="nobody@example.test")

    assert (stranger.status_code, stranger.get_json()["error"]) == (404, "not_found")
    assert (unknown.status_code, unknown.get_json()["error"]) == (404, "unknown_volunteer")
    assert db.session.scalar(select(func.count()).select_from(ShiftOffer)) == 0


def test_a_wrong_body_is_a_400_in_the_readers_language(client, held, bearer):
    _shift, giver, booking = held
    response = _offer(client, booking.id, bearer(giver, language="vi"), id="not-a-uuid")
    assert response.status_code == 400
    assert response.get_json()["error"] == "bad_request"


def test_the_giver_withdraws_an_offer_and_a_retry_answers_the_same(
    client, held, make_volunteer, bearer
):
    _shift, giver, booking = held
    offer = _offer(client, booking.id, bearer(giver), id=str(uuid.uuid4())).get_json()
    stranger = make_volunteer()

    refused = client.post(f"/api/v1/offers/{offer['id']}/withdraw", headers=bearer(stranger))
    first = client.post(f"/api/v1/offers/{offer['id']}/withdraw", headers=bearer(giver))
    again = client.post(f"/api/v1/offers/{offer['id']}/withdraw", headers=bearer(giver))

    assert refused.status_code == 404
    assert (first.status_code, first.get_json()["status"]) == (200, "withdrawn")
    assert (again.status_code, again.get_json()) == (200, first.get_json())
    assert client.get("/api/v1/offers", headers=bearer(stranger)).get_json() == []
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).status == BookingStatus.CONFIRMED  # still theirs


def test_a_taken_offer_cannot_be_withdrawn(client, held, make_volunteer, bearer):
    _shift, giver, booking = held
    taker = make_volunteer()
    offer = _offer(client, booking.id, bearer(giver), id=str(uuid.uuid4())).get_json()
    assert (
        client.post(f"/api/v1/offers/{offer['id']}/take", headers=bearer(taker)).status_code == 201
    )

    refused = client.post(f"/api/v1/offers/{offer['id']}/withdraw", headers=bearer(giver))

    assert (refused.status_code, refused.get_json()["error"]) == (409, "offer_taken")


def test_a_named_volunteer_without_the_shifts_needed_skill_gets_409_missing_skill(
    client, held, make_volunteer, coordinator, bearer
):
    from scheduling.skills.services import require_skill

    shift, giver, booking = held
    giver.skills = ["sign_language"]
    require_skill(db.session, shift.campaign, "sign_language", 1, coordinator, shift=shift)
    taker = make_volunteer(email="ban@example.test")
    db.session.commit()
    offer = _offer(client, booking.id, bearer(giver), to="ban@example.test").get_json()

    listed = client.get("/api/v1/offers", headers=bearer(taker)).get_json()
    refused = client.post(f"/api/v1/offers/{offer['id']}/take", headers=bearer(taker))

    assert refused.status_code == 409
    assert refused.get_json() == {
        "error": "missing_skill",
        "message": "This shift needs someone with Sign language: the person offering it has it "
        "and you do not, so the shift would be short of it.",
    }
    # The list said so before the tap: the same code and sentence.
    assert [(o["id"], o["can_take"], o["why_not"]) for o in listed] == [
        (offer["id"], False, refused.get_json())
    ]
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).status == BookingStatus.CONFIRMED


def test_a_named_volunteer_on_another_shift_then_sees_why_in_the_list(
    client, held, make_shift, make_volunteer, other_point, bearer
):
    shift, giver, booking = held
    taker = make_volunteer(email="chi@example.test")
    book_shift(db.session, make_shift(shift.starts_at, point=other_point), taker)  # same hours
    db.session.commit()
    offer = _offer(client, booking.id, bearer(giver), to="chi@example.test").get_json()

    listed = client.get("/api/v1/offers", headers=bearer(taker, "vi")).get_json()
    refused = client.post(f"/api/v1/offers/{offer['id']}/take", headers=bearer(taker, "vi"))

    assert refused.status_code == 409 and refused.get_json()["error"] == "overlap"
    assert [(o["id"], o["can_take"], o["why_not"]) for o in listed] == [
        (offer["id"], False, refused.get_json())
    ]
