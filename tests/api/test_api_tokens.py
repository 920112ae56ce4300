"""POST /api/v1/tokens, and how a bearer token (and only a bearer token) signs API requests in."""

from datetime import timedelta

from sqlalchemy import select

from app.api.models import ApiToken
from app.api.services import hash_token, issue_token, token_for
from app.auth import services as accounts
from app.auth.models import RoleGrant
from app.database import utcnow
from app.extensions import db
from app.roles import Role
from tests.conftest import PASSWORD
from tests.scheduling.test_booking_statements import recorded, statements


def test_right_credentials_give_a_token_whose_hash_alone_is_stored(client, volunteer):
    response = client.post(
        "/api/v1/tokens", json={"email": volunteer.email.upper(), "password": PASSWORD}
    )

    assert response.status_code == 201
    token = response.get_json()["token"]
    assert len(token) >= 40
    stored = db.session.scalars(select(ApiToken)).one()
    assert stored.user_id == volunteer.id
    assert stored.token_hash == hash_token(token) != token


def test_the_token_signs_in_api_requests_and_records_its_use(client, volunteer):
    token = client.post(
        "/api/v1/tokens", json={"email": volunteer.email, "password": PASSWORD}
    ).get_json()["token"]

    response = client.get("/api/v1/me/bookings", headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 200
    assert response.get_json() == []
    assert db.session.scalars(select(ApiToken)).one().last_used_at is not None


def test_a_wrong_password_is_refused_in_the_readers_language(client, volunteer):
    response = client.post(
        "/api/v1/tokens",
        json={"email": volunteer.email, "password": "not the password"},
        headers={"Accept-Language": "vi"},
    )

    assert response.status_code == 401
    assert response.get_json() == {"error": "unauthorized", "message": "Sai email hoặc mật khẩu."}
    assert db.session.scalars(select(ApiToken)).all() == []


def test_an_api_answer_takes_the_best_language_its_header_names_each_time(client):
    """Accept-Language as a phone sends it: weighted, with regions, naming languages the site
    does not have. The same header asked twice (remembered by its text) answers the same."""
    english, vietnamese = "Wrong email or password.", "Sai email hoặc mật khẩu."
    cases = [
        ("en-US,en;q=0.9", english),
        ("fr-FR, vi;q=0.8, en;q=0.5", vietnamese),
        ("vi;q=0.2, en;q=0.7", english),
        ("fr", vietnamese),  # none of the site's: the default, Vietnamese
        ("", vietnamese),
        ("en-US,en;q=0.9", english),
    ]
    answers = []
    for header, _expected in cases + cases:
        response = client.post(
            "/api/v1/tokens",
            json={"email": "nobody@example.test", "password": PASSWORD},
            headers={"Accept-Language": header},
        )
        answers.append((header, response.get_json()["message"]))

    assert answers == [(header, expected) for header, expected in cases + cases]


def test_an_unknown_email_is_refused_like_a_wrong_password(client):
    response = client.post(
        "/api/v1/tokens",
        json={"email": "nobody@example.test", "password": PASSWORD},
        headers={"Accept-Language": "en"},
    )

    assert response.status_code == 401
    assert response.get_json() == {"error": "unauthorized", "message": "Wrong email or password."}


def test_a_body_without_email_and_password_is_a_bad_request(client):
    for body in ({}, {"email": "a@example.test"}, {"email": 1, "password": 2}):
        response = client.post("/api/v1/tokens", json=body)
        assert response.status_code == 400
        assert response.get_json()["error"] == "bad_request"
    response = client.post("/api/v1/tokens", data="not json", content_type="text/plain")
    assert response.status_code == 400


def test_an_unknown_or_malformed_token_is_anonymous(client, volunteer):
    for header in ("Bearer not-a-token", "Basic dXNlcjpwYXNz", "Bearer ", "Bearer"):
        response = client.get(
            "/api/v1/me/bookings", headers={"Authorization": header, "Accept-Language": "en"}
        )
        assert response.status_code == 401, header
        assert response.get_json() == {
            "error": "unauthorized",
            "message": "Please log in to continue.",
        }


def test_a_disabled_account_token_stops_working(client, volunteer, bearer):
    headers = bearer(volunteer)
    volunteer.active = False

    assert client.get("/api/v1/me/bookings", headers=headers).status_code == 401


def test_a_session_cookie_does_not_sign_in_the_api(client, volunteer, login, shift):
    login(volunteer)

    assert client.get("/profile").status_code == 200
    assert client.get("/api/v1/me/bookings").status_code == 401
    assert client.post(f"/api/v1/shifts/{shift.id}/bookings").status_code == 401


def test_a_bearer_token_does_not_sign_in_the_html_pages(client, volunteer, bearer):
    response = client.get("/profile", headers=bearer(volunteer))

    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_tokens_are_limited_like_the_login_form_and_the_api_needs_no_csrf_token(
    limited_app, volunteer, shift
):
    limited = limited_app(WTF_CSRF_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute")
    db.session.commit()
    client = limited.test_client()
    good = {"email": volunteer.email, "password": PASSWORD}
    token = client.post("/api/v1/tokens", json=good).get_json()["token"]
    booked = client.post(
        f"/api/v1/shifts/{shift.id}/bookings", headers={"Authorization": f"Bearer {token}"}
    )
    wrong = {"email": volunteer.email, "password": "wrong password"}
    answers = [client.post("/api/v1/tokens", json=wrong) for _ in range(4)]
    # another address, same email: the guesses here do not lock the owner out there
    other = client.post("/api/v1/tokens", json=good, environ_base={"REMOTE_ADDR": "10.0.0.9"})

    assert booked.status_code == 201
    # the token that worked cost nothing: three failures, then the fourth is refused
    assert [r.status_code for r in answers] == [401, 401, 401, 429]
    assert answers[3].get_json()["error"] == "rate_limited"
    assert other.status_code == 201


def _stored_token():
    return db.session.scalars(select(ApiToken)).one()


def test_a_token_unused_for_90_days_answers_401(client, volunteer, bearer):
    headers = bearer(volunteer)
    stored = _stored_token()
    stored.created_at = stored.last_used_at = utcnow() - timedelta(days=90, minutes=1)

    assert client.get("/api/v1/me/bookings", headers=headers).status_code == 401


def test_a_token_never_used_expires_90_days_after_its_creation(client, volunteer, bearer):
    headers = bearer(volunteer)
    _stored_token().created_at = utcnow() - timedelta(days=91)

    assert client.get("/api/v1/me/bookings", headers=headers).status_code == 401


def test_each_use_renews_the_token_for_90_days(client, volunteer, bearer):
    headers = bearer(volunteer)
    stored = _stored_token()
    stored.created_at = utcnow() - timedelta(days=300)
    stored.last_used_at = utcnow() - timedelta(days=89)

    assert client.get("/api/v1/me/bookings", headers=headers).status_code == 200
    assert utcnow() - _stored_token().last_used_at < timedelta(minutes=1)


def test_the_profile_lists_tokens_without_their_secret_and_revokes_one(
    client, login, volunteer, bearer
):
    kept, revoked = bearer(volunteer), bearer(volunteer)
    first, second = db.session.scalars(select(ApiToken).order_by(ApiToken.id)).all()
    hashes, second_id = [first.token_hash, second.token_hash], second.id
    login(volunteer)

    page = client.get("/profile").get_data(as_text=True)
    response = client.post(f"/profile/tokens/{second_id}/revoke")

    assert "Mã truy cập cho ứng dụng" in page and "Chưa dùng" in page  # the user reads vi
    for secret in (kept, revoked):
        assert secret["Authorization"].split()[1] not in page
    assert not any(token_hash in page for token_hash in hashes)
    assert response.status_code == 302
    assert client.get("/api/v1/me/bookings", headers=revoked).status_code == 401
    assert client.get("/api/v1/me/bookings", headers=kept).status_code == 200


def test_nobody_revokes_another_persons_token(client, login, volunteer, make_user, bearer):
    headers = bearer(volunteer)
    stranger = make_user(Role.VOLUNTEER)
    login(stranger)

    response = client.post(f"/profile/tokens/{_stored_token().id}/revoke")

    assert response.status_code == 404
    assert client.get("/api/v1/me/bookings", headers=headers).status_code == 200


def test_a_password_reset_revokes_every_token(app, client, volunteer, bearer):
    tokens = [bearer(volunteer), bearer(volunteer)]
    reset = accounts.password_reset_token(app.config["SECRET_KEY"], volunteer)

    client.post(
        f"/password/reset/{reset}",
        data={"password": "lantern harbour 42", "confirm": "lantern harbour 42"},
    )

    assert db.session.scalars(select(ApiToken)).all() == []
    for headers in tokens:
        assert client.get("/api/v1/me/bookings", headers=headers).status_code == 401


def test_a_token_gives_its_user_with_every_role_in_one_statement(make_user, bo_de):
    both = make_user(Role.VOLUNTEER, Role.COORDINATOR, commune=bo_de)
    none = make_user()
    expected = [
        (issue_token(db.session, both), {Role.VOLUNTEER, Role.COORDINATOR}),
        (issue_token(db.session, none), set()),
    ]
    db.session.commit()
    db.session.expunge_all()

    for token, roles in expected:
        with recorded() as log:
            found = token_for(db.session, token).user.roles
        assert found == roles
        assert len(statements(log)) == 1, log["statements"]
        db.session.expunge_all()


def test_a_grant_changed_after_the_token_lookup_changes_the_users_roles(volunteer):
    token = issue_token(db.session, volunteer)
    db.session.commit()
    db.session.expunge_all()
    user = token_for(db.session, token).user

    user.grants.append(RoleGrant(role=Role.ADMIN))
    assert user.roles == {Role.VOLUNTEER, Role.ADMIN}
    user.grants[:] = [g for g in user.grants if g.role == Role.ADMIN]
    assert user.roles == {Role.ADMIN}
