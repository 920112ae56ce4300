"""The scheduling part of the JSON API: find shifts, book them, cancel, list one's bookings."""

from flask import Blueprint, jsonify
from flask_babel import gettext as _
from flask_login import current_user

from app.access import roles, signed_in
from app.api import error
from app.api.openapi import operation
from app.api.schemas import (
    FORBIDDEN,
    UNAUTHORIZED,
    Error,
    ServicePointRef,
    commune_ref,
    point_ref,
)
from app.database import writes_late
from app.extensions import db
from app.roles import Role
from scheduling import schemas, services
from scheduling.booking import services as booking_services
from scheduling.models import Booking, Shift

#: nested under the API frame's /api/v1 by the part's init_app
bp = Blueprint("scheduling", __name__)


def _place(shift: Shift) -> dict:
    point = shift.service_point
    return {"service_point": point_ref(point), "commune": commune_ref(point.commune)}


def _booking(booking: Booking) -> schemas.Booking:
    return schemas.Booking(id=booking.id, shift_id=booking.shift_id, status=booking.status)


@bp.get("/shifts")
@signed_in
@operation(
    "listShifts",
    summary="Active shifts of one commune on one local day",
    query=schemas.ShiftQuery,
    responses={
        200: (
            "The shifts, those missing a skill the caller has first, then by start time.",
            [schemas.Shift],
        ),
        400: ("Missing commune code or a date not in YYYY-MM-DD form.", Error),
        401: UNAUTHORIZED,
        404: ("No commune has this code.", Error),
    },
)
def shifts(query: schemas.ShiftQuery):
    """The active shifts of one commune (official code) on one local day, those missing a skill
    the caller has first."""
    day = services.commune_day(db.session, query.commune, query.date, current_user.id)
    if day is None:
        return error(404, "not_found", _("No commune has this code."))
    where = commune_ref(day)
    return jsonify(
        [
            schemas.Shift(
                id=row.id,
                service_point=ServicePointRef(id=row.service_point_id, name=row.service_point_name),
                commune=where,
                starts_at=row.starts_at,
                ends_at=row.ends_at,
                capacity=row.capacity,
                booked=row.confirmed,
                waitlisted=row.waitlisted,
                skills=[
                    schemas.SkillNeed(
                        skill=need.code,
                        name=need.name,
                        minimum=need.minimum,
                        present=need.present,
                        missing=need.lacking,
                        yours=need.yours,
                    )
                    for need in row.skills
                ],
                needs_your_skill=bool(row.wants_your_skill),
            ).dump()
            for row in day.shifts
        ]
    )


@bp.post("/shifts/<int:shift_id>/bookings")
@writes_late
@roles(Role.VOLUNTEER, Role.COORDINATOR)
@operation(
    "bookShift",
    summary="Book a place on a shift, or its waitlist when it is full",
    description="Idempotent: booking a shift one already holds answers 200 with that booking.",
    path={"shift_id": "The shift."},
    responses={
        200: ("Already booked.", schemas.Booking),
        201: ("Booked.", schemas.Booking),
        401: UNAUTHORIZED,
        403: FORBIDDEN,
        404: ("No such shift.", Error),
        409: ("Refused: overlap, weekly_limit or shift_closed.", Error),
    },
)
def book_shift(shift_id):
    """Book a place (or the waitlist); booking again answers with the existing booking.

    The answer's values are taken before the commit, from the booking in hand (nothing is read
    again), and written out after it, once the lock is released."""
    try:
        placement = booking_services.book(db.session, shift_id, current_user)
    except services.SchedulingError as refusal:
        db.session.rollback()
        return error(refusal.status, refusal.code, refusal.message)
    if placement is None:
        db.session.rollback()
        return error(404, "not_found", _("This shift does not exist."))
    answer = _booking(placement.booking)
    db.session.commit()
    return jsonify(answer.dump()), 201 if placement.created else 200


@bp.delete("/bookings/<int:booking_id>")
@signed_in
@operation(
    "cancelBooking",
    summary="Give up one's own booking",
    path={"booking_id": "The booking."},
    responses={
        204: ("Cancelled (or already cancelled).", None),
        401: UNAUTHORIZED,
        404: ("No such booking among the caller's.", Error),
        409: ("past_deadline: only a coordinator can release the place now.", Error),
    },
)
def cancel_booking(booking_id):
    """Give up one's own booking; cancelling a cancelled booking changes nothing."""
    booking = db.session.get(Booking, booking_id)
    # another person's booking is answered as if it did not exist, revealing nothing
    if booking is None or booking.user_id != current_user.id:
        return error(404, "not_found", _("This booking does not exist."))
    try:
        booking_services.cancel_booking(db.session, booking)
    except services.SchedulingError as refusal:
        db.session.rollback()
        return error(refusal.status, refusal.code, refusal.message)
    db.session.commit()
    return "", 204


@bp.get("/me/bookings")
@signed_in
@operation(
    "listMyBookings",
    summary="The caller's bookings, the latest shift first",
    responses={
        200: ("Confirmed, waitlisted and cancelled bookings.", [schemas.MyBooking]),
        401: UNAUTHORIZED,
    },
)
def my_bookings():
    """The caller's bookings, confirmed, waitlisted or cancelled, the latest shift first."""
    return jsonify(
        [
            schemas.MyBooking(
                id=booking.id,
                shift_id=booking.shift_id,
                status=booking.status,
                starts_at=booking.shift.starts_at,
                ends_at=booking.shift.ends_at,
                **_place(booking.shift),
            ).dump()
            for booking in services.bookings_of(db.session, current_user.id)
        ]
    )
