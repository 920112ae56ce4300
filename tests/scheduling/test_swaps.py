"""Shift swaps: offering a held place, taking it in one move, expiry, approval, who is told."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEntry
from app.extensions import db
from app.notifications.models import Notification
from scheduling.booking.services import book_shift
from scheduling.models import Booking, BookingStatus
from scheduling.services import Overlap, PastDeadline, WeeklyLimit
from scheduling.swaps.models import OfferStatus
from scheduling.swaps.services import (
    OfferNotFound,
    SwapError,
    UnknownVolunteer,
    decide_offer,
    offer_shift,
    offers_for,
    take_offer,
    withdraw_offer,
)
from tests.harness import MORNING, NOW


def _confirmed(shift_id):
    db.session.expire_all()
    return set(
        db.session.scalars(
            select(Booking.user_id).where(
                Booking.shift_id == shift_id, Booking.status == BookingStatus.CONFIRMED
            )
        )
    )


def _kinds(person):
    return list(
        db.session.scalars(
            select(Notification.kind)
            .where(Notification.user_id == person.id)
            .order_by(Notification.id)
        )
    )


@pytest.fixture
def full_shift(make_campaign, make_shift, make_volunteer):
    """A shift of two places, both held; a third person waits."""
    shift = make_shift(on=make_campaign(min_per_shift=2, max_per_shift=2))
    giver, other, waiting = make_volunteer(), make_volunteer(), make_volunteer()
    for person in (giver, other, waiting):
        book_shift(db.session, shift, person, now=NOW)
    return shift, giver, waiting


def _booking(shift, person):
    return db.session.scalar(
        select(Booking).where(Booking.shift_id == shift.id, Booking.user_id == person.id)
    )


def test_taking_an_offer_moves_the_place_and_the_shift_keeps_its_count(full_shift, make_volunteer):
    shift, giver, waiting = full_shift
    taker = make_volunteer(email="taker@example.test")
    offer, created = offer_shift(
        db.session, _booking(shift, giver), giver, to_email="TAKER@example.test", now=NOW
    )

    taken = take_offer(db.session, offer, taker, now=NOW)

    assert created and taken.created
    assert taken.booking.user_id == taker.id and taken.booking.status == BookingStatus.CONFIRMED
    assert offer.status == OfferStatus.TAKEN and offer.taken_by_id == taker.id
    confirmed = _confirmed(shift.id)
    assert taker.id in confirmed and giver.id not in confirmed and len(confirmed) == 2
    assert _booking(shift, waiting).status == BookingStatus.WAITLISTED
    assert "offer_taken" in _kinds(giver)
    assert _kinds(taker) == ["offer_to_you", "offer_received"]
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "booking.swapped"))
    assert (entry.actor_id, entry.subject_user_id) == (taker.id, giver.id)
    assert entry.after["holder"] == taker.id


def test_an_offer_to_anyone_is_told_to_the_waitlist_who_may_take_it(full_shift):
    shift, giver, waiting = full_shift
    offer, _ = offer_shift(db.session, _booking(shift, giver), giver, now=NOW)

    assert "offer_open" in _kinds(waiting)
    assert [row.offer for row in offers_for(db.session, waiting, now=NOW)] == [offer]
    take_offer(db.session, offer, waiting, now=NOW)
    assert _booking(shift, waiting).status == BookingStatus.CONFIRMED
    assert giver.id not in _confirmed(shift.id)


def test_a_named_offer_is_neither_listed_nor_taken_by_anyone_else(full_shift, make_volunteer):
    shift, giver, _waiting = full_shift
    named, stranger = make_volunteer(), make_volunteer()
    offer, _ = offer_shift(db.session, _booking(shift, giver), giver, to_email=named.email, now=NOW)

    assert offers_for(db.session, stranger, now=NOW) == []
    with pytest.raises(OfferNotFound):
        take_offer(db.session, offer, stranger, now=NOW)
    assert giver.id in _confirmed(shift.id)


def test_an_overlapping_taker_is_refused_and_nothing_changes(
    full_shift, make_shift, make_volunteer
):
    shift, giver, _waiting = full_shift
    taker = make_volunteer()
    book_shift(db.session, make_shift(MORNING + timedelta(hours=1)), taker, now=NOW)
    offer, _ = offer_shift(db.session, _booking(shift, giver), giver, to_email=taker.email, now=NOW)

    assert offers_for(db.session, taker, now=NOW)[0].eligible is False
    with pytest.raises(Overlap):
        take_offer(db.session, offer, taker, now=NOW)
    db.session.rollback()


def test_the_weekly_limit_counts_for_the_taker(make_campaign, make_shift, make_volunteer):
    campaign = make_campaign(weekly_limit=1, min_per_shift=1, max_per_shift=1)
    giver, taker = make_volunteer(), make_volunteer()
    shift = make_shift(on=campaign, booked=[giver])
    make_shift(MORNING + timedelta(days=1), on=campaign, booked=[taker])
    offer, _ = offer_shift(db.session, _booking(shift, giver), giver, now=NOW)

    assert offers_for(db.session, taker, now=NOW) == []
    with pytest.raises(WeeklyLimit):
        take_offer(db.session, offer, taker, now=NOW)


def test_an_offer_expires_at_the_cancellation_deadline(full_shift, make_volunteer):
    shift, giver, _waiting = full_shift
    taker = make_volunteer()
    offer, _ = offer_shift(db.session, _booking(shift, giver), giver, now=NOW)
    deadline = shift.starts_at - timedelta(hours=shift.campaign.cancel_deadline_hours)

    assert offer.expires_at == deadline
    assert offers_for(db.session, taker, now=deadline) == []
    with pytest.raises(SwapError) as refused:
        take_offer(db.session, offer, taker, now=deadline)
    assert refused.value.code == "offer_expired"
    withdraw_offer(db.session, offer, giver)
    with pytest.raises(PastDeadline):
        offer_shift(db.session, _booking(shift, giver), giver, now=deadline)


def test_a_taken_offer_is_refused_to_the_second_and_answered_again_to_the_first(
    full_shift, make_volunteer
):
    shift, giver, _waiting = full_shift
    first, second = make_volunteer(), make_volunteer()
    offer, _ = offer_shift(db.session, _booking(shift, giver), giver, now=NOW)
    booking = take_offer(db.session, offer, first, now=NOW).booking

    again = take_offer(db.session, offer, first, now=NOW)
    assert (again.booking, again.created) == (booking, False)
    with pytest.raises(SwapError) as refused:
        take_offer(db.session, offer, second, now=NOW)
    assert refused.value.code == "offer_taken"


def test_offering_again_answers_the_live_offer_and_withdrawing_keeps_the_place(full_shift):
    shift, giver, _waiting = full_shift
    booking = _booking(shift, giver)
    offer, _ = offer_shift(db.session, booking, giver, now=NOW)
    again, created = offer_shift(db.session, booking, giver, now=NOW)
    assert (again, created) == (offer, False)

    withdraw_offer(db.session, offer, giver)
    assert offer.status == OfferStatus.WITHDRAWN
    assert giver.id in _confirmed(shift.id)


def test_only_a_confirmed_place_of_ones_own_can_be_offered(full_shift, make_volunteer):
    shift, giver, waiting = full_shift
    with pytest.raises(SwapError) as refused:
        offer_shift(db.session, _booking(shift, waiting), waiting, now=NOW)
    assert refused.value.code == "not_offerable"
    with pytest.raises(SwapError):
        offer_shift(db.session, _booking(shift, giver), make_volunteer(), now=NOW)


def test_an_email_of_no_volunteer_is_refused(full_shift, coordinator):
    shift, giver, _waiting = full_shift
    for email in ("nobody@example.test", coordinator.email, giver.email):
        with pytest.raises(UnknownVolunteer):
            offer_shift(db.session, _booking(shift, giver), giver, to_email=email, now=NOW)


def test_a_campaign_asking_for_approval_moves_the_place_only_when_approved(
    full_shift, make_volunteer, coordinator
):
    shift, giver, _waiting = full_shift
    shift.campaign.swaps_need_approval = True
    taker = make_volunteer()
    offer, _ = offer_shift(db.session, _booking(shift, giver), giver, now=NOW)

    taken = take_offer(db.session, offer, taker, now=NOW)
    assert taken.booking is None and offer.status == OfferStatus.PENDING
    assert giver.id in _confirmed(shift.id)
    assert _kinds(coordinator) == ["swap_to_approve"]

    booking = decide_offer(db.session, offer, coordinator, approve=True, now=NOW)
    assert booking.user_id == taker.id and giver.id not in _confirmed(shift.id)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "booking.swapped"))
    assert entry.actor_id == coordinator.id


def test_a_refused_swap_leaves_the_place_with_the_giver(full_shift, make_volunteer, coordinator):
    shift, giver, _waiting = full_shift
    shift.campaign.swaps_need_approval = True
    taker = make_volunteer()
    offer, _ = offer_shift(db.session, _booking(shift, giver), giver, now=NOW)
    take_offer(db.session, offer, taker, now=NOW)

    decide_offer(db.session, offer, coordinator, approve=False, now=NOW)

    assert offer.status == OfferStatus.REFUSED
    assert giver.id in _confirmed(shift.id)
    assert "offer_refused" in _kinds(taker)
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 0


def test_an_offer_of_a_place_given_up_and_booked_again_hands_nothing_over(
    full_shift, make_volunteer
):
    from scheduling.booking.services import cancel_booking

    shift, giver, _waiting = full_shift
    booking = _booking(shift, giver)
    offer, _ = offer_shift(db.session, booking, giver, now=NOW)
    cancel_booking(db.session, booking, now=NOW)
    shift.campaign.max_per_shift = 3  # room for the giver again, the waitlist served
    book_shift(db.session, shift, giver, now=NOW + timedelta(minutes=5))

    with pytest.raises(SwapError) as refused:
        take_offer(db.session, offer, make_volunteer(), now=NOW + timedelta(minutes=6))
    assert refused.value.code == "offer_withdrawn"
    again, created = offer_shift(db.session, booking, giver, now=NOW + timedelta(minutes=7))
    assert created and again != offer and offer.status == OfferStatus.WITHDRAWN


# --- skills: a swap never leaves the shift short of a skill the giver brought ---------------


@pytest.fixture
def signer_shift(make_campaign, make_shift, make_volunteer, coordinator):
    """A shift asking for one person with a digital signature, held by the only one who has it."""
    from scheduling.skills.services import require_skill

    campaign = make_campaign(min_per_shift=1, max_per_shift=3)
    shift = make_shift(on=campaign)
    giver = make_volunteer(skills=["digital_signature"])
    book_shift(db.session, shift, giver, now=NOW)
    require_skill(db.session, campaign, "digital_signature", 1, coordinator)
    return shift, giver


def test_a_named_volunteer_without_the_needed_skill_is_refused(signer_shift, make_volunteer):
    shift, giver = signer_shift
    taker = make_volunteer(email="khong-ky@example.test", skills=["it"])
    offer, _made = offer_shift(
        db.session, _booking(shift, giver), giver, to_email=taker.email, now=NOW
    )

    (row,) = offers_for(db.session, taker, now=NOW)
    assert not row.eligible and row.missing_skill.code == "digital_signature"
    with pytest.raises(SwapError) as refused:
        take_offer(db.session, offer, taker, now=NOW)

    assert refused.value.code == "missing_skill"
    assert refused.value.need.code == "digital_signature"
    assert _confirmed(shift.id) == {giver.id} and offer.status == OfferStatus.OPEN


def test_an_offer_to_anyone_lists_and_hands_over_to_those_with_the_skill_only(
    signer_shift, make_volunteer
):
    shift, giver = signer_shift
    without, signer = make_volunteer(), make_volunteer(skills=["digital_signature"])
    offer, _made = offer_shift(db.session, _booking(shift, giver), giver, now=NOW)

    assert offers_for(db.session, without, now=NOW) == []
    assert [row.offer.id for row in offers_for(db.session, signer, now=NOW)] == [offer.id]
    taken = take_offer(db.session, offer, signer, now=NOW)

    assert taken.booking.user_id == signer.id and _confirmed(shift.id) == {signer.id}


def test_a_swap_that_leaves_the_skill_covered_needs_no_skill_of_the_taker(
    signer_shift, make_volunteer
):
    shift, giver = signer_shift
    book_shift(db.session, shift, make_volunteer(skills=["digital_signature"]), now=NOW)
    taker = make_volunteer()
    offer, _made = offer_shift(db.session, _booking(shift, giver), giver, now=NOW)

    taken = take_offer(db.session, offer, taker, now=NOW)

    assert taken.booking.user_id == taker.id


def test_withdrawing_an_offer_tells_the_volunteer_it_named(full_shift, make_volunteer):
    shift, giver, waiting = full_shift
    named = make_volunteer(email="duoc-moi@example.test")
    offer, _made = offer_shift(
        db.session, _booking(shift, giver), giver, to_email=named.email, now=NOW
    )
    to_anyone_shift_offer_kinds = _kinds(waiting)

    withdraw_offer(db.session, offer, giver, now=NOW)

    assert _kinds(named) == ["offer_to_you", "offer_withdrawn"]
    assert _kinds(waiting) == to_anyone_shift_offer_kinds  # not told: the offer was not theirs
