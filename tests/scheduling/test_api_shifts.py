"""GET /api/v1/shifts: the shifts of one commune on one day, with their counts."""

from datetime import timedelta

from app.extensions import db
from scheduling.models import Booking, BookingStatus, ShiftStatus
from tests.harness import MORNING


def test_the_days_shifts_of_a_commune_with_local_times_and_counts(
    client, volunteer, make_volunteer, make_shift, campaign, bearer
):
    morning = make_shift()
    afternoon = make_shift(starts_at=MORNING + timedelta(hours=6, minutes=30))
    make_shift(starts_at=MORNING + timedelta(days=1))  # the next day
    make_shift(starts_at=MORNING + timedelta(hours=2)).status = ShiftStatus.CANCELLED
    db.session.add_all(
        [
            Booking(
                shift_id=morning.id, user_id=make_volunteer().id, status=BookingStatus.CONFIRMED
            ),
            Booking(
                shift_id=morning.id, user_id=make_volunteer().id, status=BookingStatus.WAITLISTED
            ),
        ]
    )

    response = client.get("/api/v1/shifts?commune=00130&date=2030-01-08", headers=bearer(volunteer))

    assert response.status_code == 200
    body = response.get_json()
    assert [s["id"] for s in body] == [morning.id, afternoon.id]
    first = body[0]
    assert first == {
        "id": morning.id,
        "service_point": {"id": morning.service_point.id, "name": morning.service_point.name},
        "commune": {"code": "00130", "name": morning.service_point.commune.name},
        "starts_at": "2030-01-08T07:00:00+07:00",
        "ends_at": "2030-01-08T11:00:00+07:00",
        "capacity": campaign.max_per_shift,
        "booked": 1,
        "waitlisted": 1,
        "skills": [],
        "needs_your_skill": False,
    }
    assert body[1]["starts_at"] == "2030-01-08T13:30:00+07:00"


def test_a_shift_missing_a_skill_the_caller_has_comes_first_and_says_what_it_lacks(
    client, make_volunteer, make_shift, campaign, coordinator, bearer
):
    from scheduling.skills.services import require_skill

    signer = make_volunteer(skills=["digital_signature", "it"])
    early = make_shift()
    late = make_shift(starts_at=MORNING + timedelta(hours=6))
    covered = make_shift(
        starts_at=MORNING + timedelta(hours=8), booked=[make_volunteer(skills=["it"])]
    )
    require_skill(db.session, campaign, "digital_signature", 1, coordinator, shift=late)
    require_skill(db.session, campaign, "it", 1, coordinator, shift=covered)
    db.session.commit()

    body = client.get(
        "/api/v1/shifts?commune=00130&date=2030-01-08", headers=bearer(signer)
    ).get_json()

    assert [s["id"] for s in body] == [late.id, early.id, covered.id]
    assert body[0]["needs_your_skill"] is True
    assert body[0]["skills"] == [
        {
            "skill": "digital_signature",
            "name": "Digital signature",
            "minimum": 1,
            "present": 0,
            "missing": 1,
            "yours": True,
        }
    ]
    # the skill is asked for and met: no one is wanted for it
    assert body[2]["needs_your_skill"] is False and body[2]["skills"][0]["missing"] == 0


def test_a_day_without_shifts_is_an_empty_list(client, volunteer, shift, bearer):
    response = client.get("/api/v1/shifts?commune=00130&date=2030-01-09", headers=bearer(volunteer))
    assert response.status_code == 200
    assert response.get_json() == []


def test_a_bad_date_is_a_bad_request_that_says_the_format(client, volunteer, bearer):
    volunteer.locale = "en"
    for date in ("08/01/2030", "2030-13-01", "", "tomorrow"):
        response = client.get(
            f"/api/v1/shifts?commune=00130&date={date}", headers=bearer(volunteer)
        )
        assert response.status_code == 400, date
        assert response.get_json() == {
            "error": "bad_request",
            "message": "Give the date as YYYY-MM-DD, e.g. 2025-07-15.",
        }


def test_a_missing_commune_is_a_bad_request(client, volunteer, bearer):
    response = client.get("/api/v1/shifts?date=2030-01-08", headers=bearer(volunteer))
    assert response.status_code == 400
    assert response.get_json()["error"] == "bad_request"


def test_an_unknown_commune_is_not_found(client, volunteer, bearer):
    response = client.get("/api/v1/shifts?commune=99999&date=2030-01-08", headers=bearer(volunteer))
    assert response.status_code == 404
    assert response.get_json()["error"] == "not_found"


def test_shifts_need_a_token(client):
    response = client.get("/api/v1/shifts?commune=00130&date=2030-01-08")
    assert response.status_code == 401
