"""The site's shell: languages, error pages, security headers, cookies, demo data."""

import gzip
import re
from datetime import UTC, datetime

import brotli
import pytest
from flask_babel import force_locale, format_datetime
from sqlalchemy import func, select

from app import create_app
from app.access import public
from app.auth.models import User
from app.config import ConfigError
from app.extensions import db
from app.places.models import ServicePoint
from scheduling.models import Booking


def test_home_is_vietnamese_by_default(client):
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="vi">' in page
    assert "Đăng nhập" in page


def test_language_switch_is_remembered_in_a_cookie(client):
    response = client.post("/language", data={"language": "en", "next": "/provinces"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/provinces")
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "Log in" in page


def test_language_switch_is_remembered_in_the_profile(client, login, volunteer):
    login(volunteer)
    client.post("/language", data={"language": "en"})
    assert volunteer.locale == "en"
    client.delete_cookie("lang")
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)


def test_language_switch_ignores_unknown_languages_and_foreign_redirects(client):
    response = client.post("/language", data={"language": "fr", "next": "https://evil.test/"})
    assert response.headers["Location"] == "/"
    assert '<html lang="vi">' in client.get("/").get_data(as_text=True)


def test_not_found_page_in_both_languages(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Trang này không tồn tại" in response.get_data(as_text=True)
    client.post("/language", data={"language": "en"})
    assert "This page does not exist" in client.get("/no-such-page").get_data(as_text=True)


def test_api_errors_are_json(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json["error"] == "not_found"


def test_security_headers_on_every_response(client):
    for path in ("/", "/login", "/no-such-page", "/static/css/site.css"):
        headers = client.get(path).headers
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"


def test_session_cookie_is_httponly_and_samesite(client, login, volunteer):
    response = client.post(
        "/login", data={"email": volunteer.email, "password": "correct horse battery"}
    )
    cookie = next(v for v in response.headers.getlist("Set-Cookie") if v.startswith("session="))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_production_needs_a_secret_key(monkeypatch, app):
    monkeypatch.setenv("CAUNOI_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    try:
        create_app({"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
    except ConfigError as error:
        assert "SECRET_KEY" in str(error)
    else:
        raise AssertionError("a production app started without SECRET_KEY")


def test_production_cookies_are_secure(monkeypatch, app):
    monkeypatch.setenv("CAUNOI_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 32)
    monkeypatch.setenv("RESIDENT_CARD_KEY", "y" * 32)
    monkeypatch.setenv("RATELIMIT_ALLOW_MEMORY", "1")  # one process: the test's
    monkeypatch.setenv("SITE_URL", "https://caunoi.example.vn")
    prod = create_app({"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
    assert prod.config["SESSION_COOKIE_SECURE"] is True


def test_flask_prefixed_settings_reach_the_config(monkeypatch, app):
    monkeypatch.setenv("FLASK_RATELIMIT_ENABLED", "false")
    # a SECRET_KEY, so no development key is written to instance/, which every worker shares
    other = create_app(
        {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], "SECRET_KEY": "x"}
    )
    assert other.config["RATELIMIT_ENABLED"] is False


def test_demo_is_idempotent_and_documented(runner):
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    second = runner.invoke(args=["demo"])
    assert "0 accounts, 0 service points created" in second.output
    emails = set(db.session.scalars(select(User.email)))
    for email in (
        "admin@demo.local",
        "coordinator@demo.local",
        "bode@demo.local",
        "learner@demo.local",
        "volunteer1@demo.local",
        "volunteer600@demo.local",
    ):
        assert email in emails
    assert db.session.scalar(select(func.count(ServicePoint.id))) == 126


def test_demo_is_refused_in_production(monkeypatch, app):
    monkeypatch.setenv("CAUNOI_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 32)
    monkeypatch.setenv("RESIDENT_CARD_KEY", "y" * 32)
    monkeypatch.setenv("RATELIMIT_ALLOW_MEMORY", "1")  # one process: the test's
    monkeypatch.setenv("SITE_URL", "https://caunoi.example.vn")
    prod = create_app({"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
    with prod.app_context():
        result = prod.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code != 0
    assert "refused in production" in result.output


def _app_like(app, **overrides):
    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "SECRET_KEY": "other",
            **overrides,
        }
    )


def test_forms_without_a_csrf_token_are_refused(app):
    guarded = _app_like(app)
    response = guarded.test_client().post("/login", data={"email": "a@b.vn", "password": "x"})
    assert response.status_code == 400
    assert "Không hiểu được yêu cầu" in response.get_data(as_text=True)


def test_an_unexpected_error_shows_the_500_page_and_keeps_nothing(app):
    broken = _app_like(app)

    @broken.get("/boom")
    @public
    def boom():
        db.session.add(User(email="half@written.vn", full_name="Half"))
        db.session.flush()
        raise RuntimeError("boom")

    response = broken.test_client().get("/boom")
    assert response.status_code == 500
    assert "Hệ thống gặp sự cố" in response.get_data(as_text=True)
    assert db.session.scalar(select(User).where(User.email == "half@written.vn")) is None


def test_times_are_shown_in_ho_chi_minh_city(app):
    with app.test_request_context("/"):
        shown = format_datetime(datetime(2026, 11, 23, 1, 30, tzinfo=UTC), "HH:mm")
    assert shown == "08:30"


def test_a_template_formats_each_date_in_the_language_it_is_rendered_in(app):
    """The date filter remembers its answers for a request, but never across languages (the
    check-in poster renders Vietnamese and English in one request)."""
    template = app.jinja_env.from_string("{{ day|date('full') }}")
    day = datetime(2026, 11, 23, 3, tzinfo=UTC)
    with app.test_request_context("/"):
        vietnamese = template.render(day=day)
        with force_locale("en"):
            english = template.render(day=day)
        again = template.render(day=day)

    assert english == "Monday, November 23, 2026"
    assert vietnamese == again != english
    assert "23" in vietnamese and "11" in vietnamese


def test_pages_travel_compressed_to_a_browser_that_accepts_it(client):
    plain = client.get("/provinces/01")
    compressed = client.get("/provinces/01", headers={"Accept-Encoding": "gzip"})

    assert compressed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in compressed.headers["Vary"]
    assert len(compressed.data) < len(plain.data) / 3
    unsigned = re.compile(rb'name="csrf_token" value="[^"]*"')  # signed with the second
    assert unsigned.sub(b"", gzip.decompress(compressed.data)) == unsigned.sub(b"", plain.data)


def test_a_browser_offered_every_encoding_gets_brotli_and_an_old_one_gzip(client):
    plain = client.get("/provinces/01")
    modern = client.get("/provinces/01", headers={"Accept-Encoding": "gzip, deflate, br, zstd"})
    old = client.get("/provinces/01", headers={"Accept-Encoding": "gzip, deflate"})

    assert modern.headers["Content-Encoding"] == "br"
    assert old.headers["Content-Encoding"] == "gzip"
    assert len(modern.data) < len(old.data)
    unsigned = re.compile(rb'name="csrf_token" value="[^"]*"')
    assert unsigned.sub(b"", brotli.decompress(modern.data)) == unsigned.sub(b"", plain.data)


NEWLINE_NEXT = "/shifts\r\nSet-Cookie: stolen=1"


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/language", {"language": "en"}),
        ("/text-size", {"size": "large"}),
        ("/login", None),
    ],
)
def test_a_newline_in_next_goes_home_instead_of_breaking_the_redirect(client, path, data):
    url = path if data else f"{path}?next={NEWLINE_NEXT}"
    response = client.post(url, data={**(data or {}), "next": NEWLINE_NEXT})

    assert response.status_code in (200, 302)
    assert "stolen" not in response.headers.get("Location", "")
    assert "Set-Cookie: stolen" not in str(response.headers)


def test_a_newline_in_next_after_booking_redirects_home_with_the_booking_kept(
    client, login, volunteer, shift
):
    login(volunteer)
    response = client.post(f"/shifts/{shift.id}/book", data={"next": NEWLINE_NEXT})

    assert response.status_code == 302
    assert "stolen" not in response.headers["Location"]
    assert db.session.scalars(select(Booking).where(Booking.shift_id == shift.id)).one()
