"""Every absolute URL that leaves the site starts with SITE_URL, never with the request's Host;
production refuses to start without SITE_URL and answers 400 to a Host that is not its own.
(Every route with a forged Host: tests/app/test_access_matrix.py.)"""

from datetime import timedelta

import pytest
from harness import FORGED, FORGED_HOST, sign_in
from sqlalchemy import select

from app import create_app
from app.config import ConfigError
from app.database import utcnow
from app.extensions import db
from app.notifications.models import Delivery
from app.notifications.services import notify
from app.urls import absolute_url
from tests.conftest import SITE_URL


def _production(app, **config):
    return create_app(
        {
            "ENVIRONMENT": "production",
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "SECRET_KEY": "production-test-secret",
            "RESIDENT_CARD_KEY": "production-card-key",
            "RATELIMIT_ENABLED": False,
            **config,
        }
    )


def _mails_to(email):
    """The mails sent to that address: committed, so the queue (immediate in tests) words and
    sends them."""
    db.session.commit()
    return db.session.scalars(
        select(Delivery).where(Delivery.channel == "mail", Delivery.address == email)
    ).all()


def test_a_forged_host_on_forgot_password_still_mails_a_link_to_the_site(client, volunteer):
    client.post("/password/forgot", data={"email": volunteer.email}, headers={"Host": "evil.test"})

    (mail,) = _mails_to(volunteer.email)
    assert f"{SITE_URL}/password/reset/" in mail.body
    assert "evil.test" not in mail.body


def test_a_notice_mailed_during_a_forged_request_links_to_the_site(app, make_shift, volunteer):
    shift = make_shift(utcnow() + timedelta(hours=3))
    with app.test_request_context("/", **FORGED):
        notify(db.session, volunteer, "reminder", shift_id=shift.id)

    (mail,) = _mails_to(volunteer.email)
    assert f"{SITE_URL}/" in mail.body
    assert FORGED_HOST not in mail.body


def test_reminders_sent_from_the_command_line_link_to_the_site(runner, make_shift, volunteer):
    make_shift(utcnow() + timedelta(hours=3), booked=[volunteer])
    db.session.commit()

    result = runner.invoke(args=["scheduling", "send-reminders"])

    assert result.output.strip() == "1 reminder(s) sent."
    (mail,) = _mails_to(volunteer.email)
    assert f"{SITE_URL}/me/shifts" in mail.body


def test_absolute_url_outside_a_request_starts_with_site_url(app):
    assert absolute_url("auth.login") == f"{SITE_URL}/login"


def test_a_site_url_with_a_path_prefix_keeps_it(app):
    prefixed = create_app({"SITE_URL": "https://example.vn/caunoi/", "SECRET_KEY": "x"})
    with prefixed.app_context():
        assert absolute_url("auth.login") == "https://example.vn/caunoi/login"


def test_development_links_default_to_the_local_server(monkeypatch):
    monkeypatch.delenv("SITE_URL", raising=False)
    monkeypatch.delenv("FLASK_SITE_URL", raising=False)
    development = create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert development.config["SITE_URL"] == "http://127.0.0.1:5000"
    assert development.config["TRUSTED_HOSTS"] is None


def test_production_refuses_to_start_without_site_url(app, monkeypatch):
    monkeypatch.delenv("SITE_URL", raising=False)
    monkeypatch.delenv("FLASK_SITE_URL", raising=False)
    with pytest.raises(ConfigError, match="SITE_URL must be set when CAUNOI_ENV=production"):
        _production(app)


@pytest.mark.parametrize("site_url", ["caunoi.example.vn", "http://caunoi.example.vn", "https://"])
def test_production_refuses_a_site_url_that_is_not_https(app, site_url):
    with pytest.raises(ConfigError, match="SITE_URL"):
        _production(app, SITE_URL=site_url)


def test_production_answers_400_to_a_host_that_is_not_the_sites(app):
    production = _production(app, SITE_URL="https://caunoi.example.vn")
    assert production.config["TRUSTED_HOSTS"] == ["caunoi.example.vn"]
    client = production.test_client()

    foreign = client.get("/login", base_url="https://evil.test")
    own = client.get("/login", base_url="https://caunoi.example.vn")

    assert foreign.status_code == 400
    assert "evil.test" not in foreign.get_data(as_text=True)
    assert foreign.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert own.status_code == 200


def test_production_forgot_password_with_a_foreign_host_sends_nothing(app, volunteer):
    db.session.commit()
    production = _production(app, SITE_URL="https://caunoi.example.vn", WTF_CSRF_ENABLED=False)
    client = production.test_client()
    response = client.post(
        "/password/forgot", data={"email": volunteer.email}, base_url="https://evil.test"
    )
    with production.app_context():
        db.session.remove()
    assert response.status_code == 400
    assert _mails_to(volunteer.email) == []


def test_trusted_hosts_can_be_widened_from_the_environment(app, monkeypatch):
    """A load balancer's health check may name the app server by an internal name."""
    monkeypatch.setenv("TRUSTED_HOSTS", "caunoi.example.vn, app1.internal")
    production = _production(app, SITE_URL="https://caunoi.example.vn")
    assert production.config["TRUSTED_HOSTS"] == ["caunoi.example.vn", "app1.internal"]
    client = production.test_client()
    assert client.get("/healthz", base_url="http://app1.internal").status_code == 200


def test_a_poster_asked_for_with_a_forged_host_prints_the_sites_link(
    app, coordinator, service_point
):
    db.session.commit()
    client = sign_in(app, coordinator, **FORGED)
    page = client.get(f"/service-points/{service_point.id}/poster", **FORGED)
    assert page.status_code == 200
    assert f'class="poster-url">{SITE_URL}/check-in/' in page.get_data(as_text=True)
    assert FORGED_HOST not in page.get_data(as_text=True)
