"""The check-in part of the JSON API: check in with a scanned token, check out."""

from flask import Blueprint, jsonify
from flask_babel import gettext as _
from flask_login import current_user

from app.access import roles
from app.api import error
from app.api.openapi import operation
from app.api.schemas import FORBIDDEN, UNAUTHORIZED, Error, InvalidInput, point_ref
from app.database import utcnow
from app.extensions import db
from app.places.models import ServicePoint
from app.roles import Role
from scheduling.checkin import schemas, services
from scheduling.checkin.messages import STATUS, result_message
from scheduling.checkin.models import Attendance, Scan, ScanResult

#: nested under the API frame's /api/v1 by the part's init_app
bp = Blueprint("checkin", __name__)

#: ids are 32-bit integers in the database; a larger one names nothing
MAX_ID = 2**31 - 1


def checkin_json(attendance: Attendance) -> dict:
    shift = attendance.shift
    return schemas.Checkin(
        id=attendance.id,
        booking_id=attendance.booking_id,
        shift_id=shift.id,
        volunteer_id=attendance.booking.user_id,
        service_point=point_ref(shift.service_point),
        checked_in_at=attendance.checked_in_at,
        checked_out_at=attendance.checked_out_at,
        closed_automatically=attendance.closed_automatically,
        walk_in=attendance.walk_in,
        hours=round(attendance.hours(utcnow()), 2),
    ).dump()


def _answer(scan: Scan, created: bool):
    """The check-in for an ok scan (201, or 200 when the nonce was seen), else the refusal; an
    `already_checked_in` refusal carries the existing check-in."""
    if scan.result == ScanResult.OK:
        return jsonify(checkin_json(scan.attendance)), 201 if created else 200
    body = {
        "error": str(scan.result),
        "message": result_message(scan.result, badge=scan.scanned_by_id != scan.user_id),
    }
    if scan.attendance is not None:
        body["checkin"] = checkin_json(scan.attendance)
    return jsonify(body), STATUS[scan.result]


def _refusal(description):
    return (description, schemas.ScanRefusal)


@bp.post("/checkins")
@roles(Role.VOLUNTEER, Role.COORDINATOR)
@operation(
    "checkIn",
    summary="Check in with a scanned QR token (every call is logged as a scan)",
    description="Checks the caller in to their confirmed booking on the shift running now at "
    "the token's service point (from 30 minutes before its start until its end), or as a "
    "walk-in when they have none and the shift has room. Idempotent on `nonce`: the same nonce "
    "answers with the first result.",
    body=schemas.CheckinRequest,
    responses={
        200: ("The nonce was seen: the same check-in.", schemas.Checkin),
        201: ("Checked in.", schemas.Checkin),
        202: _refusal(
            "late_sync: an offline scan received after its shift ended, stored with the "
            "check-in; its hours count once a coordinator confirms it."
        ),
        401: UNAUTHORIZED,
        403: _refusal(
            "invalid_token (forged, unreadable, of another kind or for an unknown point); or "
            "`forbidden`: the caller may not scan badges at `service_point`."
        ),
        404: ("No service point has the id given as `service_point`.", Error),
        409: _refusal(
            "already_checked_in (with the check-in), no_shift_now, shift_full; "
            "scanned_before_shift or scanned_in_future (an offline scan dated more than 30 minutes "
            "before its shift, or after the server received it); or nonce_taken (the nonce "
            "belongs to another user's scan)."
        ),
        410: _refusal("expired_token (live QR or badge) or rotated_token (a replaced poster)."),
        422: ("Malformed input.", InvalidInput),
    },
)
def create_checkin(body: schemas.CheckinRequest):
    """Check in with a scanned token; the same nonce again answers with the first result."""
    point = None
    if body.service_point is not None:
        point = db.session.get(ServicePoint, body.service_point)
        if point is None:
            return error(404, "not_found", _("No service point has this id."))
    if point is not None and not services.may_scan_at(current_user, point):
        return error(403, "forbidden", _("You may not scan badges at this service point."))
    try:
        scan, created = services.commit_scan(
            db.session,
            current_user,
            lambda: services.check_in(
                db.session,
                current_user,
                body.token,
                body.nonce,
                scanned_at=body.scanned_at,
                offline=body.offline,
                at_point=point,
            ),
            body.nonce,
        )
    except services.NonceTaken as refusal:
        db.session.rollback()
        return error(refusal.status, refusal.code, refusal.message)
    return _answer(scan, created)


@bp.post("/checkins/<int:checkin_id>/checkout")
@roles(Role.VOLUNTEER, Role.COORDINATOR)
@operation(
    "checkOut",
    summary="Check out; repeating it changes nothing",
    description="After the shift's end the check-in is closed at the end.",
    path={"checkin_id": "The check-in (its `id`)."},
    responses={
        200: ("Checked out.", schemas.Checkin),
        401: UNAUTHORIZED,
        403: FORBIDDEN,
        404: ("No such check-in among those the caller may see.", Error),
    },
)
def checkout_checkin(checkin_id):
    """Check out (the volunteer, or a coordinator of the point); repeating changes nothing."""
    attendance = db.session.get(Attendance, checkin_id) if checkin_id <= MAX_ID else None
    if attendance is None or not services.may_see(current_user, attendance):
        return error(404, "not_found", _("This check-in does not exist."))
    attendance = services.check_out(db.session, attendance, current_user)
    db.session.commit()
    return jsonify(checkin_json(attendance))
