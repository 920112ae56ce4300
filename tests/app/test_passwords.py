"""The password policy (app/auth/passwords.py, NIST SP 800-63B): at least 10 characters and not
a common password, wherever a person chooses one; existing passwords such as the demo's still
sign in."""

import pytest
from sqlalchemy import func, select
from werkzeug.security import check_password_hash

from app.auth import passwords
from app.auth import services as accounts
from app.auth.models import User
from app.demo import PASSWORD as DEMO_PASSWORD
from app.extensions import db
from app.roles import Role
from tests.conftest import PASSWORD

COMMON = (
    "This password is one of the most common ones, which are guessed first. Choose another: "
    "a few words you will remember are a good password."
)
SHORT = "A password has 10 to 128 characters."


@pytest.fixture(autouse=True)
def english(client):
    client.set_cookie("lang", "en")


def test_the_list_of_common_passwords_has_at_least_ten_thousand_entries():
    common = passwords.common_passwords()
    assert len(common) >= 10_000
    assert {"123456", "password", "qwertyuiop", "1234567890"} <= common


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("demo-pass", "length"),  # 9 characters: too short to choose, though the demo has it
        ("x" * 129, "length"),
        ("qwertyuiop", "common"),
        ("QwertyUIOP", "common"),
        ("1234567890", "common"),
        ("password123", "common"),
        ("Password2025!", "common"),
        ("caunoi2025", "common"),
        ("Mật khẩu 123", "common"),
        ("xxxxxxxxxx", "common"),
        ("1212121212", "common"),
        (PASSWORD, None),
        ("Nguyễn Văn An 1990", None),
        ("a long enough password", None),
    ],
)
def test_a_password_needs_ten_characters_and_must_not_be_common(password, problem):
    assert passwords.problem(password) == problem


def _user_count():
    return db.session.scalar(select(func.count()).select_from(User))


REGISTRATION = {
    "full_name": "Trần Thị Bình",
    "email": "binh@example.com",
    "home_province": "01",
    "home_commune": "bo de",
}


@pytest.mark.parametrize(
    ("password", "message"), [("qwertyuiop", COMMON), ("ninechars", SHORT), (PASSWORD, None)]
)
def test_registration_takes_only_a_password_the_policy_allows(client, password, message):
    data = REGISTRATION | {"password": password, "confirm": password}

    response = client.post("/register", data=data)

    if message is None:
        assert response.status_code == 302
        assert _user_count() == 1
    else:
        assert message in response.get_data(as_text=True)
        assert _user_count() == 0


def test_officer_registration_refuses_a_common_password(client):
    data = REGISTRATION | {
        "password": "iloveyou2024",
        "confirm": "iloveyou2024",
        "position": "Công chức Văn hóa – Xã hội",
    }

    response = client.post("/register/officer", data=data)

    assert COMMON in response.get_data(as_text=True)
    assert _user_count() == 0


def test_a_password_reset_refuses_a_common_password_and_keeps_the_old_one(app, client, volunteer):
    token = accounts.password_reset_token(app.config["SECRET_KEY"], volunteer)

    response = client.post(
        f"/password/reset/{token}", data={"password": "1234567890", "confirm": "1234567890"}
    )

    assert response.status_code == 200
    assert COMMON in response.get_data(as_text=True)
    db.session.refresh(volunteer)
    assert check_password_hash(volunteer.password_hash, PASSWORD)


def test_a_password_set_before_the_policy_still_signs_in(client, make_user):
    """The demo accounts' `demo-pass` is too short to choose today; it still signs in."""
    user = make_user(Role.VOLUNTEER, email="old@demo.local")
    accounts.set_password(user, DEMO_PASSWORD)
    db.session.commit()

    response = client.post("/login", data={"email": user.email, "password": DEMO_PASSWORD})

    assert DEMO_PASSWORD == "demo-pass"
    assert response.status_code == 302


def test_the_cli_refuses_a_common_admin_password(runner):
    result = runner.invoke(
        args=["users", "create-admin", "chief@example.test", "--password", "password12345"]
    )

    assert result.exit_code != 0
    assert "most common" in result.output
    assert _user_count() == 0


@pytest.mark.parametrize("path", ["/register", "/register/officer", "reset"])
def test_the_rule_is_shown_before_a_password_is_chosen(app, client, volunteer, path):
    if path == "reset":
        path = "/password/reset/" + accounts.password_reset_token(
            app.config["SECRET_KEY"], volunteer
        )

    page = client.get(path).get_data(as_text=True)

    assert "At least 10 characters. A few words you will remember make a good password." in page
