"""SMS: one message per notice, with a short link, handed to a gateway that records what it got.

The gateway is a local HTTP server started here; it answers as the test tells it (accepted,
busy, refused) and keeps every request it received.
"""

import json
import threading
from datetime import UTC, datetime, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import func, select

from app import create_app
from app.config import ConfigError
from app.extensions import db
from app.notifications.channels import (
    CHANNELS,
    Message,
    PermanentDeliveryError,
    TransientDeliveryError,
)
from app.notifications.channels.models import ShortLink
from app.notifications.channels.sms import (
    HttpSmsGateway,
    SmsGateway,
    fits,
    from_config,
    normalise_phone,
    one_sms,
    short_link,
    sms_length,
)
from app.notifications.preferences import save_preferences

#: 10:00 in Hanoi
DAYTIME = datetime(2030, 1, 7, 3, 0, tzinfo=UTC)
#: 22:30 in Hanoi
NIGHT = datetime(2030, 1, 7, 15, 30, tzinfo=UTC)
REMINDER = Message(
    subject="Nhắc lịch: ca trực sắp tới",
    body="…",
    short="Ca trực của bạn sắp bắt đầu: Trung tâm Phục vụ hành chính công phường Bồ Đề, "
    "thứ ba 8 tháng 1, 07:00–11:00.",
    url="https://caunoi.example.vn/me/shifts",
)


class Gateway:
    """An SMS gateway on 127.0.0.1 that records each request and answers `status`."""

    def __init__(self):
        self.received = []
        self.status = 200
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                gateway.received.append({"headers": dict(self.headers), "json": json.loads(body)})
                self.send_response(gateway.status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"id": "m-1"}')

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/sms/send"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def gateway():
    server = Gateway()
    yield server
    server.close()


@pytest.fixture
def sms(gateway):
    return HttpSmsGateway(
        {"SMS_GATEWAY_URL": gateway.url, "SMS_API_KEY": "k-123", "SMS_SENDER": "CAUNOI"}
    )


@pytest.fixture
def reachable(make_volunteer):
    return make_volunteer(phone="0912 345 678")


def _one_ucs2_message(text):
    length, limit = sms_length(text)
    return limit == 70 and length <= 70


def _send(sms, user, message=REMINDER, kind="reminder"):
    route = sms.route(db.session, user, kind, DAYTIME)
    db.session.commit()  # the short link is written in a transaction of its own
    sms.send(route.address, message)


def test_a_reminder_reaches_the_gateway_in_one_sms_with_a_short_link(
    client, gateway, sms, reachable
):
    _send(sms, reachable)

    [request] = gateway.received
    assert request["headers"]["Authorization"] == "Bearer k-123"
    sent = request["json"]
    assert sent["to"] == "+84912345678" and sent["from"] == "CAUNOI"
    text = sent["text"]
    assert _one_ucs2_message(text)  # Vietnamese
    assert text.startswith("Ca trực của bạn sắp bắt đầu")
    link = text.rsplit(" ", 1)[1]
    assert link.startswith("https://caunoi.example.vn/n/")
    # the short link leads to the notice's page
    response = client.get(link.removeprefix("https://caunoi.example.vn"))
    assert response.status_code == 302 and response.location.endswith("/me/shifts")


def test_the_short_code_is_random_and_one_per_page(gateway, sms, reachable, make_volunteer):
    _send(sms, reachable)
    _send(sms, make_volunteer(phone="0987654321"))
    first, second = (r["json"]["text"].rsplit("/", 1)[1] for r in gateway.received)
    assert first == second  # the same page, the same link, made once
    assert len(first) == 8 and not first.isdigit()
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(ShortLink)) == 1


def test_a_short_link_never_leads_off_the_site(client):
    link = short_link(db.session, "https://caunoi.example.vn//evil.example.com/x")
    response = client.get(link.removeprefix("https://caunoi.example.vn"))
    assert response.location == "/evil.example.com/x"  # a path of this site, not a host


def test_a_code_never_handed_out_is_a_404(client):
    assert client.get("/n/AAAAAAAA").status_code == 404
    assert client.get("/n/" + "A" * 40).status_code == 404


def test_an_english_text_stays_in_the_wider_alphabet_and_whole(gateway, sms, make_volunteer):
    english = make_volunteer(phone="+84 912 000 111", locale="en")
    message = Message(
        subject="Reminder",
        body="",
        short="Your shift is coming up: Bo De public service centre, Tuesday 8 January, "
        "07:00–11:00.",
        url="https://caunoi.example.vn/me/shifts",
    )
    _send(sms, english, message)
    text = gateway.received[0]["json"]["text"]
    # the dash Babel puts between times has a GSM-7 look-alike: 160 characters, not 70
    assert text.startswith(
        "Your shift is coming up: Bo De public service centre, Tuesday 8 January, 07:00-11:00. "
        "https://caunoi.example.vn/n/"
    )
    assert sms_length(text)[1] == 160 and fits(text)


def test_a_long_text_is_cut_at_a_word_and_the_link_kept_whole():
    link = "https://caunoi.example.vn/n/Ab3dE_gH"
    text = one_sms(REMINDER.short, link)
    assert text.endswith("… " + link)
    assert _one_ucs2_message(text)
    assert REMINDER.short.startswith(text.removesuffix("… " + link))
    english = one_sms("word " * 60, link)
    assert english.endswith("... " + link) and sms_length(english)[1] == 160 and fits(english)


def test_gsm7_characters_outside_the_basic_table_take_two_places():
    assert sms_length("[]") == (4, 160)
    assert sms_length("€") == (2, 160)
    assert sms_length("đ") == (1, 70)


@pytest.mark.parametrize("status", [429, 500, 502, 503])
def test_a_busy_or_failing_gateway_is_tried_again_later(gateway, sms, reachable, status):
    gateway.status = status
    with pytest.raises(TransientDeliveryError):
        _send(sms, reachable)


@pytest.mark.parametrize("status", [400, 401, 403, 422])
def test_a_gateway_refusing_the_message_is_not_tried_again(gateway, sms, reachable, status):
    gateway.status = status
    with pytest.raises(PermanentDeliveryError) as refused:
        _send(sms, reachable)
    assert not refused.value.transient


def test_a_gateway_that_does_not_answer_is_tried_again_later(gateway, sms, reachable):
    gateway.close()
    with pytest.raises(TransientDeliveryError):
        _send(sms, reachable)


def test_a_gateway_with_a_user_and_password_gets_basic_auth(gateway, reachable):
    sms = HttpSmsGateway(
        {
            "SMS_GATEWAY_URL": gateway.url,
            "SMS_USERNAME": "caunoi",
            "SMS_PASSWORD": "s3cret",
            "SMS_SENDER": "CAUNOI",
        }
    )
    _send(sms, reachable)
    assert gateway.received[0]["headers"]["Authorization"] == "Basic Y2F1bm9pOnMzY3JldA=="


def test_sms_carries_only_reminders_and_shift_changes(sms, reachable):
    assert sms.route(db.session, reachable, "reminder", DAYTIME) is not None
    assert sms.route(db.session, reachable, "shift_cancelled", DAYTIME) is not None
    assert sms.route(db.session, reachable, "moved", DAYTIME) is not None
    assert sms.route(db.session, reachable, "booking_confirmed", DAYTIME) is None
    assert sms.route(db.session, reachable, "placed", DAYTIME) is None


def test_no_sms_without_a_phone_or_when_the_person_turned_it_off(sms, volunteer, reachable):
    assert sms.route(db.session, volunteer, "reminder", DAYTIME) is None  # no phone
    save_preferences(
        db.session,
        reachable,
        {"reminders": ["mail"], "shift_changes": ["sms"]},
        offered=["mail", "push", "sms"],
        quiet=True,
        quiet_from=time(21),
        quiet_until=time(7),
    )
    assert sms.route(db.session, reachable, "reminder", DAYTIME) is None
    assert sms.route(db.session, reachable, "shift_changed", DAYTIME) is not None


def test_at_night_an_sms_waits_for_the_morning_unless_the_shift_starts_before(
    sms, reachable, make_shift
):
    later = make_shift(datetime(2030, 1, 8, 2, 0, tzinfo=UTC))  # 09:00 in Hanoi
    early = make_shift(datetime(2030, 1, 7, 23, 0, tzinfo=UTC))  # 06:00 in Hanoi
    morning = datetime(2030, 1, 8, 0, 0, tzinfo=UTC)  # 07:00 in Hanoi

    waits = sms.route(db.session, reachable, "reminder", NIGHT, params={"shift_id": later.id})
    at_once = sms.route(db.session, reachable, "reminder", NIGHT, params={"shift_id": early.id})

    assert waits.not_before == morning
    assert at_once.not_before is None


def test_a_provider_is_one_more_class(reachable):
    """A brand-name SMS or Zalo ZNS provider only says how to hand the text over."""

    class Recording(SmsGateway):
        sent: list = []

        def deliver(self, phone, text):
            self.sent.append((phone, text))

    provider = Recording({"SMS_SENDER": "CAUNOI"})
    _send(provider, reachable)
    [(phone, text)] = Recording.sent
    assert phone == "+84912345678" and fits(text) and "/n/" in text


@pytest.mark.parametrize(
    ("typed", "international"),
    [
        ("0912 345 678", "+84912345678"),
        ("0912.345.678", "+84912345678"),
        ("+84 912-345-678", "+84912345678"),
        ("84912345678", "+84912345678"),
        ("", None),
        ("12345", None),
    ],
)
def test_a_phone_as_typed_becomes_an_international_number(typed, international):
    assert normalise_phone(typed) == international


def test_sms_is_off_unless_configured(database_url, gateway):
    assert from_config({}) is None
    assert from_config({"SMS_GATEWAY_URL": gateway.url}) is None  # no sender name
    with pytest.raises(ConfigError):
        from_config({"SMS_GATEWAY_URL": gateway.url, "SMS_SENDER": "X", "SMS_PROVIDER": "nope"})
    saved = dict(CHANNELS)
    try:
        create_app(
            {
                "TESTING": True,
                "SQLALCHEMY_DATABASE_URI": database_url,
                "SECRET_KEY": "x",
                "RATELIMIT_ENABLED": False,
                "SMS_GATEWAY_URL": gateway.url,
                "SMS_SENDER": "CAUNOI",
            }
        )
        assert isinstance(CHANNELS["sms"], HttpSmsGateway)
    finally:
        CHANNELS.clear()
        CHANNELS.update(saved)
