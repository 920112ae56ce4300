"""`flask scheduling send-reminders` (and the scheduler's job): one reminder per confirmed booking
the day before its shift, and one two hours before."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.database import utcnow
from app.extensions import db
from app.notifications.models import Delivery, Notification
from scheduling.booking.services import book_shift, cancel_booking
from scheduling.models import ShiftStatus
from scheduling.reminders.models import ShiftReminder
from scheduling.reminders.services import send_reminders
from tests.harness import in_own_transaction


@pytest.fixture
def shift_in(make_shift):
    """A shift starting `hours` from the real clock (the command uses the real clock)."""

    def make(hours):
        return make_shift(utcnow().replace(microsecond=0) + timedelta(hours=hours))

    return make


def _reminders(user=None):
    stmt = select(func.count()).select_from(Notification).where(Notification.kind == "reminder")
    if user is not None:
        stmt = stmt.where(Notification.user_id == user.id)
    db.session.expire_all()
    return db.session.scalar(stmt)


def _run(runner):
    result = runner.invoke(args=["scheduling", "send-reminders"])
    assert result.exit_code == 0, result.output
    return result.output


def test_a_second_run_sends_nothing(runner, shift_in, make_volunteer):
    shift = shift_in(hours=10)
    people = [make_volunteer() for _ in range(3)]
    for person in people:
        book_shift(db.session, shift, person)
    db.session.commit()

    assert _run(runner).strip() == "3 reminder(s) sent."
    assert _run(runner).strip() == "0 reminder(s) sent."
    assert _reminders() == 3
    assert all(_reminders(person) == 1 for person in people)


def test_a_booking_made_after_a_run_is_reminded_on_the_next(runner, shift_in, make_volunteer):
    shift = shift_in(hours=5)
    book_shift(db.session, shift, make_volunteer())
    db.session.commit()
    _run(runner)
    late = make_volunteer()
    book_shift(db.session, shift, late)
    db.session.commit()

    assert _run(runner).strip() == "1 reminder(s) sent."
    assert _reminders(late) == 1


def test_only_confirmed_bookings_of_active_shifts_in_the_next_24_hours(
    runner, shift_in, make_campaign, make_volunteer
):
    soon = shift_in(hours=2)
    confirmed, cancelled = make_volunteer(), make_volunteer()
    book_shift(db.session, soon, confirmed)
    cancel_booking(db.session, book_shift(db.session, soon, cancelled).booking, by_coordinator=True)
    too_far = shift_in(hours=30)
    book_shift(db.session, too_far, make_volunteer())
    called_off = shift_in(hours=8)
    book_shift(db.session, called_off, make_volunteer())
    called_off.status = ShiftStatus.CANCELLED
    started = shift_in(hours=-1)
    started_booking = book_shift(db.session, shift_in(hours=20), make_volunteer()).booking
    started_booking.shift_id = started.id
    db.session.commit()

    assert _run(runner).strip() == "1 reminder(s) sent."
    assert _reminders(confirmed) == 1 and _reminders(cancelled) == 0


def test_waitlisted_people_are_not_reminded(make_campaign, make_shift, make_volunteer):
    campaign = make_campaign(min_per_shift=1, max_per_shift=1)
    now = utcnow()
    shift = make_shift(now + timedelta(hours=3), on=campaign)
    book_shift(db.session, shift, make_volunteer())
    waiting = make_volunteer()
    book_shift(db.session, shift, waiting)

    assert send_reminders(db.session, now=now) == 1
    assert _reminders(waiting) == 0


def test_the_reminder_mail_is_delivered(make_shift, volunteer):
    # booked as a row, not through book_shift, whose confirmation is a mail of its own
    make_shift(utcnow().replace(microsecond=0) + timedelta(hours=6), booked=[volunteer])
    send_reminders(db.session)
    db.session.commit()
    delivered = db.session.execute(
        select(Delivery.subject, Delivery.state).where(Delivery.address == volunteer.email)
    ).all()
    assert delivered == [("Nhắc lịch: ca trực của bạn sắp bắt đầu", "sent")]


def test_the_database_refuses_a_second_reminder_for_a_booking(shift_in, volunteer):
    booking = book_shift(db.session, shift_in(hours=6), volunteer).booking
    db.session.add(ShiftReminder(booking_id=booking.id, hours_before=24))
    db.session.flush()
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.add(ShiftReminder(booking_id=booking.id, hours_before=24))
        db.session.flush()


def test_concurrent_runs_send_each_reminder_once(app, shift_in, make_volunteer):
    shift = shift_in(hours=12)
    people = [make_volunteer() for _ in range(5)]
    for person in people:
        book_shift(db.session, shift, person)
    db.session.commit()

    results = in_own_transaction(app, lambda _: send_reminders(db.session), 4)

    assert sum(results) == 5
    assert _reminders() == 5
    assert all(_reminders(person) == 1 for person in people)


def test_a_booking_is_reminded_the_day_before_and_two_hours_before_once_each(make_shift, volunteer):
    now = utcnow().replace(microsecond=0)
    make_shift(now + timedelta(hours=20), booked=[volunteer])

    assert send_reminders(db.session, now=now) == 1  # the day before
    assert send_reminders(db.session, now=now + timedelta(hours=10)) == 0
    assert send_reminders(db.session, now=now + timedelta(hours=18, minutes=5)) == 1  # 2 h
    assert send_reminders(db.session, now=now + timedelta(hours=19)) == 0
    db.session.commit()
    sent = db.session.scalars(
        select(ShiftReminder.hours_before).order_by(ShiftReminder.hours_before)
    ).all()
    assert sent == [2, 24]
    assert _reminders(volunteer) == 2


def test_a_booking_made_an_hour_before_gets_only_the_last_reminder(make_shift, volunteer):
    now = utcnow().replace(microsecond=0)
    make_shift(now + timedelta(hours=1), booked=[volunteer])

    assert send_reminders(db.session, now=now) == 1
    assert db.session.scalars(select(ShiftReminder.hours_before)).all() == [2]


def test_the_worker_runs_the_reminders_as_a_periodic_job(app, make_shift, volunteer):
    make_shift(utcnow().replace(microsecond=0) + timedelta(hours=6), booked=[volunteer])
    db.session.commit()

    app.extensions["tasks"]["scheduling.send_reminders"]()  # as the scheduler does

    assert _reminders(volunteer) == 1


def test_the_staff_page_says_how_each_persons_reminder_went_out(
    client, login, coordinator, make_shift, make_user, make_volunteer
):
    from app.roles import Role

    mailed = make_volunteer(full_name="Có Thư")
    no_email = make_user(Role.VOLUNTEER, full_name="Không Thư")
    no_email.email = None
    not_yet = make_volunteer(full_name="Chưa Nhắc")
    shift = make_shift(utcnow().replace(microsecond=0) + timedelta(hours=6))
    # reminded of another shift only: that reminder is not this one's
    make_shift(shift.starts_at + timedelta(hours=6), booked=[not_yet])
    for person in (mailed, no_email):
        book_shift(db.session, shift, person)
    send_reminders(db.session)
    book_shift(db.session, shift, not_yet)
    db.session.commit()
    client.set_cookie("lang", "en")
    login(coordinator)

    page = client.get(f"/shifts/{shift.id}/staff").get_data(as_text=True)

    def about(name):
        return " ".join(page[page.index(name) :].split("</li>")[0].split())

    assert "Reminder 24 h before: by mail sent" in about("Có Thư")
    assert "no channel reaches them" in about("Không Thư")
    assert "Reminder" not in about("Chưa Nhắc")


def test_the_job_writes_reminders_in_short_batches_until_none_is_due(
    monkeypatch, shift_in, make_volunteer
):
    from scheduling import jobs

    shift = shift_in(hours=8)
    people = [make_volunteer() for _ in range(5)]
    for person in people:
        book_shift(db.session, shift, person)
    db.session.commit()
    monkeypatch.setattr(jobs, "REMINDER_BATCH", 2)

    assert jobs.send_reminders() == 5
    assert all(_reminders(person) == 1 for person in people)
    assert jobs.send_reminders() == 0
