"""Logging assisted submissions and reading the procedure catalogue through the API."""

import uuid

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.roles import Role
from impact.assists.models import AssistedSubmission
from tests.harness import at_once


@pytest.fixture(autouse=True)
def _volunteer_on_duty(volunteer, on_duty):
    """The volunteer is checked in at the service point now: only then do their entries count
    (tests of who may log, and when, are in tests/app/test_assist_admission.py)."""
    on_duty(volunteer)


def _count():
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(AssistedSubmission))


def _post(client, entry, headers):
    return client.post("/api/v1/assists", json=entry, headers=headers)


def test_a_new_entry_is_created(client, volunteer, service_point, assist_entry, bearer):
    entry = assist_entry(offline=True)
    response = _post(client, entry, bearer(volunteer))

    assert response.status_code == 201
    body = response.get_json()
    assert body["id"] == entry["id"]
    assert body["service_point"] == {"id": service_point.id, "name": service_point.name}
    assert body["commune"]["code"] == "00130"
    assert body["procedure"] == {"code": "birth-registration", "name": "Birth registration"}
    assert (body["channel"], body["level"], body["outcome"]) == (
        "vneid",
        "fully_online",
        "submitted",
    )
    assert (body["offline"], body["late"], body["voided_at"]) == (True, False, None)
    row = db.session.get(AssistedSubmission, uuid.UUID(entry["id"]))
    assert row.volunteer_id == volunteer.id


def test_the_same_id_answers_200_with_the_stored_entry_even_if_the_body_differs(
    client, volunteer, assist_entry, bearer
):
    headers = bearer(volunteer)
    entry = assist_entry()
    first = _post(client, entry, headers)
    again = _post(client, {**entry, "channel": "paper", "level": "paper"}, headers)
    broken = _post(client, {"id": entry["id"], "channel": "fax"}, headers)

    assert (first.status_code, again.status_code, broken.status_code) == (201, 200, 200)
    assert again.get_json() == first.get_json() == broken.get_json()
    assert _count() == 1


def test_errors_come_per_field_in_the_requests_language(client, volunteer, assist_entry, bearer):
    entry = assist_entry(channel="fax", procedure="nope", outcome="not_submitted")
    english = _post(client, entry, bearer(volunteer, "en"))
    vietnamese = _post(client, entry, bearer(volunteer, "vi"))

    assert english.status_code == vietnamese.status_code == 422
    body = english.get_json()
    assert body["error"] == "invalid"
    assert set(body["fields"]) == {"channel", "procedure", "reason"}
    assert body["fields"]["procedure"] == "No procedure has this code."
    assert body["fields"]["reason"] == "Choose why the dossier could not be submitted."
    assert set(vietnamese.get_json()["fields"]) == set(body["fields"])
    assert _count() == 0


def test_a_body_that_is_not_an_object_is_a_bad_request(client, volunteer, bearer):
    response = client.post("/api/v1/assists", json=[1, 2], headers=bearer(volunteer))
    assert response.status_code == 400
    assert response.get_json()["error"] == "bad_request"


def test_another_persons_id_is_refused(client, volunteer, make_volunteer, assist_entry, bearer):
    entry = assist_entry()
    _post(client, entry, bearer(volunteer))
    response = _post(client, entry, bearer(make_volunteer()))
    assert response.status_code == 409
    assert response.get_json()["error"] == "id_taken"
    assert "service_point" not in response.get_json()


def test_the_api_needs_a_bearer_token_not_a_cookie(client, login, volunteer, assist_entry):
    login(volunteer)
    response = _post(client, assist_entry(), {})
    assert response.status_code == 401
    assert _count() == 0


def test_a_learner_may_not_log(client, make_user, assist_entry, bearer):
    response = _post(client, assist_entry(), bearer(make_user(Role.LEARNER)))
    assert response.status_code == 403


def test_the_same_id_from_twenty_threads_makes_one_row(app, volunteer, assist_entry, bearer):
    headers = bearer(volunteer)
    entry = assist_entry()
    db.session.commit()

    def send():
        return app.test_client().post("/api/v1/assists", json=entry, headers=headers).status_code

    statuses = at_once(app, [send] * 20)

    assert sorted(statuses) == [200] * 19 + [201]
    assert _count() == 1


def test_the_catalogue_is_named_in_the_requests_language(client, volunteer, procedures, bearer):
    english = client.get("/api/v1/procedures", headers=bearer(volunteer, "en")).get_json()
    vietnamese = client.get("/api/v1/procedures", headers=bearer(volunteer, "vi")).get_json()

    assert len(english) == len(vietnamese) >= 30
    assert {"code": "birth-registration", "name": "Birth registration"} in english
    assert {"code": "birth-registration", "name": "Đăng ký khai sinh"} in vietnamese
    assert all(set(item) == {"code", "name"} for item in english)


def test_the_catalogue_needs_a_token(client, procedures):
    assert client.get("/api/v1/procedures").status_code == 401
