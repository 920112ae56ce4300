"""The swap part of the JSON API: offer a booking, list the offers one may take, take one."""

import functools

from flask import Blueprint, jsonify
from flask_babel import gettext as _
from flask_login import current_user

from app.access import roles
from app.api import error
from app.api.openapi import operation
from app.api.schemas import FORBIDDEN, UNAUTHORIZED, Error, commune_ref, point_ref
from app.errors import DomainError
from app.extensions import db
from app.roles import Role
from scheduling import schemas as scheduling_schemas
from scheduling.models import Booking
from scheduling.swaps import schemas, services
from scheduling.swaps.models import OfferStatus, ShiftOffer

#: nested under the API frame's /api/v1 by the part's init_app
bp = Blueprint("swaps", __name__)

TAKE_REFUSALS = (
    "offer_taken, offer_pending (someone took it first and a coordinator decides), "
    "offer_expired, offer_withdrawn, own_offer, already_booked; or not eligible: overlap, "
    "weekly_limit, shift_closed, missing_skill (the shift needs a skill the giver has and the "
    "caller does not)."
)


def _own_booking(booking_id: int) -> Booking | None:
    """The caller's booking; another person's is answered as if it did not exist."""
    booking = db.session.get(Booking, booking_id)
    return booking if booking is not None and booking.user_id == current_user.id else None


def owned_booking_first(view):
    """Answer 404 for a booking not the caller's before the body is read: a stranger learns
    nothing from a 400 about a body sent to it."""

    @functools.wraps(view)
    def check_then_call(booking_id, **kwargs):
        if _own_booking(booking_id) is None:
            return error(404, "not_found", _("This booking does not exist."))
        return view(booking_id, **kwargs)

    return check_then_call


def _offer(offer: ShiftOffer, row: services.Takeable | None = None) -> dict:
    """The offer as answered; with its row of the caller's list, whether they may take it."""
    point = offer.shift.service_point
    refusal = row.refusal if row is not None else None
    return schemas.Offer(
        id=offer.id,
        client_id=offer.client_id,
        booking_id=offer.booking_id,
        shift_id=offer.shift_id,
        status=offer.status,
        to_you=offer.offered_to_id is not None and offer.offered_to_id == current_user.id,
        expires_at=offer.expires_at,
        starts_at=offer.shift.starts_at,
        ends_at=offer.shift.ends_at,
        service_point=point_ref(point),
        commune=commune_ref(point.commune),
        can_take=None if row is None else refusal is None,
        why_not=None if refusal is None else Error(error=refusal.code, message=refusal.message),
    ).dump()


@bp.post("/bookings/<int:booking_id>/offers")
@roles(Role.VOLUNTEER)
@owned_booking_first
@operation(
    "offerBooking",
    summary="Offer one's confirmed place to a named volunteer or to anyone eligible",
    description="Idempotent on the client-made id, and on the booking: while an offer of it is "
    "open, offering again answers 200 with that offer unchanged.",
    path={"booking_id": "The caller's confirmed booking."},
    body=schemas.OfferRequest,
    responses={
        200: ("Already offered.", schemas.Offer),
        201: ("Offered.", schemas.Offer),
        400: ("Not a JSON object, or a field of the wrong kind.", Error),
        401: UNAUTHORIZED,
        403: FORBIDDEN,
        404: (
            "not_found: no such booking among the caller's; unknown_volunteer: no active "
            "volunteer has this email.",
            Error,
        ),
        409: (
            "not_offerable (not a confirmed place), past_deadline (the cancellation deadline "
            "has passed), id_taken (another person's offer has this id).",
            Error,
        ),
    },
)
def offer_booking(booking_id, body: schemas.OfferRequest):
    """Offer one's confirmed place; the same id (or booking) again answers the same offer."""
    booking = _own_booking(booking_id)
    assert booking is not None  # owned_booking_first answered 404 otherwise
    try:
        offer, created = services.offer_shift(
            db.session,
            booking,
            current_user,
            to_email=(body.to or "").strip() or None,
            client_id=body.id,
        )
    except DomainError as refusal:
        db.session.rollback()
        return error(refusal.status, refusal.code, refusal.message)
    answer = _offer(offer)
    db.session.commit()
    return jsonify(answer), 201 if created else 200


@bp.get("/offers")
@roles(Role.VOLUNTEER)
@operation(
    "listOffers",
    summary="The offers the caller may take, the soonest shift first",
    description="Every open offer naming the caller (with can_take false and why_not when the "
    "booking rules or the shift's skills stop the caller), and offers to anyone that the caller "
    "may take. Taking judges again: another may take it first.",
    responses={200: ("The offers.", [schemas.Offer]), 401: UNAUTHORIZED, 403: FORBIDDEN},
)
def list_offers():
    """The open offers the caller may take."""
    return jsonify(
        [_offer(row.offer, row) for row in services.offers_for(db.session, current_user)]
    )


@bp.post("/offers/<int:offer_id>/take")
@roles(Role.VOLUNTEER)
@operation(
    "takeOffer",
    summary="Take an offered place: the booking moves to the caller in one transaction",
    description="Idempotent: taking again an offer one took answers 200 with the same booking "
    "(or 202 while a coordinator decides).",
    path={"offer_id": "The offer."},
    responses={
        200: ("Already taken by the caller.", scheduling_schemas.Booking),
        201: ("Taken: the caller's new booking.", scheduling_schemas.Booking),
        202: ("The campaign asks a coordinator to approve each swap: pending.", schemas.Offer),
        401: UNAUTHORIZED,
        403: FORBIDDEN,
        404: ("No such offer the caller may see.", Error),
        409: (TAKE_REFUSALS, Error),
    },
)
def take_offer(offer_id):
    """Take an offer; a refusal names its reason code."""
    try:
        offer = services.visible_offer(db.session, offer_id, current_user)
        taken = services.take_offer(db.session, offer, current_user)
    except DomainError as refusal:
        db.session.rollback()
        return error(refusal.status, refusal.code, refusal.message)
    if taken.booking is None:
        answer, status = _offer(taken.offer), 202
    else:
        booking = taken.booking
        answer = scheduling_schemas.Booking(
            id=booking.id, shift_id=booking.shift_id, status=booking.status
        ).dump()
        status = 201 if taken.created else 200
    db.session.commit()
    return jsonify(answer), status


@bp.post("/offers/<int:offer_id>/withdraw")
@roles(Role.VOLUNTEER)
@operation(
    "withdrawOffer",
    summary="Take back one's own offer while nobody has taken it",
    description="Idempotent: withdrawing an offer one already withdrew answers 200 with it "
    "again. A pending offer (a coordinator was to decide) may be withdrawn too.",
    path={"offer_id": "The caller's own offer."},
    responses={
        200: ("Withdrawn.", schemas.Offer),
        401: UNAUTHORIZED,
        403: FORBIDDEN,
        404: ("No such offer among the caller's.", Error),
        409: ("offer_taken: someone took it already; the place is theirs.", Error),
    },
)
def withdraw_offer(offer_id):
    """Withdraw one's own offer; the same request again answers the same withdrawn offer."""
    offer = db.session.get(ShiftOffer, offer_id)
    if offer is None or offer.offered_by_id != current_user.id:
        return error(404, "not_found", _("This offer does not exist."))
    if offer.status != OfferStatus.WITHDRAWN:
        try:
            services.withdraw_offer(db.session, offer, current_user)
        except DomainError as refusal:
            db.session.rollback()
            return error(refusal.status, refusal.code, refusal.message)
    answer = _offer(offer)
    db.session.commit()
    return jsonify(answer)
