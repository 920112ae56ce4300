"""Accounts: registering, signing in and out, resetting a password, the profile, the CLI."""

import re

import pytest
from sqlalchemy import func, select

from app.auth.models import User
from app.extensions import db
from app.notifications.models import Delivery
from app.roles import Role
from tests.conftest import PASSWORD

REGISTRATION = {
    "full_name": "Trần Thị Bình",
    "email": "Binh@Example.com",
    "password": "a long enough password",
    "confirm": "a long enough password",
    "home_province": "01",
    "home_commune": "bo de",
    "skills": ["it", "elderly"],
}


@pytest.fixture(autouse=True)
def english(client):
    """Read the pages in English, so the messages below are the msgids."""
    client.set_cookie("lang", "en")


def _user_count():
    return db.session.scalar(select(func.count(User.id)))


def _mails_to(email):
    """The mails sent to that address: committed, so the queue (immediate in tests) words and
    sends them."""
    db.session.commit()
    return db.session.scalars(
        select(Delivery).where(Delivery.channel == "mail", Delivery.address == email)
    ).all()


def test_registration_creates_a_volunteer_in_the_commune_typed_without_accents(client, bo_de):
    response = client.post("/register", data=REGISTRATION)

    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "binh@example.com"))
    assert user.roles == {Role.VOLUNTEER}
    assert user.home_commune == bo_de
    assert user.home_commune.province.code == "01"
    assert sorted(user.skills) == ["elderly", "it"]
    (mail,) = _mails_to("binh@example.com")
    assert "Your volunteer account is ready." in mail.body
    assert "https://caunoi.example.vn/login" in mail.body
    signed_in = client.post(
        "/login", data={"email": "binh@example.com", "password": REGISTRATION["password"]}
    )
    assert signed_in.status_code == 302
    assert "Trần Thị Bình" in client.get("/profile").get_data(as_text=True)


def _register_answer(client):
    """What the registering browser sees: the answer, then the page it is sent to."""
    client.set_cookie("lang", "en")
    response = client.post("/register", data=REGISTRATION)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    page = re.sub(r'name="csrf_token" value="[^"]+"', "", page)  # random for every session
    cookies = sorted(k for k, _v in response.headers.items() if k == "Set-Cookie")
    return response.status_code, response.headers["Location"], cookies, page


def test_registration_answers_alike_whether_the_email_has_an_account(app, make_user):
    """An attacker learns nothing from /register: same status, page and message either way;
    the owner of the address is told by mail, and nothing about their account changes."""
    new = _register_answer(app.test_client())
    db.session.execute(Delivery.__table__.delete())
    db.session.execute(User.__table__.delete().where(User.email == "binh@example.com"))
    owner = make_user(Role.VOLUNTEER, email="binh@example.com", full_name="Bình đã có", locale="en")
    before = (owner.password_hash, owner.full_name, owner.home_commune_id, owner.skills)

    taken = _register_answer(app.test_client())

    assert taken == new
    assert "A message is on its way to binh@example.com" in taken[3]
    assert "already exists" not in taken[3]
    db.session.refresh(owner)
    assert (owner.password_hash, owner.full_name, owner.home_commune_id, owner.skills) == before
    assert _user_count() == 1
    (mail,) = _mails_to("binh@example.com")
    assert "Someone tried to register" in mail.body
    assert "https://caunoi.example.vn/password/forgot" in mail.body


def test_registration_with_a_bad_email_and_a_short_password_writes_nothing(client):
    data = REGISTRATION | {"email": "not-an-email", "password": "short", "confirm": "short"}

    response = client.post("/register", data=data)

    page = response.get_data(as_text=True)
    assert "Invalid email address." in page
    assert "A password has 10 to 128 characters." in page
    assert _user_count() == 0


def test_registration_with_an_unknown_commune_says_so_and_writes_nothing(client):
    response = client.post("/register", data=REGISTRATION | {"home_commune": "Atlantis"})

    assert "No commune or ward of that name in this province." in response.get_data(as_text=True)
    assert _user_count() == 0


def test_login_with_a_wrong_password_is_refused(client, volunteer):
    response = client.post("/login", data={"email": volunteer.email, "password": "wrong pass"})

    assert response.status_code == 200
    assert "Wrong email or password." in response.get_data(as_text=True)
    assert client.get("/profile").status_code == 302


def test_login_then_logout(client, login, volunteer):
    login(volunteer)
    assert client.get("/profile").status_code == 200

    response = client.post("/logout", follow_redirects=True)

    assert "You are signed out." in response.get_data(as_text=True)
    assert client.get("/profile").status_code == 302


def test_logout_is_not_a_get(client, login, volunteer):
    login(volunteer)
    assert client.get("/logout").status_code == 405
    assert client.get("/profile").status_code == 200


def _reset_link(client, email):
    client.post("/password/forgot", data={"email": email})
    message = db.session.scalars(select(Delivery)).one()
    assert message.address == email
    return re.search(r"https://caunoi.example.vn(/password/reset/\S+)", message.body).group(1)


def test_password_reset_works_once(client, login, volunteer):
    link = _reset_link(client, volunteer.email)
    new = {"password": "a brand new password", "confirm": "a brand new password"}

    response = client.post(link, data=new)

    assert response.status_code == 302
    old = client.post("/login", data={"email": volunteer.email, "password": PASSWORD})
    assert "Wrong email or password." in old.get_data(as_text=True)
    signed_in = client.post(
        "/login", data={"email": volunteer.email, "password": "a brand new password"}
    )
    assert signed_in.status_code == 302
    again = client.get(link)
    assert again.status_code == 400
    assert "This link is not valid. Ask for a new one." in again.get_data(as_text=True)


def test_forgot_password_answers_the_same_for_an_unknown_email(client):
    response = client.post("/password/forgot", data={"email": "nobody@example.test"})

    assert response.status_code == 302
    assert db.session.scalars(select(Delivery)).all() == []


def test_a_tampered_reset_link_is_refused(client, volunteer):
    link = _reset_link(client, volunteer.email)

    response = client.post(link[:-3] + "xyz", data={"password": "x" * 10, "confirm": "x" * 10})

    assert response.status_code == 400
    assert "This link is not valid. Ask for a new one." in response.get_data(as_text=True)


def test_an_expired_reset_link_is_refused(app, client, volunteer):
    link = _reset_link(client, volunteer.email)
    max_age = app.config["PASSWORD_RESET_MAX_AGE"]
    app.config["PASSWORD_RESET_MAX_AGE"] = -1
    try:
        response = client.get(link)
    finally:
        app.config["PASSWORD_RESET_MAX_AGE"] = max_age

    assert response.status_code == 400
    assert "This link has expired. Ask for a new one." in response.get_data(as_text=True)


def test_profile_saves_the_language(client, login, volunteer):
    login(volunteer)
    data = {
        "full_name": "Nguyễn Văn An",
        "home_province": "01",
        "home_commune": "Phường Bồ Đề",
        "locale": "en",
    }

    response = client.post("/profile", data=data)

    assert response.status_code == 302
    db.session.refresh(volunteer)
    assert volunteer.locale == "en"
    assert volunteer.home_commune.code == "00130"


def test_cli_creates_an_admin(runner):
    result = runner.invoke(
        args=["users", "create-admin", "Chief@Example.test", "--password", "a long admin password"]
    )

    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "chief@example.test"))
    assert user.roles == {Role.ADMIN}


def test_the_fourth_login_attempt_in_a_minute_is_refused(limited_app):
    limited = limited_app(LOGIN_RATE_LIMIT="3 per minute")
    client = limited.test_client()
    client.set_cookie("lang", "en")
    form = {"email": "someone@example.test", "password": "wrong password"}
    answers = [client.post("/login", data=form) for _ in range(4)]

    assert [r.status_code for r in answers] == [200, 200, 200, 429]
    assert "Too many attempts. Please wait a minute and try again." in answers[3].get_data(
        as_text=True
    )
