"""The swap pages: offer from "My shifts", see offers and take one, withdraw, approve."""

import pytest
from sqlalchemy import select

from app.extensions import db
from scheduling.booking.services import book_shift
from scheduling.models import Booking, BookingStatus
from scheduling.swaps.models import OfferStatus, ShiftOffer
from tests.harness import sign_in


@pytest.fixture
def held(make_campaign, make_shift, make_volunteer):
    shift = make_shift(on=make_campaign(min_per_shift=1, max_per_shift=1))
    giver = make_volunteer(full_name="Người Nhường")
    booking = book_shift(db.session, shift, giver).booking
    db.session.commit()
    return shift, giver, booking


def _holder(shift):
    db.session.expire_all()
    return db.session.scalar(
        select(Booking.user_id).where(
            Booking.shift_id == shift.id, Booking.status == BookingStatus.CONFIRMED
        )
    )


def test_a_volunteer_offers_a_shift_from_my_shifts_and_another_takes_it(app, held, make_volunteer):
    shift, giver, booking = held
    taker = make_volunteer(email="nhan@example.com")
    db.session.commit()
    page = sign_in(app, giver).get("/me/shifts")
    assert f'action="/bookings/{booking.id}/offer"' in page.get_data(as_text=True)

    offered = sign_in(app, giver).post(
        f"/bookings/{booking.id}/offer", data={"email": "nhan@example.com"}
    )
    assert offered.status_code == 302
    offer = db.session.scalar(select(ShiftOffer))
    assert offer.offered_to_id == taker.id
    listing = sign_in(app, taker).get("/me/offers").get_data(as_text=True)
    assert f'action="/offers/{offer.id}/take"' in listing

    taken = sign_in(app, taker).post(f"/offers/{offer.id}/take")

    assert taken.status_code == 302
    assert _holder(shift) == taker.id


def test_a_withdrawn_offer_leaves_the_shift_with_the_giver(app, held):
    shift, giver, booking = held
    client = sign_in(app, giver)
    client.post(f"/bookings/{booking.id}/offer", data={"email": ""})
    offer = db.session.scalar(select(ShiftOffer))
    assert f'action="/offers/{offer.id}/withdraw"' in client.get("/me/shifts").get_data(
        as_text=True
    )

    client.post(f"/offers/{offer.id}/withdraw")

    db.session.expire_all()
    assert offer.status == OfferStatus.WITHDRAWN
    assert _holder(shift) == giver.id


def test_an_unknown_email_is_told_and_nothing_is_offered(app, held):
    _shift, giver, booking = held
    client = sign_in(app, giver)
    client.set_cookie("lang", "en")
    response = client.post(
        f"/bookings/{booking.id}/offer",
        data={"email": "nobody@example.com"},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "No volunteer has this email." in response.get_data(as_text=True)
    assert db.session.scalar(select(ShiftOffer)) is None


def test_a_coordinator_approves_a_swap_their_campaign_asks_to_approve(
    app, held, make_volunteer, coordinator
):
    shift, giver, booking = held
    shift.campaign.swaps_need_approval = True
    taker = make_volunteer()
    db.session.commit()
    sign_in(app, giver).post(f"/bookings/{booking.id}/offer", data={"email": ""})
    offer = db.session.scalar(select(ShiftOffer))
    sign_in(app, taker).post(f"/offers/{offer.id}/take")
    assert _holder(shift) == giver.id
    pending = sign_in(app, coordinator).get("/swaps/pending").get_data(as_text=True)
    assert "Người Nhường" in pending

    sign_in(app, coordinator).post(f"/swaps/{offer.id}/decision", data={"decision": "approve"})

    assert _holder(shift) == taker.id


def test_a_coordinator_asks_for_approval_on_the_campaign_form(app, campaign, coordinator, bo_de):
    from tests.scheduling.test_campaigns import _form

    client = sign_in(app, coordinator)
    form = client.get(f"/campaigns/{campaign.id}/edit").get_data(as_text=True)
    assert 'name="swaps_need_approval"' in form

    client.post(
        f"/campaigns/{campaign.id}/edit",
        data=_form(ends_on="2030-02-20", communes=[str(bo_de.id)], swaps_need_approval="y"),
    )

    db.session.expire_all()
    assert campaign.swaps_need_approval is True


def test_the_offers_page_says_a_named_offer_needs_a_skill_i_lack(
    app, held, make_volunteer, coordinator
):
    from scheduling.skills.services import require_skill

    shift, giver, booking = held
    giver.skills = ["vneid"]
    require_skill(db.session, shift.campaign, "vneid", 1, coordinator)
    taker = make_volunteer(email="nhan@example.com", locale="en")
    db.session.commit()
    sign_in(app, giver).post(f"/bookings/{booking.id}/offer", data={"email": "nhan@example.com"})
    offer = db.session.scalar(select(ShiftOffer))
    client = sign_in(app, taker)
    client.set_cookie("lang", "en")

    listing = client.get("/me/offers").get_data(as_text=True)
    assert f'action="/offers/{offer.id}/take"' not in listing
    assert "This shift needs someone with VNeID help: the person offering it has it" in listing
    client.post(f"/offers/{offer.id}/take")
    assert _holder(shift) == giver.id


def test_the_named_volunteer_reads_that_the_offer_was_taken_back(app, held, make_volunteer):
    _shift, giver, booking = held
    named = make_volunteer(email="nhan@example.com", locale="en")
    db.session.commit()
    giving = sign_in(app, giver)
    giving.post(f"/bookings/{booking.id}/offer", data={"email": "nhan@example.com"})
    offer = db.session.scalar(select(ShiftOffer))

    giving.post(f"/offers/{offer.id}/withdraw")

    reader = sign_in(app, named)
    reader.set_cookie("lang", "en")
    notices = reader.get("/notifications").get_data(as_text=True)
    assert "The volunteer who offered you their place took the offer back" in notices
    assert "A shift offered to you was taken back" in notices
