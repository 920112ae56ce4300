"""Sessions end: a copied cookie dies with a password reset or "sign out everywhere", logout ends
this browser's remember cookie, and remember-me lasts 30 days."""

from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

from app.auth import services
from app.extensions import db
from tests.conftest import PASSWORD

NEW_PASSWORD = "a brand new password"


def _sign_in_remembered(client, user):
    response = client.post(
        "/login", data={"email": user.email, "password": PASSWORD, "remember": "y"}
    )
    assert response.status_code == 302
    return response


def _copy_cookies(source, target, names=("session", "remember_token")):
    """What a thief does with a browser's cookies: the same values in another browser."""
    for name in names:
        cookie = source.get_cookie(name)
        assert cookie is not None, name
        target.set_cookie(name, cookie.value)


def _signed_in(client) -> bool:
    return client.get("/profile").status_code == 200


def test_a_copied_session_or_remember_cookie_stops_working_after_a_password_reset(
    app, client, volunteer
):
    _sign_in_remembered(client, volunteer)
    copied_session, copied_remember = app.test_client(), app.test_client()
    _copy_cookies(client, copied_session, ("session",))
    _copy_cookies(client, copied_remember, ("remember_token",))
    assert _signed_in(copied_session) and _signed_in(copied_remember)

    token = services.password_reset_token(app.config["SECRET_KEY"], volunteer)
    reset = app.test_client().post(
        f"/password/reset/{token}", data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )

    assert reset.status_code == 302
    assert not _signed_in(copied_session)
    assert not _signed_in(copied_remember)
    assert not _signed_in(client)


def test_sign_out_everywhere_ends_every_other_session_and_keeps_this_one(app, client, volunteer):
    _sign_in_remembered(client, volunteer)
    copied = app.test_client()
    _copy_cookies(client, copied)
    other_device = app.test_client()
    _sign_in_remembered(other_device, volunteer)
    assert _signed_in(copied) and _signed_in(other_device)

    response = client.post("/profile/sign-out-everywhere")

    assert response.status_code == 302
    assert not _signed_in(copied)
    assert not _signed_in(other_device)
    assert _signed_in(client)
    # this browser's new remember cookie works on its own, too
    remembered_here = app.test_client()
    _copy_cookies(client, remembered_here, ("remember_token",))
    assert _signed_in(remembered_here)


def test_sign_out_everywhere_answers_in_the_accounts_language_without_a_language_cookie(
    client, login, volunteer
):
    login(volunteer)
    client.delete_cookie("lang")  # the flashed message then asks the signed-in user's language

    response = client.post("/profile/sign-out-everywhere", follow_redirects=True)

    assert "Bạn đã được đăng xuất trên mọi thiết bị khác." in response.get_data(as_text=True)


def test_sign_out_everywhere_is_a_post(client, login, volunteer):
    login(volunteer)
    version = volunteer.session_version

    assert client.get("/profile/sign-out-everywhere").status_code == 405
    db.session.refresh(volunteer)
    assert volunteer.session_version == version


def test_logout_ends_this_browsers_remember_cookie(client, volunteer):
    _sign_in_remembered(client, volunteer)

    response = client.post("/logout")

    cleared = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("remember_token=")]
    assert cleared and ("Max-Age=0" in cleared[0] or "1970" in cleared[0])
    assert client.get_cookie("remember_token") is None
    assert not _signed_in(client)


def test_remember_me_lasts_30_days(client, volunteer):
    response = _sign_in_remembered(client, volunteer)

    cookie = next(
        c for c in response.headers.getlist("Set-Cookie") if c.startswith("remember_token=")
    )
    expires = parsedate_to_datetime(cookie.split("Expires=")[1].split(";")[0])
    assert abs(expires - (datetime.now(UTC) + timedelta(days=30))) < timedelta(minutes=5)


def test_a_session_naming_the_bare_user_id_is_refused(client, volunteer):
    """Cookies made before session versions existed named only the id: they sign in nobody."""
    with client.session_transaction() as session:
        session["_user_id"] = str(volunteer.id)
        session["_fresh"] = True

    assert not _signed_in(client)
    assert services.user_for_session(db.session, volunteer.get_id()) == volunteer
    assert services.user_for_session(db.session, f"{volunteer.id}:not-the-version") is None
    assert services.user_for_session(db.session, "x:y") is None
