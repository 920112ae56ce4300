"""Web Push: a notice reaches a browser's push service signed (VAPID) and encrypted for it.

The push service is a local HTTP server started here that does what a real one does on
receiving (RFC 8030, 8291, 8292): it checks the ES256 signature of the VAPID token with the key
named in the `Authorization` header, and the browser's side decrypts the aes128gcm payload with
the subscription's private keys, which the test made as a browser would.
"""

import json
import os
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from py_vapid import Vapid
from sqlalchemy import select

from app import create_app
from app.extensions import db
from app.notifications.channels import (
    CHANNELS,
    AddressGone,
    Message,
    PermanentDeliveryError,
    TransientDeliveryError,
)
from app.notifications.channels.models import PushSubscription
from app.notifications.channels.push import (
    PushChannel,
    b64url,
    b64url_decode,
    new_keys,
    subscribe,
)
from app.notifications.preferences import save_preferences

SUBJECT = "mailto:admin@caunoi.example.vn"
#: 10:00 in Hanoi: outside quiet hours
DAYTIME = datetime(2030, 1, 7, 3, 0, tzinfo=UTC)
#: 23:00 in Hanoi
NIGHT = datetime(2030, 1, 7, 16, 0, tzinfo=UTC)
MESSAGE = Message(
    subject="Nhắc lịch: ca trực sắp tới",
    body="…",
    short="Ca trực của bạn sắp bắt đầu: Bưu điện phường Bồ Đề, 07:00.",
    url="https://caunoi.example.vn/me/shifts",
)


class Browser:
    """A browser's side of a subscription: its P-256 key pair and auth secret."""

    def __init__(self):
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.auth = os.urandom(16)

    @property
    def p256dh(self):
        return b64url(
            self.key.public_key().public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
            )
        )

    def decrypt(self, body):
        return http_ece.decrypt(
            body, private_key=self.key, auth_secret=self.auth, version="aes128gcm"
        )


def verify_vapid(header, audience):
    """The push service's check of `Authorization: vapid t=<JWT>, k=<public key>`: the ES256
    signature against k, the audience, the expiry. Returns (k, claims); raises if not valid."""
    scheme, _, fields = header.partition(" ")
    assert scheme == "vapid"
    params = dict(part.strip().split("=", 1) for part in fields.split(","))
    token, key = params["t"], params["k"]
    signed, _, signature = token.rpartition(".")
    raw = b64url_decode(signature)
    assert len(raw) == 64
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64url_decode(key))
    public.verify(der, signed.encode(), ec.ECDSA(hashes.SHA256()))
    header_json = json.loads(b64url_decode(signed.split(".")[0]))
    claims = json.loads(b64url_decode(signed.split(".")[1]))
    assert header_json["alg"] == "ES256"
    assert claims["aud"] == audience and claims["exp"] > time.time()
    return key, claims


class PushService:
    """A push service on 127.0.0.1: each path is one subscription; `answers` sets a status."""

    def __init__(self):
        self.browsers = {}
        self.answers = {}
        self.received = []
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                status = service.answers.get(self.path, 201)
                if status == 201:
                    try:
                        key, claims = verify_vapid(self.headers["Authorization"], service.origin)
                    except (AssertionError, InvalidSignature, KeyError, ValueError):
                        status = 403
                    else:
                        assert self.headers["Content-Encoding"] == "aes128gcm"
                        payload = json.loads(service.browsers[self.path].decrypt(body))
                        service.received.append(
                            {"path": self.path, "key": key, "claims": claims, "payload": payload}
                        )
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def subscribe(self, user, name="phone"):
        """A browser subscribes at this service; the site keeps it (as the service would)."""
        browser = Browser()
        path = f"/push/{name}-{user.id}"
        self.browsers[path] = browser
        db.session.add(
            PushSubscription(
                user_id=user.id,
                endpoint=self.origin + path,
                p256dh=browser.p256dh,
                auth=b64url(browser.auth),
            )
        )
        db.session.commit()  # send() records its outcome in a transaction of its own
        return path

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def push_service():
    service = PushService()
    yield service
    service.close()


@pytest.fixture
def vapid():
    return new_keys()


@pytest.fixture
def channel(vapid):
    private, public = vapid
    return PushChannel(private, public, SUBJECT)


def _subscriptions(user):
    return db.session.scalars(
        select(PushSubscription).where(PushSubscription.user_id == user.id)
    ).all()


def test_the_notice_reaches_the_browser_signed_with_the_sites_key_and_readable_only_by_it(
    push_service, channel, vapid, volunteer
):
    path = push_service.subscribe(volunteer)
    route = channel.route(db.session, volunteer, "reminder", DAYTIME)
    assert route is not None and route.not_before is None

    channel.send(route.address, MESSAGE)

    [received] = push_service.received
    assert received["path"] == path
    assert received["key"] == vapid[1]  # signed with the configured VAPID key
    assert received["claims"]["sub"] == SUBJECT
    assert received["payload"] == {
        "title": MESSAGE.subject,
        "body": MESSAGE.short,
        "url": "https://caunoi.example.vn/me/shifts",
    }
    db.session.rollback()  # a fresh snapshot: send() wrote in a transaction of its own
    [subscription] = _subscriptions(volunteer)
    assert subscription.last_success_at is not None


def test_every_browser_of_the_person_gets_it(push_service, channel, volunteer):
    push_service.subscribe(volunteer, "phone")
    push_service.subscribe(volunteer, "laptop")
    channel.send(channel.route(db.session, volunteer, "reminder", DAYTIME).address, MESSAGE)
    assert sorted(r["path"] for r in push_service.received) == [
        f"/push/laptop-{volunteer.id}",
        f"/push/phone-{volunteer.id}",
    ]


def test_a_subscription_the_push_service_says_has_ended_is_removed(
    push_service, channel, volunteer
):
    path = push_service.subscribe(volunteer)
    push_service.answers[path] = 410
    route = channel.route(db.session, volunteer, "shift_changed", DAYTIME)

    with pytest.raises(AddressGone):
        channel.send(route.address, MESSAGE)
    channel.forget(db.session, route.address)  # what the queue does on AddressGone

    assert _subscriptions(volunteer) == []
    assert channel.route(db.session, volunteer, "shift_changed", DAYTIME) is None


def test_an_ended_subscription_beside_a_working_one_is_removed_and_the_notice_delivered(
    push_service, channel, volunteer
):
    push_service.subscribe(volunteer, "phone")
    old = push_service.subscribe(volunteer, "old-laptop")
    push_service.answers[old] = 404

    channel.send(channel.route(db.session, volunteer, "reminder", DAYTIME).address, MESSAGE)

    db.session.rollback()  # a fresh snapshot: send() wrote in a transaction of its own
    assert [s.endpoint.rsplit("/", 1)[1] for s in _subscriptions(volunteer)] == [
        f"phone-{volunteer.id}"
    ]


@pytest.mark.parametrize("status", [429, 500, 503])
def test_a_busy_or_failing_push_service_is_tried_again_later(
    push_service, channel, volunteer, status
):
    path = push_service.subscribe(volunteer)
    push_service.answers[path] = status
    with pytest.raises(TransientDeliveryError):
        channel.send(channel.route(db.session, volunteer, "reminder", DAYTIME).address, MESSAGE)
    assert len(_subscriptions(volunteer)) == 1


def test_a_push_service_that_does_not_answer_is_tried_again_later(push_service, channel, volunteer):
    push_service.subscribe(volunteer)
    address = channel.route(db.session, volunteer, "reminder", DAYTIME).address
    push_service.close()
    with pytest.raises(TransientDeliveryError):
        channel.send(address, MESSAGE)


def test_a_push_whose_signature_does_not_match_its_key_is_refused_for_good(
    push_service, channel, volunteer
):
    """The push service checks the signature against the key the header names: a mismatch is
    a 403, which trying again would not fix."""
    push_service.subscribe(volunteer)
    _private, other_public = new_keys()
    sign = channel.vapid.sign

    def sign_naming_another_key(claims, crypto_key=None):
        token = sign(claims, crypto_key)["Authorization"].split("t=")[1].split(",")[0]
        return {"Authorization": f"vapid t={token},k={other_public}"}

    channel.vapid.sign = sign_naming_another_key
    address = channel.route(db.session, volunteer, "reminder", DAYTIME).address
    with pytest.raises(PermanentDeliveryError):
        channel.send(address, MESSAGE)
    assert push_service.received == []


def test_no_route_without_a_subscription_or_when_push_is_turned_off_for_the_topic(
    push_service, channel, volunteer
):
    assert channel.route(db.session, volunteer, "reminder", DAYTIME) is None
    push_service.subscribe(volunteer)
    save_preferences(
        db.session,
        volunteer,
        {"reminders": ["mail"], "shift_changes": ["mail", "push"]},
        offered=["mail", "push"],
        quiet=True,
        quiet_from=datetime(2030, 1, 1, 21).time(),
        quiet_until=datetime(2030, 1, 1, 7).time(),
    )
    assert channel.route(db.session, volunteer, "reminder", DAYTIME) is None
    assert channel.route(db.session, volunteer, "shift_changed", DAYTIME) is not None


def test_at_night_the_push_waits_for_seven_in_the_morning(push_service, channel, volunteer):
    push_service.subscribe(volunteer)
    route = channel.route(db.session, volunteer, "placed", NIGHT)
    assert route.not_before == datetime(2030, 1, 8, 0, 0, tzinfo=UTC)  # 07:00 in Hanoi


def test_the_browser_posts_its_subscription_and_can_take_it_back(client, login, volunteer):
    login(volunteer)
    browser = Browser()
    subscription = {
        "endpoint": "https://fcm.googleapis.com/fcm/send/abc123",
        "keys": {"p256dh": browser.p256dh, "auth": b64url(browser.auth)},
    }
    response = client.post("/notifications/push", json=subscription)
    assert response.status_code == 201
    [kept] = _subscriptions(volunteer)
    assert kept.endpoint == subscription["endpoint"] and kept.p256dh == browser.p256dh

    again = client.post("/notifications/push", json=subscription)  # the same browser again
    assert again.status_code == 201 and len(_subscriptions(volunteer)) == 1

    response = client.delete("/notifications/push", json={"endpoint": subscription["endpoint"]})
    assert response.status_code == 200 and _subscriptions(volunteer) == []


@pytest.mark.parametrize(
    "subscription",
    [
        {"endpoint": "http://push.example.com/1", "keys": "valid"},
        {"endpoint": "https://127.0.0.1:6379/", "keys": "valid"},
        {"endpoint": "https://10.0.0.5/push", "keys": "valid"},
        {"endpoint": "https://[::1]/push", "keys": "valid"},
        {"endpoint": "https://localhost/push", "keys": "valid"},
        {"endpoint": "https://push.example.com/1", "keys": {"p256dh": "short", "auth": "AAAA"}},
        {"endpoint": "https://push.example.com/1"},
        ["not", "an", "object"],
    ],
)
def test_a_subscription_the_site_cannot_use_is_refused_with_a_400(
    client, login, volunteer, subscription
):
    login(volunteer)
    if isinstance(subscription, dict) and subscription.get("keys") == "valid":
        browser = Browser()  # keys a browser would send: only the endpoint is wrong
        subscription = {**subscription, "keys": {"p256dh": browser.p256dh, "auth": "A" * 22}}
    response = client.post("/notifications/push", json=subscription)
    assert response.status_code == 400
    assert _subscriptions(volunteer) == []


def test_a_person_keeps_ten_browsers_the_oldest_makes_way(volunteer):
    browser = Browser()
    for number in range(11):
        subscribe(
            db.session, volunteer, f"https://push.example.com/{number}", browser.p256dh, "A" * 22
        )
    endpoints = [s.endpoint for s in _subscriptions(volunteer)]
    assert len(endpoints) == 10 and "https://push.example.com/0" not in endpoints


def test_a_browser_subscribed_by_another_account_is_not_removed_by_a_stranger(
    client, login, volunteer, make_volunteer
):
    stranger = make_volunteer()
    endpoint = "https://push.example.com/volunteers-phone"
    browser = Browser()
    db.session.add(
        PushSubscription(
            user_id=volunteer.id, endpoint=endpoint, p256dh=browser.p256dh, auth="A" * 22
        )
    )
    login(stranger)
    client.delete("/notifications/push", json={"endpoint": endpoint})
    assert len(_subscriptions(volunteer)) == 1


def test_posting_a_subscription_needs_the_csrf_token(app, client, login, volunteer):
    login(volunteer)
    browser = Browser()
    subscription = {
        "endpoint": "https://push.example.com/2",
        "keys": {"p256dh": browser.p256dh, "auth": b64url(browser.auth)},
    }
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert client.post("/notifications/push", json=subscription).status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert _subscriptions(volunteer) == []


def test_the_service_worker_is_served_at_the_root_and_only_handles_push(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    script = response.get_data(as_text=True)
    assert 'addEventListener("push"' in script and 'addEventListener("notificationclick"' in script
    assert '"fetch"' not in script  # the courses' offline worker owns its own scope


def test_the_profile_offers_the_switch_with_the_sites_public_key(
    client, login, volunteer, channel, monkeypatch
):
    monkeypatch.setitem(CHANNELS, "push", channel)
    login(volunteer)
    page = client.get("/profile").get_data(as_text=True)
    assert f'data-key="{channel.public_key}"' in page
    assert "js/push.js" in page and "//cdn" not in page
    assert "data-push-unsupported" in page  # what a page without JavaScript says


def test_the_keys_command_prints_a_pair_that_signs_and_verifies(runner):
    result = runner.invoke(args=["push", "keys"])
    assert result.exit_code == 0
    values = dict(line.split("=", 1) for line in result.output.split())
    vapid = Vapid.from_string(values["VAPID_PRIVATE_KEY"])
    headers = vapid.sign({"sub": SUBJECT, "aud": "https://push.example.com", "exp": 2**31})
    key, _claims = verify_vapid(headers["Authorization"], "https://push.example.com")
    assert key == values["VAPID_PUBLIC_KEY"]


def test_push_is_registered_at_start_up_only_when_configured(database_url, vapid):
    saved = dict(CHANNELS)
    try:
        base = {"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "x"}
        create_app({**base, "RATELIMIT_ENABLED": False})
        assert "push" not in CHANNELS
        create_app(
            {
                **base,
                "RATELIMIT_ENABLED": False,
                "VAPID_PRIVATE_KEY": vapid[0],
                "VAPID_PUBLIC_KEY": vapid[1],
                "VAPID_SUBJECT": SUBJECT,
            }
        )
        assert CHANNELS["push"].name == "push"
    finally:
        CHANNELS.clear()
        CHANNELS.update(saved)
