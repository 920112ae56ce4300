"""Booking storms: many threads, each with its own session and transaction, against one shift."""

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from app.auth.models import User
from app.extensions import db
from scheduling.booking.placement import Reason
from scheduling.booking.services import book, book_shift, cancel_booking
from scheduling.models import Booking, BookingStatus, Shift
from tests.harness import NOW, in_own_transaction


def _statuses(shift_id):
    db.session.expire_all()
    return dict(
        db.session.execute(
            select(Booking.status, func.count())
            .where(Booking.shift_id == shift_id)
            .group_by(Booking.status)
        ).all()
    )


def test_last_five_places_go_to_five_of_fifty_concurrent_bookers(
    app, make_campaign, make_shift, make_volunteer
):
    shift = make_shift(NOW + timedelta(hours=24 * 365), on=make_campaign(max_per_shift=8))
    for _ in range(3):
        book_shift(db.session, shift, make_volunteer())
    people = [make_volunteer().id for _ in range(50)]
    shift_id = shift.id
    db.session.commit()

    def book(i):
        booking = book_shift(
            db.session, db.session.get(Shift, shift_id), db.session.get(User, people[i])
        ).booking
        return booking.status

    results = in_own_transaction(app, book, 50)

    assert results.count(BookingStatus.CONFIRMED) == 5
    assert results.count(BookingStatus.WAITLISTED) == 45
    assert _statuses(shift_id) == {BookingStatus.CONFIRMED: 8, BookingStatus.WAITLISTED: 45}


def test_ten_simultaneous_taps_of_one_person_make_one_booking(app, make_shift, make_volunteer):
    shift_id, person_id = make_shift(NOW + timedelta(hours=24 * 365)).id, make_volunteer().id
    db.session.commit()

    def tap(_):
        shift = db.session.get(Shift, shift_id)
        return book_shift(db.session, shift, db.session.get(User, person_id)).booking.id

    ids = in_own_transaction(app, tap, 10)

    assert len(set(ids)) == 1
    assert _statuses(shift_id) == {BookingStatus.CONFIRMED: 1}


def test_cancelling_and_booking_at_once_never_exceeds_the_maximum(
    app, make_campaign, make_shift, make_volunteer
):
    shift = make_shift(
        NOW + timedelta(hours=24 * 365), on=make_campaign(max_per_shift=5, min_per_shift=1)
    )
    holders = [book_shift(db.session, shift, make_volunteer()).booking.id for _ in range(5)]
    waiting = [book_shift(db.session, shift, make_volunteer()).booking.id for _ in range(5)]
    newcomers = [make_volunteer().id for _ in range(10)]
    shift_id = shift.id
    db.session.commit()

    def act(i):
        if i < 5:
            cancel_booking(db.session, db.session.get(Booking, holders[i]))
        else:
            user = db.session.get(User, newcomers[i - 5])
            book_shift(db.session, db.session.get(Shift, shift_id), user)

    in_own_transaction(app, act, 15)

    statuses = _statuses(shift_id)
    assert statuses[BookingStatus.CONFIRMED] == 5
    assert statuses[BookingStatus.CANCELLED] == 5
    assert statuses[BookingStatus.WAITLISTED] == 10
    # the five who were waiting before the storm got the freed places
    confirmed = set(
        db.session.scalars(
            select(Booking.id).where(
                Booking.shift_id == shift_id, Booking.status == BookingStatus.CONFIRMED
            )
        )
    )
    assert confirmed == set(waiting)


def test_two_people_taking_one_offer_at_once_one_wins(
    app, make_campaign, make_shift, make_volunteer
):
    from scheduling.swaps.models import ShiftOffer
    from scheduling.swaps.services import SwapError, offer_shift, take_offer

    shift = make_shift(
        NOW + timedelta(hours=24 * 365), on=make_campaign(max_per_shift=2, min_per_shift=2)
    )
    giver = make_volunteer()
    booking = book_shift(db.session, shift, giver).booking
    book_shift(db.session, shift, make_volunteer())
    offer_id = offer_shift(db.session, booking, giver)[0].id
    takers = [make_volunteer().id for _ in range(2)]
    shift_id = shift.id
    db.session.commit()

    def take(i):
        try:
            offer = db.session.get(ShiftOffer, offer_id)
            return take_offer(db.session, offer, db.session.get(User, takers[i])).booking.user_id
        except SwapError as refusal:
            return refusal.code

    results = in_own_transaction(app, take, 2)

    assert sorted(results, key=str).count("offer_taken") == 1
    winner = next(r for r in results if r != "offer_taken")
    assert winner in takers
    assert _statuses(shift_id) == {BookingStatus.CONFIRMED: 2, BookingStatus.CANCELLED: 1}


def test_a_booking_waiting_for_its_person_holds_no_lock_on_the_shift(
    app, make_shift, make_volunteer
):
    """People before shifts: a booking whose person is locked by another placement (a
    coordinator's) waits without holding the shift, so that placement can take the shift and
    finish; the other order deadlocks, and PostgreSQL aborts one of them."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("row locks: SQLite's writer transaction excludes every other writer")
    shift_id, person_id = make_shift(NOW + timedelta(hours=24 * 365)).id, make_volunteer().id
    db.session.commit()
    coordinator = db.engine.connect()
    coordinator.execute(select(User.id).where(User.id == person_id).with_for_update())
    booked = []

    def volunteer_books():
        with app.app_context():
            session = db.session()
            booked.append(book(session, shift_id, session.get(User, person_id)).reason)
            session.commit()

    volunteer = threading.Thread(target=volunteer_books)
    volunteer.start()
    try:
        waiting = text(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
            "AND datname = current_database()"
        )
        deadline = time.monotonic() + 10
        while not coordinator.execute(waiting).scalar() and time.monotonic() < deadline:
            time.sleep(0.01)
        # the coordinator's placement goes on to the shift: free, since the booking waits first
        shift_lock = select(Shift.id).where(Shift.id == shift_id).with_for_update(nowait=True)
        assert coordinator.execute(shift_lock).scalar() == shift_id
    finally:
        coordinator.rollback()
        coordinator.close()
        volunteer.join(10)
    assert booked == [Reason.CONFIRMED]
