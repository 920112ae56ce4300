"""Learners without email: a resident joins in one step, keeps a personal code and a QR, and
resumes on another device; officers register; the large-text switch; the listen button."""

import hashlib
import re

import pytest
from sqlalchemy import func, select

from app.auth.models import RoleGrant, User
from app.codes import CODE_ALPHABET
from app.extensions import db
from app.notifications.models import Delivery
from app.qr import qr_svg
from app.roles import Role
from courses.learners import services
from courses.learners.models import LearnerProfile
from courses.services import import_courses

JOIN = {"full_name": "Bà Nguyễn Thị Lan", "home_province": "01", "home_commune": "bo de"}
OFFICER = {
    "full_name": "Lê Văn Hùng",
    "email": "Hung.Le@Example.com",
    "password": "a long enough password",
    "confirm": "a long enough password",
    "home_province": "01",
    "home_commune": "bo de",
    "position": "Công chức Tư pháp – Hộ tịch",
}
CODE_ON_PAGE = re.compile(r'id="personal-code"[^>]*>([A-Z0-9]{4}-[A-Z0-9]{4})<')


@pytest.fixture(autouse=True)
def english(client):
    """Read the pages in English, so the messages below are the msgids."""
    client.set_cookie("lang", "en")


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def _join(client, **fields):
    """Join as a resident; returns the response and the code shown on the next page."""
    response = client.post("/learn/join", data=JOIN | fields)
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    assert response.headers["Location"].endswith("/learn/code")
    page = client.get("/learn/code").get_data(as_text=True)
    return response, CODE_ON_PAGE.search(page).group(1)


def _resident():
    return db.session.scalar(select(User).where(User.full_name == JOIN["full_name"]))


def _signed_in_as(client):
    """The name shown on the learner's code page, or None when the client is not signed in."""
    response = client.get("/learn/code")
    if response.status_code != 200:
        return None
    return (
        re.search(r'class="code-name">([^<·]+)', response.get_data(as_text=True)).group(1).strip()
    )


def test_joining_creates_a_learner_without_email_in_the_commune_typed_without_accents(
    client, bo_de
):
    response, _ = _join(client, phone="0912 345 678")

    user = _resident()
    assert user.roles == {Role.LEARNER}
    assert user.email is None and user.password_hash is None
    assert user.home_commune == bo_de
    assert user.phone == "0912 345 678"
    assert services.audience_of(db.session, user) == "resident"
    # Remembered: a cheap phone stays signed in after the browser closes.
    assert "remember_token=" in " ".join(response.headers.getlist("Set-Cookie"))
    assert _signed_in_as(client) == "Bà Nguyễn Thị Lan"


def test_the_code_is_shown_once_in_full_and_only_its_hash_is_stored(client):
    _, code = _join(client)

    again = client.get("/learn/code").get_data(as_text=True)
    assert code not in again and CODE_ON_PAGE.search(again) is None
    assert "<svg" in again  # the QR can be shown again
    profile = db.session.scalar(select(LearnerProfile))
    plain = code.replace("-", "")
    assert profile.code_hash == hashlib.sha256(plain.encode()).hexdigest()
    assert all(ch in CODE_ALPHABET for ch in plain)
    stored = [str(v) for v in db.session.execute(select(LearnerProfile.__table__)).one()]
    stored += [str(v) for v in db.session.execute(select(User.__table__)).one()]
    assert not any(plain in value for value in stored)


def test_the_code_typed_on_another_device_signs_in_the_same_person(app, client):
    _, code = _join(client)
    other = app.test_client()
    other.set_cookie("lang", "en")
    assert _signed_in_as(other) is None

    # Typed carelessly: lower case, a space instead of the dash.
    response = other.post("/learn/resume", data={"code": code.lower().replace("-", " ")})

    assert response.status_code == 302
    assert "remember_token=" in " ".join(response.headers.getlist("Set-Cookie"))
    assert _signed_in_as(other) == "Bà Nguyễn Thị Lan"
    assert _count(User) == 1


def test_a_wrong_code_says_so_clearly_and_changes_nothing(app, client):
    _, code = _join(client)
    profile = db.session.scalar(select(LearnerProfile))
    before = (profile.code_hash, profile.code_issued_at)
    other = app.test_client()
    other.set_cookie("lang", "en")
    wrong = "2222-2222" if code != "2222-2222" else "3333-3333"

    answers = [other.post("/learn/resume", data={"code": typed}) for typed in (wrong, "hello")]

    for response in answers:
        assert response.status_code == 200
        assert "This code is not right. Check it on your card" in response.get_data(as_text=True)
    assert _signed_in_as(other) is None
    db.session.refresh(profile)
    assert (profile.code_hash, profile.code_issued_at) == before
    assert _count(User) == 1


def test_the_fourth_code_attempt_in_a_minute_is_refused(limited_app):
    limited = limited_app(LEARNER_CODE_RATE_LIMIT="3 per minute")
    client = limited.test_client()
    client.set_cookie("lang", "en")
    answers = [client.post("/learn/resume", data={"code": "2222-3333"}) for _ in range(4)]

    assert [r.status_code for r in answers] == [200, 200, 200, 429]


def test_wrong_codes_from_every_address_together_pause_the_codes_with_a_clear_sentence(
    limited_app, client
):
    _response, code = _join(client)
    limited = limited_app(
        LEARNER_CODE_RATE_LIMIT="3 per minute", LEARNER_CODE_GLOBAL_RATE_LIMIT="5 per hour"
    )
    guesser = limited.test_client()
    guesser.set_cookie("lang", "en")
    answers = [
        guesser.post(
            "/learn/resume",
            data={"code": "2222-3333"},
            environ_base={"REMOTE_ADDR": f"10.0.10.{n}"},
        )
        for n in range(1, 7)
    ]
    # the resident's own right code, from yet another address, waits too: that is the slow-down
    resident = limited.test_client()
    resident.set_cookie("lang", "en")
    own = resident.post(
        "/learn/resume", data={"code": code}, environ_base={"REMOTE_ADDR": "10.0.10.99"}
    )

    assert [r.status_code for r in answers] == [200] * 5 + [429]
    for refused in (answers[5], own):
        assert refused.status_code == 429
        assert "Too many wrong codes were typed on this site in the last hour" in (
            refused.get_data(as_text=True)
        )


def test_right_codes_from_one_service_point_are_not_counted(limited_app, client):
    _response, code = _join(client)
    limited = limited_app(
        LEARNER_CODE_RATE_LIMIT="3 per minute", LEARNER_CODE_GLOBAL_RATE_LIMIT="3 per hour"
    )
    answers = []
    for _ in range(6):
        device = limited.test_client()
        answers.append(device.post("/learn/resume", data={"code": code}))

    assert [r.status_code for r in answers] == [302] * 6


def test_the_qr_url_asks_once_then_signs_in_on_another_device(app, client):
    _join(client)
    user = _resident()
    profile = services.profile_of(db.session, user)
    url = "/learn/resume/" + services.resume_token(app.config["SECRET_KEY"], user, profile)
    other = app.test_client()
    other.set_cookie("lang", "en")

    page = other.get(url)
    assert page.status_code == 200
    assert "Continue as Bà Nguyễn Thị Lan on this device?" in page.get_data(as_text=True)
    assert _signed_in_as(other) is None  # opening the link alone signs nobody in

    assert other.post(url).status_code == 302
    assert _signed_in_as(other) == "Bà Nguyễn Thị Lan"


def test_the_code_page_shows_the_qr_of_the_resume_url(app, client):
    _join(client)
    user = _resident()
    token = services.resume_token(
        app.config["SECRET_KEY"], user, services.profile_of(db.session, user)
    )

    html = client.get("/learn/code").get_data(as_text=True)

    expected = qr_svg(f"https://caunoi.example.vn/learn/resume/{token}", "label")
    assert expected.split('aria-label="label"', 1)[1] in html
    assert 'aria-label="QR code to continue learning on another device"' in html


def test_a_new_code_replaces_the_old_code_and_its_qr(app, client):
    _, old = _join(client)
    user = _resident()
    old_url = "/learn/resume/" + services.resume_token(
        app.config["SECRET_KEY"], user, services.profile_of(db.session, user)
    )

    response = client.post("/learn/code/new")
    new = CODE_ON_PAGE.search(client.get(response.headers["Location"]).get_data(as_text=True))

    assert new is not None and new.group(1) != old
    other = app.test_client()
    other.set_cookie("lang", "en")
    refused = other.post("/learn/resume", data={"code": old})
    assert "This code is not right" in refused.get_data(as_text=True)
    stale = other.get(old_url)
    assert stale.status_code == 400
    assert "This QR code does not work" in stale.get_data(as_text=True)
    assert other.post("/learn/resume", data={"code": new.group(1)}).status_code == 302


def test_a_tampered_qr_url_is_refused(app, client):
    _join(client)
    user = _resident()
    token = services.resume_token(
        app.config["SECRET_KEY"], user, services.profile_of(db.session, user)
    )
    response = client.get("/learn/resume/" + token[:-2] + ("AA" if token[-2:] != "AA" else "BB"))
    assert response.status_code == 400
    assert "This QR code does not work" in response.get_data(as_text=True)


def test_a_code_never_signs_in_an_account_that_holds_more_than_the_learner_role(app, client):
    _, code = _join(client)
    user = _resident()
    user.grants.append(RoleGrant(role=Role.VOLUNTEER))
    db.session.flush()
    other = app.test_client()
    other.set_cookie("lang", "en")

    response = other.post("/learn/resume", data={"code": code})

    assert "This code is not right" in response.get_data(as_text=True)
    assert _signed_in_as(other) is None


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"full_name": "  "}, "Enter your name."),
        ({"home_commune": "khong co xa nay"}, "No commune or ward of that name in this province."),
        ({"home_commune": ""}, "Enter your commune or ward."),
        ({"home_province": ""}, "Choose a province."),
        ({"phone": "12"}, "Enter a phone number of 8 to 20 digits."),
    ],
)
def test_joining_with_bad_input_writes_nothing(client, fields, message):
    response = client.post("/learn/join", data=JOIN | fields)

    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert _count(User) == 0 and _count(LearnerProfile) == 0
    assert client.get("/learn/code").status_code == 302  # not signed in


def _mails_to(email):
    return db.session.scalars(
        select(Delivery).where(Delivery.channel == "mail", Delivery.address == email)
    ).all()


def test_officer_registration_gives_the_learner_role_and_an_officer_profile(client, bo_de):
    response = client.post("/register/officer", data=OFFICER)

    assert response.status_code == 302 and response.headers["Location"] == "/login"
    (mail,) = _mails_to("hung.le@example.com")
    assert "Your learner account for the courses is ready." in mail.body
    assert "https://caunoi.example.vn/login?next=/courses" in mail.body
    signed_in = client.post(
        "/login", data={"email": "hung.le@example.com", "password": OFFICER["password"]}
    )
    assert signed_in.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "hung.le@example.com"))
    assert user.roles == {Role.LEARNER}
    assert user.home_commune == bo_de
    profile = services.profile_of(db.session, user)
    assert (profile.audience, profile.position) == ("officer", "Công chức Tư pháp – Hộ tịch")
    assert profile.code_hash is None  # officers sign in with email and password
    assert services.audience_of(db.session, user) == "officer"
    page = client.get("/learn/code").get_data(as_text=True)
    assert "You sign in with your email and password." in page
    assert client.post("/learn/code/new").status_code == 403


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"position": ""}, "Enter your position."),
        ({"email": "not-an-email"}, "Invalid email address."),
        ({"password": "short", "confirm": "short"}, "A password has 10 to 128 characters."),
        (
            {"password": "qwertyuiop", "confirm": "qwertyuiop"},
            "This password is one of the most common ones, which are guessed first.",
        ),
        ({"confirm": "another password"}, "The passwords differ."),
        ({"home_commune": "khong co xa nay"}, "No commune or ward of that name in this province."),
        ({"position": "x" * 201}, "Field cannot be longer than 200 characters."),
    ],
)
def test_officer_registration_with_bad_input_writes_nothing(client, fields, message):
    response = client.post("/register/officer", data=OFFICER | fields)

    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert _count(User) == 0 and _count(LearnerProfile) == 0


def _officer_answer(client):
    """What the registering browser sees: the answer, then the page it is sent to."""
    client.set_cookie("lang", "en")
    response = client.post("/register/officer", data=OFFICER)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    page = re.sub(r'name="csrf_token" value="[^"]+"', "", page)  # random for every session
    cookies = sorted(k for k, _v in response.headers.items() if k == "Set-Cookie")
    return response.status_code, response.headers["Location"], cookies, page


def test_officer_registration_answers_alike_whether_the_email_has_an_account(app, make_user):
    """An attacker learns nothing from /register/officer: the same answer, page and message;
    the owner of the address is told by mail, and nothing about their account changes."""
    new = _officer_answer(app.test_client())
    db.session.execute(Delivery.__table__.delete())
    db.session.execute(LearnerProfile.__table__.delete())
    db.session.execute(User.__table__.delete())
    owner = make_user(Role.VOLUNTEER, email="hung.le@example.com", locale="en")
    before = (owner.password_hash, owner.full_name, owner.roles)

    taken = _officer_answer(app.test_client())

    assert taken == new
    assert "A message is on its way to hung.le@example.com" in taken[3]
    assert "already exists" not in taken[3]
    db.session.refresh(owner)
    assert (owner.password_hash, owner.full_name, owner.roles) == before
    assert _count(User) == 1 and _count(LearnerProfile) == 0
    (mail,) = _mails_to("hung.le@example.com")
    assert "Someone tried to register" in mail.body
    assert "https://caunoi.example.vn/password/forgot" in mail.body


def test_audience_comes_from_the_profile_else_from_the_role(volunteer, learner):
    assert services.audience_of(db.session, volunteer) == "volunteer"
    assert services.audience_of(db.session, learner) == "resident"


def test_the_large_text_switch_sets_the_class_on_html_and_is_remembered(client):
    assert 'class="large-text"' not in client.get("/courses").get_data(as_text=True)

    response = client.post("/text-size", data={"size": "large", "next": "/courses"})

    assert response.status_code == 302 and response.headers["Location"] == "/courses"
    html = client.get("/courses").get_data(as_text=True)
    assert '<html lang="en" class="large-text">' in html
    assert 'aria-pressed="true"' in html
    client.post("/text-size", data={"size": "normal", "next": "/"})
    assert 'class="large-text"' not in client.get("/").get_data(as_text=True)


def test_the_large_text_switch_ignores_an_outside_next(client):
    response = client.post("/text-size", data={"size": "large", "next": "https://evil.example"})
    assert response.headers["Location"] == "/"


def test_a_lesson_page_has_a_hidden_listen_button_and_no_inline_script(client):
    import_courses(db.session)
    db.session.commit()

    html = client.get("/courses/vneid/lessons/activate").get_data(as_text=True)

    assert re.search(r'<div class="listen" data-listen hidden>', html)
    assert re.findall(r"<script[^>]*>", html) == [
        '<script src="/static/js/listen.js" defer>',
        '<script src="/courses/static/offline.js" defer>',  # lessons without data
    ]
    assert client.get("/static/js/listen.js").status_code == 200


def test_learners_are_counted_by_audience_within_communes(
    client, make_user, bo_de, other_commune, admin
):
    _join(client)  # a resident of Bồ Đề
    client.post("/learn/join", data=JOIN | {"full_name": "Ông Hai"})
    client.post("/register/officer", data=OFFICER)
    make_user(Role.VOLUNTEER, home_commune=bo_de)
    make_user(Role.LEARNER, home_commune=bo_de)  # a learner made before profiles existed
    make_user(Role.VOLUNTEER, home_commune=other_commune)

    assert services.learners_by_audience(db.session, {bo_de.id}) == {
        "resident": 3,
        "officer": 1,
        "volunteer": 1,
    }
    everywhere = services.learners_by_audience(db.session)
    assert everywhere["volunteer"] == 2  # the admin holds neither role and is not counted
    assert services.learners_by_audience(db.session, set()) == dict.fromkeys(
        ("resident", "officer", "volunteer"), 0
    )


def test_a_new_code_signs_out_the_device_signed_in_with_the_old_one(app, client):
    _join(client)
    old_device = app.test_client()
    for name in ("session", "remember_token"):
        old_device.set_cookie(name, client.get_cookie(name).value)
    assert _signed_in_as(old_device) == JOIN["full_name"]

    response = client.post("/learn/code/new")

    assert response.status_code == 302
    assert _signed_in_as(old_device) is None
    assert _signed_in_as(client) == JOIN["full_name"]


def test_a_quiz_question_offers_the_listen_button_on_its_prompt_and_answers(client, login, learner):
    import_courses(db.session)
    db.session.commit()
    login(learner)

    html = client.post("/courses/scams-and-personal-data/quiz", follow_redirects=True).get_data(
        as_text=True
    )

    readable = html[html.index("<div data-listen-text>") :]
    assert readable.index('class="quiz-prompt"') < readable.index("data-listen hidden")
    # the answers of whichever question was drawn (choices, checks, a screen, steps to order…)
    # are a form inside the part read aloud
    assert "<form" in readable[readable.index('class="quiz-prompt"') :]
    assert '<script src="/static/js/listen.js" defer>' in html
