"""POST /api/v1/assists refuses, with a reason code and a sentence, whoever may not log there
(the rules themselves: tests/app/test_assist_admission.py)."""

from app.extensions import db


def test_the_api_refuses_with_a_reason_code_and_a_sentence(
    client, bearer, make_volunteer, assist_entry
):
    response = client.post("/api/v1/assists", json=assist_entry(), headers=bearer(make_volunteer()))

    assert response.status_code == 403
    assert response.get_json()["error"] == "not_checked_in"
    assert response.get_json()["message"].startswith("Check in at this service point")


def test_the_api_answers_429_over_the_hourly_limit(
    app, monkeypatch, client, bearer, volunteer, on_duty, assist_entry
):
    monkeypatch.setitem(app.config, "ASSIST_HOURLY_LIMIT", 1)
    on_duty(volunteer)
    db.session.commit()
    headers = bearer(volunteer)

    assert client.post("/api/v1/assists", json=assist_entry(), headers=headers).status_code == 201
    refused = client.post("/api/v1/assists", json=assist_entry(), headers=headers)

    assert refused.status_code == 429 and refused.get_json()["error"] == "rate_limited"
