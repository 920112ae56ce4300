"""The delivery log: each notice on each channel, sent by the queue after the commit, through a
real SMTP server; retried when the server is down, sent once when it is back, failed or given
up when it will never be accepted."""

import re
from datetime import timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from app.database import utcnow
from app.extensions import db
from app.notifications import jobs
from app.notifications.channels import CHANNELS, AddressGone, Route
from app.notifications.models import Delivery, DeliveryState, Notification
from app.notifications.services import claim, notify, queue_mail, record_failure, render
from tests.conftest import SITE_URL
from tests.smtp import LocalSMTP, Recorder

MINUTE = timedelta(minutes=1)


@pytest.fixture
def smtp(app, monkeypatch):
    """A real SMTP server the site's mail channel talks to; `.messages` is what it received."""
    recorder = Recorder()
    server = LocalSMTP(recorder)
    server.start()
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", server.port)
    recorder.server = server
    yield recorder
    recorder.server.stop()


def _deliveries(**where):
    db.session.expire_all()
    stmt = select(Delivery).order_by(Delivery.id)
    for name, value in where.items():
        stmt = stmt.where(getattr(Delivery, name) == value)
    return db.session.scalars(stmt).all()


def _time_passes(delivery, by):
    """As if `by` had passed: the delivery's times move back rather than the clock forward."""
    delivery.created_at -= by
    delivery.next_attempt_at -= by
    db.session.commit()


def test_a_notice_arrives_by_mail_in_each_persons_language(smtp, make_volunteer, make_shift):
    shift = make_shift()
    english = make_volunteer(locale="en", full_name="Anna")
    vietnamese = make_volunteer(locale="vi", full_name="Bình")
    notify(db.session, english, "booking_confirmed", shift_id=shift.id)
    notify(db.session, vietnamese, "booking_confirmed", shift_id=shift.id)
    assert smtp.messages == []  # nothing leaves before the commit

    db.session.commit()

    by_recipient = {message["To"]: message for message in smtp.messages}
    assert set(by_recipient) == {english.email, vietnamese.email}
    to_anna, to_binh = by_recipient[english.email], by_recipient[vietnamese.email]
    assert to_anna["Subject"] == "Booking confirmed"
    assert "Hello Anna," in to_anna.get_content()
    assert "Chào Bình," in to_binh.get_content()
    assert to_binh["Subject"] != to_anna["Subject"]
    assert f"{SITE_URL}/me/shifts" in to_anna.get_content()
    assert to_anna["List-Unsubscribe"] == f"<{SITE_URL}/profile>"
    assert to_anna["Message-ID"].endswith("@caunoi.example.vn>") and to_anna["Date"]
    assert to_anna["Message-ID"] != to_binh["Message-ID"]
    assert [(d.state, d.attempts) for d in _deliveries()] == [("sent", 1), ("sent", 1)]
    assert all(d.sent_at is not None and d.subject for d in _deliveries())


def test_a_rolled_back_notice_sends_nothing(smtp, volunteer, make_shift):
    shift = make_shift()
    db.session.commit()
    notify(db.session, volunteer, "placed", shift_id=shift.id)

    db.session.rollback()
    db.session.commit()

    assert smtp.messages == [] and _deliveries() == []


def test_the_server_down_then_back_gets_the_mail_once(smtp, volunteer):
    smtp.server.stop()
    queue_mail(db.session, volunteer.email, "Hello", "Body", user_id=volunteer.id)
    db.session.commit()

    [waiting] = _deliveries()
    assert waiting.state == DeliveryState.QUEUED and waiting.attempts == 1
    assert "Connection refused" in waiting.last_error or "111" in waiting.last_error
    assert waiting.next_attempt_at > utcnow()
    assert jobs.retry_deliveries() == 0  # not due yet

    smtp.server = LocalSMTP(smtp, port=smtp.server.port)
    smtp.server.start()
    _time_passes(waiting, timedelta(minutes=3))
    assert jobs.retry_deliveries() == 1
    assert jobs.retry_deliveries() == 0

    assert [m["Subject"] for m in smtp.messages] == ["Hello"]
    [sent] = _deliveries()
    assert (sent.state, sent.attempts, sent.last_error) == ("sent", 2, None)


def test_each_retry_waits_twice_as_long_as_the_last_up_to_an_hour():
    now = utcnow()
    delivery = Delivery(created_at=now, attempts=0)
    waits = []
    for attempt in range(1, 9):
        delivery.attempts = attempt
        waits.append(record_failure(delivery, "421", True, now, MINUTE, timedelta(days=1)))
    assert waits[:4] == [MINUTE, 2 * MINUTE, 4 * MINUTE, 8 * MINUTE]
    assert waits[-1] == timedelta(hours=1)


def test_a_retry_past_the_give_up_time_gives_up_and_a_permanent_error_fails():
    now = utcnow()
    late = Delivery(created_at=now - timedelta(hours=23, minutes=59), attempts=3)
    assert record_failure(late, "421", True, now, MINUTE, timedelta(days=1)) is None
    assert late.state == DeliveryState.GAVE_UP
    refused = Delivery(created_at=now, attempts=1)
    assert record_failure(refused, "550", False, now, MINUTE, timedelta(days=1)) is None
    assert refused.state == DeliveryState.FAILED


def test_a_refused_address_fails_at_once_and_is_not_retried(smtp, volunteer):
    smtp.refuse = "550 5.1.1 no such user"
    queue_mail(db.session, volunteer.email, "Hello", "Body")
    db.session.commit()

    [failed] = _deliveries()
    assert failed.state == DeliveryState.FAILED and "550" in failed.last_error
    _time_passes(failed, timedelta(hours=1))
    assert jobs.retry_deliveries() == 0


def test_a_full_mailbox_4xx_is_retried(smtp, volunteer):
    smtp.refuse = "452 4.2.2 mailbox full"
    queue_mail(db.session, volunteer.email, "Hello", "Body")
    db.session.commit()

    [waiting] = _deliveries()
    assert waiting.state == DeliveryState.QUEUED and "452" in waiting.last_error


def test_transient_errors_past_the_give_up_time_give_up(app, smtp, volunteer):
    smtp.server.stop()
    queue_mail(db.session, volunteer.email, "Hello", "Body")
    db.session.commit()
    [delivery] = _deliveries()
    _time_passes(delivery, app.config["DELIVERY_GIVE_UP_AFTER"])

    assert jobs.retry_deliveries() == 1

    [given_up] = _deliveries()
    assert given_up.state == DeliveryState.GAVE_UP and given_up.attempts == 2


def test_two_workers_never_claim_one_delivery_and_a_dead_ones_claim_expires(smtp, volunteer):
    smtp.server.stop()
    queue_mail(db.session, volunteer.email, "Hello", "Body")
    db.session.commit()
    [delivery] = _deliveries()
    due = delivery.next_attempt_at

    assert claim(db.session, delivery.id, due) is True
    assert claim(db.session, delivery.id, due) is False  # held by the first worker
    db.session.commit()
    # the first worker was killed mid-send: its lease ends and another worker takes it
    assert claim(db.session, delivery.id, due + timedelta(minutes=10)) is True


class FakeChannel:
    """A channel as wt-channels registers one: routes everyone, records or refuses sends."""

    name = "fake"

    def __init__(self, error=None):
        self.sent = []
        self.forgotten = []
        self.error = error

    def route(self, session, user, kind, now, params=None):
        return Route(address=f"fake:{user.id}")

    def send(self, route_address, message):
        if self.error:
            raise self.error
        self.sent.append((route_address, message))

    def forget(self, session, address):
        self.forgotten.append(address)


def test_a_notice_goes_out_once_on_every_registered_channel(monkeypatch, volunteer, make_shift):
    fake = FakeChannel()
    monkeypatch.setitem(CHANNELS, "fake", fake)
    shift = make_shift()
    notify(db.session, volunteer, "reminder", shift_id=shift.id)
    db.session.commit()

    assert sorted(d.channel for d in _deliveries()) == ["fake", "mail"]
    [(address, message)] = fake.sent
    assert address == f"fake:{volunteer.id}"
    assert message.url == f"{SITE_URL}/me/shifts" and message.short in message.body


def test_an_address_that_is_gone_is_forgotten_and_fails(monkeypatch, volunteer, make_shift):
    fake = FakeChannel(error=AddressGone("410 Gone"))
    monkeypatch.setitem(CHANNELS, "fake", fake)
    notify(db.session, volunteer, "reminder", shift_id=make_shift().id)
    db.session.commit()

    assert fake.forgotten == [f"fake:{volunteer.id}"]
    [gone] = _deliveries(channel="fake")
    assert gone.state == DeliveryState.FAILED and "410" in gone.last_error


def test_a_quiet_hours_route_waits_until_its_time(monkeypatch, volunteer, make_shift):
    morning = utcnow() + timedelta(hours=8)

    class Quiet(FakeChannel):
        def route(self, session, user, kind, now, params=None):
            return Route(address="quiet", not_before=morning)

    quiet = Quiet()
    monkeypatch.setitem(CHANNELS, "fake", quiet)
    notify(db.session, volunteer, "reminder", shift_id=make_shift().id)
    db.session.commit()

    assert quiet.sent == []
    [waiting] = _deliveries(channel="fake")
    assert waiting.state == "queued" and waiting.attempts == 0
    _time_passes(waiting, timedelta(hours=8, minutes=2))
    assert jobs.retry_deliveries() == 1
    assert len(quiet.sent) == 1


def test_the_deliveries_page_counts_by_channel_and_state_and_shows_the_errors(
    client, login, make_user, smtp, volunteer
):
    from app.roles import Role

    queue_mail(db.session, volunteer.email, "Sent", "Body")
    db.session.commit()
    smtp.refuse = "550 5.1.1 no such user"
    queue_mail(db.session, "gone@example.test", "Refused", "Body")
    db.session.commit()
    client.set_cookie("lang", "en")
    login(make_user(Role.ADMIN))

    response = client.get("/admin/deliveries")

    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "no-store" in response.headers["Cache-Control"]
    row = page[page.index('<th scope="row">mail</th>') :].split("</tr>")[0]
    assert [int(n) for n in re.findall(r'<td class="number">(\d+)</td>', row)] == [0, 1, 1, 0]
    assert "gone@example.test" in page and "550 5.1.1 no such user" in page


def test_only_an_admin_sees_the_deliveries(client, login, volunteer):
    login(volunteer)
    assert client.get("/admin/deliveries").status_code == 403


def test_a_reminder_that_reaches_the_volunteer_nowhere_is_told_to_the_communes_coordinator(
    smtp, coordinator, make_user, make_volunteer, make_shift, hanoi
):
    from app.roles import Role

    province_coordinator = make_user(Role.COORDINATOR, province=hanoi)
    volunteer = make_volunteer(full_name="Lạc Mất", phone="0912000111")
    shift = make_shift()
    db.session.commit()
    smtp.refuse = "550 5.1.1 no such user"
    notify(db.session, volunteer, "reminder", shift_id=shift.id)
    db.session.commit()

    told = db.session.scalars(select(Notification).where(Notification.kind == "undelivered")).all()
    assert [n.user_id for n in told] == [coordinator.id]  # the commune's, not the province's
    assert province_coordinator.id not in {n.user_id for n in told}
    with force_locale("en"):
        [shown] = render(db.session, told)
    assert "Lạc Mất" in shown.text and "0912000111" in shown.text


def test_nobody_is_told_when_another_channel_delivered_it(
    monkeypatch, smtp, coordinator, volunteer, make_shift
):
    monkeypatch.setitem(CHANNELS, "fake", FakeChannel())
    shift = make_shift()
    db.session.commit()
    smtp.refuse = "550 5.1.1 no such user"
    notify(db.session, volunteer, "reminder", shift_id=shift.id)
    db.session.commit()

    assert (
        db.session.scalars(select(Notification).where(Notification.kind == "undelivered")).all()
        == []
    )


def test_a_notice_that_cannot_be_worded_fails_instead_of_being_retried_forever(
    monkeypatch, volunteer
):
    from app.notifications.services import KINDS, Kind

    def broken(session, notices):
        raise LookupError("the wording lost its shift")

    monkeypatch.setitem(KINDS, "broken", Kind(title="Broken", word=broken))
    notify(db.session, volunteer, "broken")
    db.session.commit()

    [failed] = _deliveries()
    assert (
        failed.state == DeliveryState.FAILED and "the wording lost its shift" in failed.last_error
    )
