"""POST /api/v1/checkins and /checkins/{id}/checkout: reason codes, nonces, input errors."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.database import utcnow
from app.extensions import db
from app.places.models import ServicePoint
from scheduling.checkin import services, tokens
from scheduling.checkin.models import Attendance, Scan
from scheduling.models import Booking, BookingStatus

HOUR = timedelta(hours=1)


@pytest.fixture
def running(make_shift):
    """A four-hour shift that started an hour ago by the real clock."""
    return make_shift(starts_at=utcnow().replace(microsecond=0) - HOUR)


@pytest.fixture
def poster(service_point):
    return tokens.poster_token(db.session, service_point)


def _confirm(shift, user):
    db.session.add(
        Booking(
            shift_id=shift.id,
            user_id=user.id,
            status=BookingStatus.CONFIRMED,
            created_at=shift.starts_at - 48 * HOUR,
        )
    )
    db.session.flush()


def _body(token, nonce="nonce-000001", **extra):
    return {"token": token, "nonce": nonce, "scanned_at": utcnow().isoformat(), **extra}


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_new_check_in_answers_201_and_the_same_nonce_200_with_the_same_check_in(
    client, bearer, volunteer, running, poster, service_point
):
    _confirm(running, volunteer)
    headers = bearer(volunteer)

    first = client.post("/api/v1/checkins", json=_body(poster), headers=headers)
    again = client.post("/api/v1/checkins", json=_body(poster), headers=headers)

    assert first.status_code == 201
    assert again.status_code == 200
    body = first.get_json()
    assert again.get_json()["id"] == body["id"]
    assert body["shift_id"] == running.id
    assert body["volunteer_id"] == volunteer.id
    assert body["service_point"] == {"id": service_point.id, "name": service_point.name}
    assert body["checked_in_at"].endswith("+07:00")
    assert body["checked_out_at"] is None and body["walk_in"] is False
    assert (_count(Scan), _count(Attendance)) == (1, 1)


def test_the_whole_check_in_url_is_accepted_as_the_token(
    client, bearer, volunteer, running, poster
):
    _confirm(running, volunteer)
    url = f"https://caunoi.example.com/check-in/{poster}"

    response = client.post("/api/v1/checkins", json=_body(url), headers=bearer(volunteer))

    assert response.status_code == 201


def test_a_second_scan_is_409_already_checked_in_with_the_check_in(
    client, bearer, volunteer, running, poster
):
    _confirm(running, volunteer)
    headers = bearer(volunteer)
    first = client.post("/api/v1/checkins", json=_body(poster), headers=headers).get_json()

    response = client.post("/api/v1/checkins", json=_body(poster, "nonce-000002"), headers=headers)

    assert response.status_code == 409
    body = response.get_json()
    assert body["error"] == "already_checked_in"
    assert body["message"] == "You are already checked in for this shift."
    assert body["checkin"]["id"] == first["id"]


def test_no_shift_now_is_409(client, bearer, volunteer, poster, make_shift):
    make_shift(starts_at=utcnow() + 5 * HOUR)

    response = client.post("/api/v1/checkins", json=_body(poster), headers=bearer(volunteer))

    assert response.status_code == 409
    assert response.get_json()["error"] == "no_shift_now"


def test_a_walk_in_at_a_full_shift_is_409_shift_full(
    client, bearer, make_campaign, make_shift, make_volunteer, poster, service_point
):
    shift = make_shift(starts_at=utcnow() - HOUR)
    shift.campaign.max_per_shift = 1
    shift.campaign.min_per_shift = 1
    _confirm(shift, make_volunteer())
    walker = make_volunteer()

    response = client.post("/api/v1/checkins", json=_body(poster), headers=bearer(walker))

    assert response.status_code == 409
    assert response.get_json()["error"] == "shift_full"
    assert _count(Attendance) == 0
    assert db.session.scalar(select(Scan.result)) == "shift_full"


def test_a_walk_in_with_room_is_201(client, bearer, make_volunteer, running, poster):
    response = client.post("/api/v1/checkins", json=_body(poster), headers=bearer(make_volunteer()))

    assert response.status_code == 201
    assert response.get_json()["walk_in"] is True


def test_a_forged_token_is_403_invalid_token_and_logged(client, bearer, volunteer, running):
    response = client.post(
        "/api/v1/checkins", json=_body("eyJwIjoxLCJ2IjoxfQ.forged"), headers=bearer(volunteer)
    )

    assert response.status_code == 403
    assert response.get_json()["error"] == "invalid_token"
    logged = db.session.scalar(select(Scan))
    assert logged.result == "invalid_token" and logged.service_point_id is None


def test_a_live_token_from_a_minute_ago_is_410_expired_token(
    client, bearer, volunteer, running, service_point
):
    _confirm(running, volunteer)
    old = tokens.live_token(db.session, service_point, utcnow() - timedelta(seconds=61))

    response = client.post("/api/v1/checkins", json=_body(old), headers=bearer(volunteer))

    assert response.status_code == 410
    assert response.get_json()["error"] == "expired_token"


def test_a_replaced_poster_is_410_rotated_token(
    client, bearer, volunteer, coordinator, running, poster, service_point
):
    _confirm(running, volunteer)
    services.rotate_key(db.session, service_point, coordinator)

    response = client.post("/api/v1/checkins", json=_body(poster), headers=bearer(volunteer))

    assert response.status_code == 410
    assert response.get_json()["error"] == "rotated_token"


def test_a_repeated_nonce_of_a_refusal_answers_the_same_refusal(client, bearer, volunteer):
    headers = bearer(volunteer)
    statuses = [
        client.post("/api/v1/checkins", json=_body("forged"), headers=headers).status_code
        for _ in range(3)
    ]

    assert statuses == [403, 403, 403]
    assert _count(Scan) == 1


def test_another_users_nonce_is_409_nonce_taken(
    client, bearer, volunteer, make_volunteer, running, poster
):
    client.post("/api/v1/checkins", json=_body(poster), headers=bearer(volunteer))

    response = client.post("/api/v1/checkins", json=_body(poster), headers=bearer(make_volunteer()))

    assert response.status_code == 409
    assert response.get_json()["error"] == "nonce_taken"


def test_malformed_input_is_422_with_a_message_per_field(client, bearer, volunteer):
    response = client.post(
        "/api/v1/checkins",
        json={"token": "", "nonce": "short", "scanned_at": "yesterday", "offline": "yes"},
        headers=bearer(volunteer),
    )

    assert response.status_code == 422
    body = response.get_json()
    assert body["error"] == "invalid"
    assert set(body["fields"]) == {"token", "nonce", "scanned_at", "offline"}
    assert _count(Scan) == 0


def test_a_time_without_offset_and_a_body_that_is_not_an_object_are_422(
    client, bearer, volunteer, poster
):
    headers = bearer(volunteer)
    naive = {"token": poster, "nonce": "nonce-000009", "scanned_at": "2030-01-08T07:00:00"}

    assert client.post("/api/v1/checkins", json=naive, headers=headers).status_code == 422
    assert client.post("/api/v1/checkins", json=[1, 2], headers=headers).status_code == 422


def test_an_offline_scan_is_flagged_and_keeps_its_scanned_at_but_counts_from_receipt(
    client, bearer, volunteer, running, poster
):
    _confirm(running, volunteer)
    scanned_at = (utcnow() - timedelta(minutes=20)).replace(microsecond=0)

    response = client.post(
        "/api/v1/checkins",
        json={**_body(poster), "scanned_at": scanned_at.isoformat(), "offline": True},
        headers=bearer(volunteer),
    )

    assert response.status_code == 201
    logged = db.session.scalar(select(Scan))
    assert logged.offline and logged.scanned_at == scanned_at
    attendance = db.session.scalar(select(Attendance))
    assert attendance.checked_in_at == scanned_at
    assert attendance.received_at == logged.received_at > scanned_at
    assert response.get_json()["hours"] < 0.3  # not the 20 minutes the phone claims


def test_a_poster_scanned_from_a_sofa_hours_after_the_shift_checks_nobody_in(
    client, bearer, volunteer, make_shift, poster
):
    make_shift(starts_at=utcnow().replace(microsecond=0) - 14 * HOUR)  # ended ten hours ago
    scanned_at = utcnow().replace(microsecond=0) - 11 * HOUR  # during the shift

    response = client.post(
        "/api/v1/checkins",
        json={**_body(poster), "scanned_at": scanned_at.isoformat(), "offline": True},
        headers=bearer(volunteer),
    )

    assert response.status_code == 409 and response.get_json()["error"] == "no_shift_now"
    assert _count(Attendance) == 0 and _count(Booking) == 0
    assert db.session.scalar(select(Scan.result)) == "no_shift_now"


def test_a_booked_volunteers_scan_synced_after_the_shift_is_accepted_as_late_sync(
    client, bearer, volunteer, make_shift, poster
):
    shift = make_shift(starts_at=utcnow().replace(microsecond=0) - 14 * HOUR)
    _confirm(shift, volunteer)
    scanned_at = shift.starts_at + HOUR

    response = client.post(
        "/api/v1/checkins",
        json={**_body(poster), "scanned_at": scanned_at.isoformat(), "offline": True},
        headers=bearer(volunteer),
    )

    assert response.status_code == 202
    body = response.get_json()
    assert body["error"] == "late_sync" and body["message"]
    assert body["checkin"]["hours"] == 0


@pytest.mark.parametrize(
    ("offset", "code"),
    [(-2 * HOUR, "scanned_before_shift"), (HOUR, "scanned_in_future")],
)
def test_an_offline_scan_dated_outside_its_shift_or_ahead_of_the_server_is_409(
    client, bearer, volunteer, running, poster, offset, code
):
    _confirm(running, volunteer)
    scanned_at = running.starts_at + offset if offset < timedelta(0) else utcnow() + offset

    response = client.post(
        "/api/v1/checkins",
        json={**_body(poster), "scanned_at": scanned_at.isoformat(), "offline": True},
        headers=bearer(volunteer),
    )

    assert response.status_code == 409
    assert response.get_json()["error"] == code
    assert _count(Attendance) == 0
    assert db.session.scalar(select(Scan.result)) == code


def test_a_coordinator_checks_a_badge_in_at_their_point(
    client, bearer, volunteer, coordinator, running, service_point
):
    _confirm(running, volunteer)
    body = _body(tokens.badge_token(volunteer), service_point=service_point.id)

    response = client.post("/api/v1/checkins", json=body, headers=bearer(coordinator))

    assert response.status_code == 201
    assert response.get_json()["volunteer_id"] == volunteer.id


def test_another_communes_coordinator_cannot_scan_badges_at_the_point(
    client, bearer, volunteer, other_coordinator, running, service_point
):
    body = _body(tokens.badge_token(volunteer), service_point=service_point.id)

    response = client.post("/api/v1/checkins", json=body, headers=bearer(other_coordinator))

    assert response.status_code == 403
    assert _count(Scan) == 0


def test_an_unknown_service_point_is_404_and_a_malformed_one_422(
    client, bearer, coordinator, volunteer
):
    headers = bearer(coordinator)
    unknown = _body(tokens.badge_token(volunteer), service_point=999999)
    huge = _body(tokens.badge_token(volunteer), service_point=2**70)

    assert client.post("/api/v1/checkins", json=unknown, headers=headers).status_code == 404
    response = client.post("/api/v1/checkins", json=huge, headers=headers)
    assert response.status_code == 422
    assert "service_point" in response.get_json()["fields"]
    assert client.post(f"/api/v1/checkins/{2**70}/checkout", headers=headers).status_code == 404


def test_checking_in_needs_a_bearer_token(client, poster):
    assert client.post("/api/v1/checkins", json=_body(poster)).status_code == 401


def test_check_out_answers_the_check_in_and_repeating_changes_nothing(
    client, bearer, volunteer, running, poster
):
    _confirm(running, volunteer)
    headers = bearer(volunteer)
    checkin = client.post("/api/v1/checkins", json=_body(poster), headers=headers).get_json()

    first = client.post(f"/api/v1/checkins/{checkin['id']}/checkout", headers=headers)
    again = client.post(f"/api/v1/checkins/{checkin['id']}/checkout", headers=headers)

    assert first.status_code == again.status_code == 200
    assert first.get_json()["checked_out_at"] is not None
    assert again.get_json()["checked_out_at"] == first.get_json()["checked_out_at"]
    assert first.get_json()["closed_automatically"] is False


def test_nobody_else_can_check_a_volunteer_out(
    client, bearer, volunteer, make_volunteer, other_coordinator, coordinator, running, poster
):
    _confirm(running, volunteer)
    checkin = client.post(
        "/api/v1/checkins", json=_body(poster), headers=bearer(volunteer)
    ).get_json()
    url = f"/api/v1/checkins/{checkin['id']}/checkout"

    assert client.post(url, headers=bearer(make_volunteer())).status_code == 404
    assert client.post(url, headers=bearer(other_coordinator)).status_code == 404
    assert client.post(url, headers=bearer(coordinator)).status_code == 200


def test_a_check_out_of_an_unknown_check_in_is_404(client, bearer, volunteer):
    response = client.post("/api/v1/checkins/424242/checkout", headers=bearer(volunteer))

    assert response.status_code == 404
    assert response.get_json()["error"] == "not_found"


def test_a_deleted_point_leaves_its_tokens_invalid(client, bearer, volunteer, make_shift):
    lonely = ServicePoint(commune_id=1, name="Tạm", address="Hà Nội")
    db.session.add(lonely)
    db.session.flush()
    token = tokens.poster_token(db.session, lonely)
    db.session.delete(lonely)

    response = client.post("/api/v1/checkins", json=_body(token), headers=bearer(volunteer))

    assert response.get_json()["error"] == "invalid_token"
