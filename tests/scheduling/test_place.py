"""place(): the one booking operation and its reason codes, whatever the caller's policy."""

from datetime import timedelta

from sqlalchemy import func, select

from app.extensions import db
from scheduling.booking.placement import Reason, judge, place
from scheduling.models import Booking, BookingStatus, ShiftStatus
from tests.harness import NOW

BOOKING = {"waitlist": True, "weekly_limit": True}  # a volunteer booking themselves
PLACING = {"waitlist": False, "weekly_limit": True}  # a coordinator placing someone
WALK_IN = {"waitlist": False, "weekly_limit": False}  # a volunteer walking in


def _bookings():
    return db.session.scalar(select(func.count()).select_from(Booking))


def test_a_place_with_room_is_confirmed_and_made(make_shift, make_volunteer, now):
    person = make_volunteer()
    placement = place(db.session, make_shift(), person, **PLACING, now=now)
    assert placement.reason == Reason.CONFIRMED == "confirmed"
    assert placement.created and placement.placed
    assert placement.booking.status == BookingStatus.CONFIRMED
    assert placement.booking.created_at == now


def test_a_full_shift_waitlists_or_is_full_by_policy(
    make_campaign, make_shift, make_volunteer, now
):
    shift = make_shift(on=make_campaign(max_per_shift=1, min_per_shift=1))
    place(db.session, shift, make_volunteer(), **PLACING, now=now)

    waiting = place(db.session, shift, make_volunteer(), **BOOKING, now=now)
    assert waiting.reason == Reason.WAITLISTED and waiting.created and not waiting.placed
    assert waiting.booking.status == BookingStatus.WAITLISTED

    refused = place(db.session, shift, make_volunteer(), **PLACING, now=now)
    assert refused.reason == Reason.FULL and not refused.created and refused.booking is None
    assert _bookings() == 2


def test_already_booked_changes_nothing(make_campaign, make_shift, make_volunteer, now):
    shift = make_shift(on=make_campaign(max_per_shift=1, min_per_shift=1))
    holder, waiting = make_volunteer(), make_volunteer()
    first = place(db.session, shift, holder, **PLACING, now=now).booking
    place(db.session, shift, waiting, **BOOKING, now=now)

    again = place(db.session, shift, holder, **BOOKING, now=now + timedelta(minutes=5))
    assert again.reason == Reason.ALREADY_BOOKED and not again.created
    assert again.booking.id == first.id and again.booking.created_at == now
    # on the waitlist, booking again is a no-op; placing them asks for a confirmed place
    assert place(db.session, shift, waiting, **BOOKING, now=now).reason == Reason.ALREADY_BOOKED
    assert place(db.session, shift, waiting, **PLACING, now=now).reason == Reason.FULL


def test_a_waitlisted_person_confirmed_keeps_their_waitlist_time(
    make_campaign, make_shift, make_volunteer, now
):
    shift = make_shift(on=make_campaign(max_per_shift=1, min_per_shift=1))
    holder, waiting = make_volunteer(), make_volunteer()
    held = place(db.session, shift, holder, **PLACING, now=now).booking
    place(db.session, shift, waiting, **BOOKING, now=now)
    held.status, held.cancelled_at = BookingStatus.CANCELLED, now
    db.session.flush()

    later = now + timedelta(hours=1)
    placement = place(db.session, shift, waiting, **PLACING, now=later)
    assert placement.reason == Reason.CONFIRMED
    assert placement.booking.created_at == now


def test_an_overlap_names_the_shift_in_the_way(make_shift, make_volunteer, now):
    person = make_volunteer()
    morning = make_shift(NOW + timedelta(hours=24), 4)
    place(db.session, morning, person, **PLACING, now=now)
    overlapping = make_shift(NOW + timedelta(hours=26))
    for policy in (BOOKING, PLACING, WALK_IN):
        placement = place(db.session, overlapping, person, **policy, now=now)
        assert placement.reason == Reason.OVERLAP
        assert placement.conflict.id == morning.id


def test_leaving_a_shift_frees_its_time_and_its_week(
    make_campaign, make_shift, make_volunteer, now
):
    campaign = make_campaign(weekly_limit=1)
    person = make_volunteer()
    here = make_shift(NOW + timedelta(hours=24), on=campaign)
    place(db.session, here, person, **PLACING, now=now)
    there = make_shift(NOW + timedelta(hours=26), on=campaign)
    assert place(db.session, there, person, **PLACING, now=now).reason == Reason.OVERLAP
    placement = place(db.session, there, person, **PLACING, leaving=here, now=now)
    assert placement.reason == Reason.CONFIRMED


def test_the_weekly_limit_holds_unless_the_policy_waives_it(
    make_campaign, make_shift, make_volunteer, now
):
    campaign = make_campaign(weekly_limit=1)
    person = make_volunteer()
    place(
        db.session, make_shift(NOW + timedelta(hours=24), on=campaign), person, **PLACING, now=now
    )
    later = make_shift(NOW + timedelta(hours=48), on=campaign)
    for policy in (BOOKING, PLACING):
        placement = place(db.session, later, person, **policy, now=now)
        assert placement.reason == Reason.WEEKLY_LIMIT == "weekly_limit"
    walk_in = place(
        db.session, make_shift(NOW + timedelta(hours=72), on=campaign), person, **WALK_IN, now=now
    )
    assert walk_in.reason == Reason.CONFIRMED


def test_a_shift_closes_at_its_start_or_when_the_caller_says(make_shift, make_volunteer, now):
    started = make_shift(NOW + timedelta(hours=1))
    at = started.starts_at + timedelta(minutes=30)
    closed = place(db.session, started, make_volunteer(), **PLACING, now=at)
    assert closed.reason == Reason.SHIFT_CLOSED == "shift_closed"
    running = place(
        db.session, started, make_volunteer(), **WALK_IN, closes_at=started.ends_at, now=at
    )
    assert running.reason == Reason.CONFIRMED
    ended = place(
        db.session,
        started,
        make_volunteer(),
        **WALK_IN,
        closes_at=started.ends_at,
        now=started.ends_at,
    )
    assert ended.reason == Reason.SHIFT_CLOSED


def test_a_cancelled_shift_is_closed(make_shift, make_volunteer, now):
    shift = make_shift()
    shift.status = ShiftStatus.CANCELLED
    assert place(db.session, shift, make_volunteer(), **BOOKING, now=now).reason == (
        Reason.SHIFT_CLOSED
    )
    assert _bookings() == 0


def test_judge_says_what_place_would_do_and_writes_nothing(make_shift, make_volunteer, now):
    shift = make_shift()
    verdict = judge(db.session, shift, make_volunteer(), **PLACING, now=now)
    assert verdict.reason == Reason.CONFIRMED and verdict.booking is None
    assert _bookings() == 0
