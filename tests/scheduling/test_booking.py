"""book_shift and cancel_booking: places, waitlist, promotion, overlaps, limits and deadlines."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from app.extensions import db
from scheduling.booking.services import book_shift, cancel_booking
from scheduling.models import Booking, BookingStatus, Campaign, Shift, ShiftStatus
from scheduling.services import (
    Overlap,
    PastDeadline,
    SchedulingError,
    ShiftClosed,
    WeeklyLimit,
)
from tests.harness import NOW

CONFIRMED, WAITLISTED, CANCELLED = (
    BookingStatus.CONFIRMED,
    BookingStatus.WAITLISTED,
    BookingStatus.CANCELLED,
)


def test_booking_an_open_shift_confirms_a_place(make_shift, make_volunteer, now):
    shift = make_shift()
    booking = book_shift(db.session, shift, make_volunteer(), now=now).booking
    assert booking.id is not None
    assert booking.status == CONFIRMED
    assert booking.created_at == now


def test_a_full_shift_puts_the_next_people_on_the_waitlist(
    make_campaign, make_shift, make_volunteer, now
):
    shift = make_shift(on=make_campaign(max_per_shift=2, min_per_shift=1))
    statuses = [
        book_shift(
            db.session, shift, make_volunteer(), now=now + timedelta(seconds=i)
        ).booking.status
        for i in range(4)
    ]
    assert statuses == [CONFIRMED, CONFIRMED, WAITLISTED, WAITLISTED]


def test_booking_twice_returns_the_same_booking(make_shift, make_volunteer, now):
    shift, person = make_shift(), make_volunteer()
    first = book_shift(db.session, shift, person, now=now).booking
    again = book_shift(db.session, shift, person, now=now + timedelta(minutes=1)).booking
    assert again.id == first.id
    assert again.created_at == now
    assert db.session.scalar(select(func.count()).select_from(Booking)) == 1


def test_rebooking_after_cancelling_reactivates_the_same_row(make_shift, make_volunteer, now):
    shift, person = make_shift(NOW + timedelta(hours=48)), make_volunteer()
    booking = book_shift(db.session, shift, person, now=now).booking
    cancel_booking(db.session, booking, now=now + timedelta(hours=1))
    assert booking.status == CANCELLED
    assert booking.cancelled_at == now + timedelta(hours=1)

    again = book_shift(db.session, shift, person, now=now + timedelta(hours=2)).booking
    assert again.id == booking.id
    assert again.status == CONFIRMED
    assert again.cancelled_at is None
    assert again.created_at == now + timedelta(hours=2)
    assert db.session.scalar(select(func.count()).select_from(Booking)) == 1


def test_cancelling_a_confirmed_place_promotes_the_first_in_line(
    make_campaign, make_shift, make_volunteer, now
):
    shift = make_shift(
        NOW + timedelta(hours=48), on=make_campaign(max_per_shift=1, min_per_shift=1)
    )
    holder = book_shift(db.session, shift, make_volunteer(), now=now).booking
    # booked in this order, but made in reverse id order: the waitlist follows the booking time
    second, first = make_volunteer(), make_volunteer()
    waiting_first = book_shift(db.session, shift, first, now=now + timedelta(minutes=1)).booking
    waiting_second = book_shift(db.session, shift, second, now=now + timedelta(minutes=2)).booking

    promoted = cancel_booking(db.session, holder, now=now + timedelta(hours=1))

    assert promoted.id == waiting_first.id
    assert waiting_first.status == CONFIRMED
    assert waiting_second.status == WAITLISTED


def test_leaving_the_waitlist_promotes_nobody(make_campaign, make_shift, make_volunteer, now):
    shift = make_shift(
        NOW + timedelta(hours=48), on=make_campaign(max_per_shift=1, min_per_shift=1)
    )
    book_shift(db.session, shift, make_volunteer(), now=now)
    waiting = book_shift(db.session, shift, make_volunteer(), now=now).booking
    last = book_shift(db.session, shift, make_volunteer(), now=now + timedelta(seconds=1)).booking

    assert cancel_booking(db.session, waiting, now=now) is None
    assert last.status == WAITLISTED


def test_leaving_the_waitlist_is_allowed_past_the_deadline(
    make_campaign, make_shift, make_volunteer, now
):
    shift = make_shift(NOW + timedelta(hours=2), on=make_campaign(max_per_shift=1, min_per_shift=1))
    book_shift(db.session, shift, make_volunteer(), now=now)
    waiting = book_shift(db.session, shift, make_volunteer(), now=now).booking
    cancel_booking(db.session, waiting, now=now)
    assert waiting.status == CANCELLED


def test_cancelling_twice_is_harmless(make_shift, make_volunteer, now):
    booking = book_shift(
        db.session, make_shift(NOW + timedelta(hours=48)), make_volunteer(), now=now
    ).booking
    cancel_booking(db.session, booking, now=now)
    assert cancel_booking(db.session, booking, now=now) is None
    assert booking.status == CANCELLED


def test_a_volunteer_cannot_cancel_past_the_deadline(make_shift, make_volunteer, now):
    shift = make_shift(NOW + timedelta(hours=24))  # default deadline: 12 hours before the start
    booking = book_shift(db.session, shift, make_volunteer(), now=now).booking

    with pytest.raises(PastDeadline) as refused:
        cancel_booking(db.session, booking, now=shift.starts_at - timedelta(hours=12))
    assert refused.value.code == "past_deadline"
    assert booking.status == CONFIRMED

    cancel_booking(db.session, booking, now=shift.starts_at - timedelta(hours=12, seconds=1))
    assert booking.status == CANCELLED


def test_a_coordinator_can_release_a_place_past_the_deadline(
    make_campaign, make_shift, make_volunteer, now
):
    shift = make_shift(NOW + timedelta(hours=3), on=make_campaign(max_per_shift=1, min_per_shift=1))
    booking = book_shift(db.session, shift, make_volunteer(), now=now).booking
    waiting = book_shift(db.session, shift, make_volunteer(), now=now).booking

    promoted = cancel_booking(
        db.session, booking, by_coordinator=True, now=now + timedelta(hours=1)
    )

    assert booking.status == CANCELLED
    assert promoted.id == waiting.id


def test_the_deadline_follows_the_campaign(make_campaign, make_shift, make_volunteer, now):
    shift = make_shift(NOW + timedelta(hours=24), on=make_campaign(cancel_deadline_hours=30))
    booking = book_shift(db.session, shift, make_volunteer(), now=now).booking
    with pytest.raises(PastDeadline):
        cancel_booking(db.session, booking, now=now)


def test_overlapping_shifts_are_refused(make_shift, make_volunteer, service_point, now):
    morning = make_shift(NOW + timedelta(hours=24), 4)
    overlapping = make_shift(NOW + timedelta(hours=27), 4)
    person = make_volunteer()
    book_shift(db.session, morning, person, now=now)

    with pytest.raises(Overlap) as refused:
        book_shift(db.session, overlapping, person, now=now)
    assert refused.value.code == "overlap"
    assert isinstance(refused.value, SchedulingError)


def test_a_waitlisted_booking_also_blocks_an_overlapping_one(
    make_campaign, make_shift, make_volunteer, now
):
    campaign = make_campaign(max_per_shift=1, min_per_shift=1)
    full = make_shift(NOW + timedelta(hours=24), on=campaign)
    book_shift(db.session, full, make_volunteer(), now=now)
    person = make_volunteer()
    assert book_shift(db.session, full, person, now=now).booking.status == WAITLISTED
    with pytest.raises(Overlap):
        book_shift(db.session, make_shift(NOW + timedelta(hours=25), on=campaign), person, now=now)


def test_back_to_back_shifts_do_not_overlap(make_shift, make_volunteer, now):
    person = make_volunteer()
    book_shift(db.session, make_shift(NOW + timedelta(hours=24), 4), person, now=now)
    assert book_shift(
        db.session, make_shift(NOW + timedelta(hours=28), 4), person, now=now
    ).booking.status == (CONFIRMED)


def test_a_cancelled_booking_does_not_block_an_overlapping_one(make_shift, make_volunteer, now):
    person = make_volunteer()
    first = book_shift(db.session, make_shift(NOW + timedelta(hours=24)), person, now=now).booking
    cancel_booking(db.session, first, now=now)
    assert (
        book_shift(
            db.session, make_shift(NOW + timedelta(hours=26)), person, now=now
        ).booking.status
        == CONFIRMED
    )


def test_the_weekly_limit_counts_shifts_in_the_local_iso_week(
    make_campaign, make_shift, make_volunteer, now
):
    # NOW is Monday 07:00 in Hanoi; the local week ends Sunday 24:00 = Sunday 17:00 UTC
    campaign = make_campaign(weekly_limit=2)
    person = make_volunteer()
    book_shift(db.session, make_shift(NOW + timedelta(hours=24), on=campaign), person, now=now)
    book_shift(db.session, make_shift(NOW + timedelta(hours=48), on=campaign), person, now=now)

    with pytest.raises(WeeklyLimit) as refused:
        book_shift(db.session, make_shift(NOW + timedelta(hours=72), on=campaign), person, now=now)
    assert refused.value.code == "weekly_limit"

    # Sunday 16:00 UTC is Sunday 23:00 in Hanoi: still this week
    with pytest.raises(WeeklyLimit):
        book_shift(
            db.session,
            make_shift(NOW + timedelta(hours=6 * 24 + 16), 1, on=campaign),
            person,
            now=now,
        )
    # Sunday 17:00 UTC is Monday 00:00 in Hanoi: next week
    next_week = make_shift(NOW + timedelta(hours=6 * 24 + 17), 1, on=campaign)
    assert book_shift(db.session, next_week, person, now=now).booking.status == CONFIRMED


def test_a_cancelled_booking_frees_its_weekly_slot(make_campaign, make_shift, make_volunteer, now):
    campaign = make_campaign(weekly_limit=1)
    person = make_volunteer()
    booking = book_shift(
        db.session, make_shift(NOW + timedelta(hours=24), on=campaign), person, now=now
    ).booking
    cancel_booking(db.session, booking, now=now)
    assert book_shift(
        db.session, make_shift(NOW + timedelta(hours=48), on=campaign), person, now=now
    ).booking


def test_a_cancelled_shift_cannot_be_booked(make_shift, make_volunteer, now):
    shift = make_shift()
    shift.status = ShiftStatus.CANCELLED
    with pytest.raises(ShiftClosed) as refused:
        book_shift(db.session, shift, make_volunteer(), now=now)
    assert refused.value.code == "shift_closed"


def test_a_shift_that_has_started_cannot_be_booked(make_shift, make_volunteer, now):
    shift = make_shift(NOW + timedelta(hours=1))
    with pytest.raises(ShiftClosed):
        book_shift(db.session, shift, make_volunteer(), now=shift.starts_at)


def test_refusals_write_nothing(make_shift, make_volunteer, now):
    shift = make_shift(NOW + timedelta(hours=1))
    with pytest.raises(ShiftClosed):
        book_shift(db.session, shift, make_volunteer(), now=shift.starts_at + timedelta(hours=1))
    assert db.session.scalar(select(func.count()).select_from(Booking)) == 0


def _changed_behind_its_back(model, row_id, **values):
    """Change a row in the database and leave the object in the session as it was: what
    another writer's commit, just before this booking's lock, looks like to this booking."""
    db.session.execute(
        update(model).where(model.id == row_id).values(**values),
        execution_options={"synchronize_session": False},
    )


def test_a_shift_moved_just_before_the_lock_is_judged_where_it_now_is(
    make_shift, make_volunteer, now
):
    person = make_volunteer()
    book_shift(db.session, make_shift(NOW + timedelta(hours=24), 4), person, now=now)
    later = make_shift(NOW + timedelta(hours=30), 4)
    # a coordinator moves it onto the person's morning; the booking still holds the old times
    _changed_behind_its_back(
        Shift, later.id, starts_at=NOW + timedelta(hours=25), ends_at=NOW + timedelta(hours=29)
    )

    with pytest.raises(Overlap):
        book_shift(db.session, later, person, now=now)
    assert later.starts_at == NOW + timedelta(hours=25)  # read again under the lock


def test_a_weekly_limit_set_just_before_the_lock_holds(
    make_campaign, make_shift, make_volunteer, now
):
    campaign = make_campaign()
    person = make_volunteer()
    book_shift(db.session, make_shift(NOW + timedelta(hours=24), on=campaign), person, now=now)
    second = make_shift(NOW + timedelta(hours=48), on=campaign)
    _changed_behind_its_back(Campaign, campaign.id, weekly_limit=1)

    with pytest.raises(WeeklyLimit):
        book_shift(db.session, second, person, now=now)
