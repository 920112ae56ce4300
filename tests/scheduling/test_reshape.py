"""Extending, shortening and re-patterning a campaign keeps the bookings of the shifts that fit."""

from datetime import date, time, timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.localtime import LOCAL_ZONE
from app.notifications.models import Notification
from app.places.models import ServicePoint
from scheduling.booking.services import book_shift
from scheduling.campaigns.services import MaxBelowConfirmed, reshape_campaign
from scheduling.models import Booking, BookingStatus, Shift, ShiftStatus
from scheduling.services import generate_shifts
from tests.harness import NOW

#: Monday 7 to Sunday 13 January 2030, two shifts a day at one service point: 14 shifts
WEEK = {"starts_on": date(2030, 1, 7), "ends_on": date(2030, 1, 13)}


@pytest.fixture
def week(make_campaign, service_point):
    campaign = make_campaign(**WEEK)
    generate_shifts(db.session, campaign)
    return campaign


def _shift_on(day: date, start="07:30"):
    for shift in db.session.scalars(select(Shift).order_by(Shift.starts_at)):
        local = shift.starts_at.astimezone(LOCAL_ZONE)
        if local.date() == day and local.time() == time.fromisoformat(start):
            return shift
    raise LookupError(day)


def _count(*where):
    return db.session.scalar(select(func.count()).select_from(Shift).where(*where))


def _notices(user, kind):
    return db.session.scalars(
        select(Notification).where(Notification.user_id == user.id, Notification.kind == kind)
    ).all()


def test_shortening_cancels_booked_shifts_deletes_empty_ones_and_tells_the_people(
    week, make_volunteer
):
    keep = _shift_on(date(2030, 1, 9))
    lose = _shift_on(date(2030, 1, 12))
    stays, goes, waits = make_volunteer(), make_volunteer(), make_volunteer()
    kept_booking = book_shift(db.session, keep, stays, now=NOW).booking
    lost_booking = book_shift(db.session, lose, goes, now=NOW).booking

    summary = reshape_campaign(db.session, week, {"ends_on": date(2030, 1, 10)}, now=NOW)

    assert (summary.cancelled, summary.deleted, summary.added) == (1, 5, 0)
    assert summary.told == {goes.id}
    assert lose.status == ShiftStatus.CANCELLED
    assert lost_booking.status == BookingStatus.CANCELLED and lost_booking.cancelled_at == NOW
    assert kept_booking.status == BookingStatus.CONFIRMED and keep.status == ShiftStatus.ACTIVE
    assert _count(Shift.status == ShiftStatus.ACTIVE) == 8
    assert len(_notices(goes, "shift_cancelled")) == 1
    assert _notices(goes, "shift_cancelled")[0].params == {"shift_id": lose.id}
    assert not _notices(stays, "shift_cancelled") and not _notices(waits, "shift_cancelled")


def test_a_shift_with_only_cancelled_bookings_is_cancelled_not_deleted(week, make_volunteer):
    from scheduling.booking.services import cancel_booking

    lose = _shift_on(date(2030, 1, 13))
    person = make_volunteer()
    cancel_booking(db.session, book_shift(db.session, lose, person, now=NOW).booking, now=NOW)

    summary = reshape_campaign(db.session, week, {"ends_on": date(2030, 1, 12)}, now=NOW)

    assert db.session.get(Shift, lose.id).status == ShiftStatus.CANCELLED
    assert summary.cancelled == 1 and summary.told == set()


def test_extending_adds_only_the_missing_shifts_and_keeps_bookings(week, make_volunteer):
    shift = _shift_on(date(2030, 1, 8))
    booking = book_shift(db.session, shift, make_volunteer(), now=NOW).booking

    summary = reshape_campaign(db.session, week, {"ends_on": date(2030, 1, 20)}, now=NOW)

    assert summary.added == 14 and summary.cancelled == summary.deleted == 0
    assert _count() == 28
    assert booking.status == BookingStatus.CONFIRMED and booking.shift_id == shift.id


def test_changing_the_pattern_moves_booked_shifts_and_tells_their_people(week, make_volunteer):
    morning = _shift_on(date(2030, 1, 9), "07:30")
    person, waiting = make_volunteer(), make_volunteer()
    booking = book_shift(db.session, morning, person, now=NOW).booking
    week.min_per_shift, week.max_per_shift = 0, 1
    waitlisted = book_shift(db.session, morning, waiting, now=NOW).booking
    old_start = morning.starts_at

    summary = reshape_campaign(
        db.session,
        week,
        {"shift_pattern": [{"start": "08:00", "end": "12:00"}, {"start": "13:30", "end": "17:30"}]},
        now=NOW,
    )

    assert summary.changed == 1
    assert summary.deleted == 6 and summary.added == 6
    assert summary.told == {person.id, waiting.id}
    moved = db.session.get(Shift, morning.id)
    assert moved.starts_at.astimezone(LOCAL_ZONE).time() == time(8, 0)
    assert booking.status == BookingStatus.CONFIRMED and booking.shift_id == morning.id
    assert waitlisted.status == BookingStatus.WAITLISTED
    notice = _notices(person, "shift_changed")[0]
    assert notice.params["shift_id"] == morning.id
    assert notice.params["old_starts_at"] == old_start.isoformat()
    assert _count(Shift.status == ShiftStatus.ACTIVE) == 14


def test_dropping_a_weekday_cancels_its_booked_shifts(week, make_volunteer):
    sunday = _shift_on(date(2030, 1, 13), "13:30")
    person = make_volunteer()
    book_shift(db.session, sunday, person, now=NOW)

    summary = reshape_campaign(db.session, week, {"weekdays": [0, 1, 2, 3, 4, 5]}, now=NOW)

    assert (summary.cancelled, summary.deleted) == (1, 1)
    assert sunday.status == ShiftStatus.CANCELLED
    assert _notices(person, "shift_cancelled")


def test_removing_a_commune_cancels_its_shifts_and_adding_one_generates_them(
    week, make_volunteer, bo_de, other_commune
):
    point = ServicePoint(commune=other_commune, name="Điểm khác", address="Hà Nội")
    db.session.add(point)
    booked = _shift_on(date(2030, 1, 10))
    person = make_volunteer()
    book_shift(db.session, booked, person, now=NOW)

    summary = reshape_campaign(db.session, week, {"communes": [other_commune]}, now=NOW)

    assert summary.added == 14 and summary.cancelled == 1 and summary.deleted == 13
    assert _count(Shift.service_point_id == point.id) == 14
    assert booked.status == ShiftStatus.CANCELLED and _notices(person, "shift_cancelled")


def test_shortening_then_extending_reopens_the_cancelled_shift(week, make_volunteer):
    shift = _shift_on(date(2030, 1, 13))
    book_shift(db.session, shift, make_volunteer(), now=NOW)
    reshape_campaign(db.session, week, {"ends_on": date(2030, 1, 12)}, now=NOW)

    summary = reshape_campaign(db.session, week, {"ends_on": date(2030, 1, 13)}, now=NOW)

    assert shift.status == ShiftStatus.ACTIVE
    assert summary.added == 2 and _count(Shift.status == ShiftStatus.ACTIVE) == 14


def test_started_shifts_are_history_and_never_touched(week, make_volunteer):

    first = _shift_on(date(2030, 1, 7))
    booking = book_shift(db.session, first, make_volunteer(), now=NOW).booking
    later = first.starts_at + timedelta(hours=1)

    summary = reshape_campaign(db.session, week, {"starts_on": date(2030, 1, 8)}, now=later)

    assert first.status == ShiftStatus.ACTIVE and booking.status == BookingStatus.CONFIRMED
    # the afternoon of the 7th has not started and had no booking
    assert summary.deleted == 1 and summary.cancelled == 0


def test_raising_the_maximum_promotes_the_waitlist_and_tells_them(
    make_campaign, make_shift, make_volunteer
):
    campaign = make_campaign(min_per_shift=1, max_per_shift=1)
    shift = make_shift(on=campaign)
    book_shift(db.session, shift, make_volunteer(), now=NOW)
    waiting = [make_volunteer() for _ in range(3)]
    bookings = [book_shift(db.session, shift, person, now=NOW).booking for person in waiting]

    summary = reshape_campaign(db.session, campaign, {"max_per_shift": 3}, now=NOW)

    assert summary.promoted == 2 and summary.told == {waiting[0].id, waiting[1].id}
    assert [b.status for b in bookings] == [
        BookingStatus.CONFIRMED,
        BookingStatus.CONFIRMED,
        BookingStatus.WAITLISTED,
    ]
    assert _notices(waiting[0], "promoted") and not _notices(waiting[2], "promoted")


def test_lowering_the_maximum_below_the_confirmed_count_is_refused(
    make_campaign, make_shift, make_volunteer
):
    campaign = make_campaign(max_per_shift=8, min_per_shift=2)
    shift = make_shift(on=campaign)
    for _ in range(6):
        book_shift(db.session, shift, make_volunteer(), now=NOW)

    with pytest.raises(MaxBelowConfirmed) as refused:
        reshape_campaign(db.session, campaign, {"max_per_shift": 4}, now=NOW)

    assert (refused.value.shifts, refused.value.highest) == (1, 6)
    assert campaign.max_per_shift == 8
    assert (
        db.session.scalar(
            select(func.count()).where(
                Booking.shift_id == shift.id, Booking.status == BookingStatus.CONFIRMED
            )
        )
        == 6
    )


def test_lowering_the_maximum_to_the_confirmed_count_is_allowed(
    make_campaign, make_shift, make_volunteer
):
    campaign = make_campaign(max_per_shift=8, min_per_shift=2)
    shift = make_shift(on=campaign)
    for _ in range(6):
        book_shift(db.session, shift, make_volunteer(), now=NOW)

    reshape_campaign(db.session, campaign, {"max_per_shift": 6, "min_per_shift": 3}, now=NOW)

    assert (campaign.max_per_shift, campaign.min_per_shift) == (6, 3)
    assert shift.capacity == 6


def test_a_shift_already_over_a_past_maximum_does_not_block_when_it_has_started(
    make_campaign, make_shift, make_volunteer
):

    campaign = make_campaign(max_per_shift=8)
    shift = make_shift(on=campaign)
    for _ in range(6):
        book_shift(db.session, shift, make_volunteer(), now=NOW)

    reshape_campaign(
        db.session, campaign, {"max_per_shift": 5}, now=shift.starts_at + timedelta(minutes=1)
    )

    assert campaign.max_per_shift == 5
