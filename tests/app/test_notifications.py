"""Notifications: stored, mailed in the person's language, listed, counted, and sent on booking."""

from datetime import UTC, datetime, timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from app.api.services import issue_token
from app.extensions import db
from app.notifications.models import Delivery, Notification
from app.notifications.services import KINDS, notify, unread_count
from scheduling.booking.services import book_shift, cancel_booking
from scheduling.models import BookingStatus

#: 07:30 in Hanoi on Tuesday 8 January 2030
MORNING = datetime(2030, 1, 8, 0, 30, tzinfo=UTC)


@pytest.fixture
def shift(make_shift):
    return make_shift(MORNING)


@pytest.fixture
def english(client):
    client.set_cookie("lang", "en")
    return client


def _mails(to):
    """The mails sent to that address: committed, so the queue (immediate in tests) words and
    sends them."""
    db.session.commit()
    return db.session.scalars(
        select(Delivery).where(Delivery.channel == "mail", Delivery.address == to)
    ).all()


def _notices(user, kind=None):
    stmt = select(Notification).where(Notification.user_id == user.id)
    if kind:
        stmt = stmt.where(Notification.kind == kind)
    return db.session.scalars(stmt).all()


def test_notify_stores_the_notice_with_ids_and_queues_a_mail(volunteer, shift):
    notice = db.session.get(
        Notification, notify(db.session, volunteer, "booking_confirmed", shift_id=shift.id)
    )
    assert notice.user_id == volunteer.id and notice.kind == "booking_confirmed"
    assert notice.params == {"shift_id": shift.id} and notice.read_at is None
    [mail] = _mails(volunteer.email)
    assert shift.service_point.name in mail.body
    assert "Phường Bồ Đề" in mail.body
    assert "/me/shifts" in mail.body


def test_the_mail_is_written_in_the_persons_own_language(make_volunteer, shift):
    english = make_volunteer(locale="en")
    vietnamese = make_volunteer(locale="vi")
    notify(db.session, english, "reminder", shift_id=shift.id)
    notify(db.session, vietnamese, "reminder", shift_id=shift.id)
    [english_mail] = _mails(english.email)
    [vietnamese_mail] = _mails(vietnamese.email)
    # the day's name comes from Babel in each person's locale, the time in Hanoi's zone
    assert "Tuesday, January 8, 2030" in english_mail.body and "7:30" in english_mail.body
    assert "thứ ba" in vietnamese_mail.body.lower()
    assert "07:30" in vietnamese_mail.body


def test_a_person_without_email_gets_the_notice_but_no_mail(make_user, shift):
    from app.roles import Role

    learner = make_user(Role.VOLUNTEER, email=None)
    learner.email = None
    db.session.flush()
    notify(db.session, learner, "placed", shift_id=shift.id)
    assert len(_notices(learner)) == 1
    assert db.session.scalar(select(func.count()).select_from(Delivery)) == 0


def test_an_unknown_kind_is_a_programming_error(volunteer):
    with pytest.raises(ValueError):
        notify(db.session, volunteer, "nonsense")


def test_every_kind_has_its_own_text(english, login, volunteer, shift, make_shift):
    other = make_shift(MORNING + timedelta(hours=6))
    for kind in KINDS:
        notify(db.session, volunteer, kind, shift_id=other.id, from_shift_id=shift.id)
    login(volunteer)
    page = english.get("/notifications").get_data(as_text=True)
    with force_locale("en"):
        titles = [str(kind.title) for kind in KINDS.values()]
    for title in titles:
        assert title in page
    assert "A coordinator moved you from" in page
    assert "1:30" in page  # the afternoon shift, 13:30 in Hanoi, in English's 12-hour clock


def test_the_page_lists_newest_first_marks_unread_and_marks_all_read(
    english, login, volunteer, shift
):
    first = db.session.get(
        Notification, notify(db.session, volunteer, "booking_confirmed", shift_id=shift.id)
    )
    first.created_at = datetime(2020, 1, 1, tzinfo=UTC)
    notify(db.session, volunteer, "reminder", shift_id=shift.id)
    login(volunteer)
    page = english.get("/notifications").get_data(as_text=True)
    assert page.index("Reminder: your shift is soon") < page.index("Booking confirmed")
    assert "2 unread notifications." in page and page.count(">New<") == 2
    assert '<span class="badge">2<span class="visually-hidden"> unread</span>' in page

    response = english.post("/notifications/read", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "All notifications are marked read." in page
    assert ">New<" not in page and 'class="badge"' not in page
    assert unread_count(db.session, volunteer.id) == 0


def test_the_text_follows_the_readers_current_language(client, login, volunteer, shift):
    notify(db.session, volunteer, "booking_confirmed", shift_id=shift.id)
    login(volunteer)
    client.set_cookie("lang", "en")
    assert "Tuesday" in client.get("/notifications").get_data(as_text=True)
    client.set_cookie("lang", "vi")
    assert "thứ ba" in client.get("/notifications").get_data(as_text=True).lower()


def test_a_person_sees_only_their_own_notices(english, login, volunteer, make_volunteer, shift):
    other = make_volunteer(full_name="Trần Thị Bình")
    notify(db.session, other, "shift_cancelled", shift_id=shift.id)
    login(volunteer)
    page = english.get("/notifications").get_data(as_text=True)
    assert "Your shift was cancelled" not in page and "You have no notifications yet." in page
    english.post("/notifications/read")
    assert unread_count(db.session, other.id) == 1


def test_the_notifications_page_asks_to_sign_in(english):
    response = english.get("/notifications")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert english.post("/notifications/read").status_code == 302


def test_a_deleted_shift_is_named_as_such(english, login, volunteer):
    notify(db.session, volunteer, "shift_cancelled", shift_id=987654)
    login(volunteer)
    assert "a shift that no longer exists" in english.get("/notifications").get_data(as_text=True)


# --- wired into booking -------------------------------------------------------------------------


def test_booking_on_the_page_confirms_by_notice(english, login, volunteer, shift):
    login(volunteer)
    english.post(f"/shifts/{shift.id}/book")
    english.post(f"/shifts/{shift.id}/book")  # a second tap changes nothing
    assert [n.params for n in _notices(volunteer, "booking_confirmed")] == [{"shift_id": shift.id}]
    assert len(_mails(volunteer.email)) == 1


def test_joining_the_waitlist_is_not_a_confirmation(
    english, login, make_campaign, make_shift, make_volunteer
):
    campaign = make_campaign(min_per_shift=1, max_per_shift=1)
    full = make_shift(MORNING, on=campaign)
    book_shift(db.session, full, make_volunteer())
    person = make_volunteer()
    login(person)
    english.post(f"/shifts/{full.id}/book")
    assert not _notices(person)


def test_booking_through_the_api_confirms_by_notice(client, volunteer, shift):
    token = issue_token(db.session, volunteer)
    headers = {"Authorization": f"Bearer {token}"}
    assert client.post(f"/api/v1/shifts/{shift.id}/bookings", headers=headers).status_code == 201
    assert client.post(f"/api/v1/shifts/{shift.id}/bookings", headers=headers).status_code == 200
    assert len(_notices(volunteer, "booking_confirmed")) == 1


def test_a_cancellation_promotes_and_tells_the_first_on_the_waitlist(
    english, login, make_campaign, make_shift, make_volunteer
):
    campaign = make_campaign(min_per_shift=1, max_per_shift=1)
    full = make_shift(MORNING, on=campaign)
    holder, first, second = make_volunteer(), make_volunteer(locale="en"), make_volunteer()
    booking = book_shift(db.session, full, holder).booking
    promoted = book_shift(db.session, full, first).booking
    book_shift(db.session, full, second)
    login(holder)
    english.post(f"/bookings/{booking.id}/cancel")
    db.session.expire_all()
    assert promoted.status == BookingStatus.CONFIRMED
    assert [n.params for n in _notices(first, "promoted")] == [{"shift_id": full.id}]
    assert not _notices(second, "promoted")
    assert any("waitlist" in m.subject for m in _mails(first.email))


def test_a_cancellation_through_the_service_tells_the_promoted_person(
    make_campaign, make_shift, make_volunteer
):
    campaign = make_campaign(min_per_shift=1, max_per_shift=1)
    full = make_shift(MORNING, on=campaign)
    booking = book_shift(db.session, full, make_volunteer()).booking
    waiting = make_volunteer()
    book_shift(db.session, full, waiting)
    cancel_booking(db.session, booking, by_coordinator=True)
    assert len(_notices(waiting, "promoted")) == 1
