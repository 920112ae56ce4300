"""The scheduling part of the JSON API: find shifts, book them, cancel, list one's bookings."""

from datetime import date

from flask import Blueprint, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.access import roles, signed_in
from app.api import error
from app.extensions import db
from app.localtime import local
from app.places.models import Commune
from app.roles import Role
from scheduling import services
from scheduling.booking import services as booking_services
from scheduling.models import Booking, Shift

#: nested under the API frame's /api/v1 by the part's init_app
bp = Blueprint("scheduling", __name__)


def _refusals():
    return {
        "overlap": _("You already hold a shift at the same time."),
        "weekly_limit": _("You have reached this campaign's limit of shifts per week."),
        "shift_closed": _("This shift is no longer open for booking."),
        "past_deadline": _(
            "The cancellation deadline has passed. Ask your coordinator to release you."
        ),
    }


def _local_iso(moment) -> str:
    return local(moment).isoformat()


def _place(shift: Shift) -> dict:
    point = shift.service_point
    return {
        "service_point": {"id": point.id, "name": point.name},
        "commune": {"code": point.commune.code, "name": point.commune.name},
    }


def _booking_json(booking: Booking) -> dict:
    return {"id": booking.id, "shift_id": booking.shift_id, "status": str(booking.status)}


@bp.get("/shifts")
@signed_in
def shifts():
    """The active shifts of one commune (official code) on one local day."""
    code = request.args.get("commune", "").strip()
    if not code:
        return error(400, "bad_request", _("Give the commune's official code, e.g. 00130."))
    try:
        day = date.fromisoformat(request.args.get("date", ""))
    except ValueError:
        return error(400, "bad_request", _("Give the date as YYYY-MM-DD, e.g. 2025-07-15."))
    commune = db.session.scalar(select(Commune).where(Commune.code == code))
    if commune is None:
        return error(404, "not_found", _("No commune has this code."))
    rows = services.shifts_for_commune_on(db.session, commune, day)
    return jsonify(
        [
            {
                "id": row.shift.id,
                **_place(row.shift),
                "starts_at": _local_iso(row.shift.starts_at),
                "ends_at": _local_iso(row.shift.ends_at),
                "capacity": row.capacity,
                "booked": row.confirmed,
                "waitlisted": row.waitlisted,
            }
            for row in rows
        ]
    )


@bp.post("/shifts/<int:shift_id>/bookings")
@roles(Role.VOLUNTEER, Role.COORDINATOR)
def book_shift(shift_id):
    """Book a place (or the waitlist); booking again answers with the existing booking."""
    shift = db.session.get(Shift, shift_id)
    if shift is None:
        return error(404, "not_found", _("This shift does not exist."))
    try:
        placement = booking_services.book_shift(db.session, shift, current_user)
    except services.SchedulingError as refusal:
        db.session.rollback()
        return error(409, refusal.code, _refusals()[refusal.code])
    db.session.commit()
    return jsonify(_booking_json(placement.booking)), 201 if placement.created else 200


@bp.delete("/bookings/<int:booking_id>")
@signed_in
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
        return error(409, refusal.code, _refusals()[refusal.code])
    db.session.commit()
    return "", 204


@bp.get("/me/bookings")
@signed_in
def my_bookings():
    """The caller's bookings, confirmed, waitlisted or cancelled, the latest shift first."""
    return jsonify(
        [
            {
                **_booking_json(booking),
                "starts_at": _local_iso(booking.shift.starts_at),
                "ends_at": _local_iso(booking.shift.ends_at),
                **_place(booking.shift),
            }
            for booking in services.bookings_of(db.session, current_user.id)
        ]
    )
