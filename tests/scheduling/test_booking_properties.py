"""Property tests: any sequence of bookings and cancellations keeps the shifts' invariants.

A small reference model (a list per shift, confirmed first come first served, then the waitlist
in order) is run beside the services; after every step the database must agree with it.
"""

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from app.extensions import db
from scheduling.booking.services import book_shift, cancel_booking
from scheduling.models import Booking, BookingStatus
from scheduling.services import Overlap
from tests.harness import NOW

PEOPLE = 5
#: (hours after NOW, length): shifts 0 and 1 overlap, shift 2 overlaps neither
SHIFTS = ((24, 4), (26, 4), (32, 4))
OVERLAPPING = {(0, 1), (1, 0)}

operations = st.lists(
    st.tuples(
        st.sampled_from(["book", "book", "cancel"]),
        st.integers(0, PEOPLE - 1),
        # mostly the first shift, so its waitlist grows and moves
        st.sampled_from([0, 0, 0, 1, 2]),
    ),
    min_size=4,
    max_size=30,
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(capacity=st.integers(1, 2), steps=operations)
def test_confirmed_never_exceed_the_maximum_and_the_waitlist_moves_in_order(
    make_campaign, make_shift, make_volunteer, now, capacity, steps
):
    # the examples share one test's transaction: each runs in a savepoint rolled back after it
    example = db.session.begin_nested()
    try:
        campaign = make_campaign(max_per_shift=capacity, min_per_shift=1)
        shifts = [make_shift(NOW + timedelta(hours=h), n, on=campaign) for h, n in SHIFTS]
        people = [make_volunteer() for _ in range(PEOPLE)]
        model = {i: [] for i in range(len(shifts))}  # shift -> people holding it, in booking order

        for tick, (action, person, index) in enumerate(steps):
            at = now + timedelta(seconds=tick)
            holding = model[index]
            if action == "book":
                clash = any(
                    person in model[other] for other in model if (index, other) in OVERLAPPING
                )
                try:
                    book_shift(db.session, shifts[index], people[person], now=at)
                except Overlap:
                    assert clash
                else:
                    assert not clash
                    if person not in holding:
                        holding.append(person)
            else:
                booking = db.session.scalar(
                    select(Booking).where(
                        Booking.shift_id == shifts[index].id, Booking.user_id == people[person].id
                    )
                )
                if booking is not None:
                    cancel_booking(db.session, booking, now=at)
                if person in holding:
                    holding.remove(person)

            for i, shift in enumerate(shifts):
                expected = {
                    people[p].id: (
                        BookingStatus.CONFIRMED if rank < capacity else BookingStatus.WAITLISTED
                    )
                    for rank, p in enumerate(model[i])
                }
                actual = dict(
                    db.session.execute(
                        select(Booking.user_id, Booking.status).where(
                            Booking.shift_id == shift.id, Booking.status != BookingStatus.CANCELLED
                        )
                    ).all()
                )
                assert actual == expected
            for p in range(PEOPLE):
                assert not (p in model[0] and p in model[1])
    finally:
        example.rollback()
