"""The check-in part of the JSON API: check in with a scanned token, check out."""

from flask import Blueprint, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from app.access import roles
from app.api import error
from app.database import utcnow
from app.extensions import db
from app.localtime import local
from app.places.models import ServicePoint
from app.roles import Role
from scheduling.checkin import services
from scheduling.checkin.forms import parse_moment
from scheduling.checkin.messages import STATUS, result_message
from scheduling.checkin.models import Attendance, Scan, ScanResult

#: nested under the API frame's /api/v1 by the part's init_app
bp = Blueprint("checkin", __name__)

#: ids are 32-bit integers in the database; a larger one names nothing
MAX_ID = 2**31 - 1


def _local_iso(moment):
    return local(moment).isoformat() if moment else None


def checkin_json(attendance: Attendance) -> dict:
    shift = attendance.shift
    return {
        "id": attendance.id,
        "booking_id": attendance.booking_id,
        "shift_id": shift.id,
        "volunteer_id": attendance.booking.user_id,
        "service_point": {"id": shift.service_point.id, "name": shift.service_point.name},
        "checked_in_at": _local_iso(attendance.checked_in_at),
        "checked_out_at": _local_iso(attendance.checked_out_at),
        "closed_automatically": attendance.closed_automatically,
        "walk_in": attendance.walk_in,
        "hours": round(attendance.hours(utcnow()), 2),
    }


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


def _invalid(fields: dict):
    response = jsonify(
        error="invalid", message=_("Some of what you sent is not valid."), fields=fields
    )
    response.status_code = 422
    return response


@bp.post("/checkins")
@roles(Role.VOLUNTEER, Role.COORDINATOR)
def create_checkin():
    """Check in with a scanned token; the same nonce again answers with the first result."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return _invalid({"body": _("Send a JSON object.")})
    fields = {}
    token, nonce = body.get("token"), body.get("nonce")
    if not isinstance(token, str) or not token or len(token) > 2000:
        fields["token"] = _("Give the scanned token (the text of the QR code).")
    if not services.valid_nonce(nonce):
        fields["nonce"] = _("Give a nonce of 8 to 64 letters, digits, - or _ (e.g. a UUID).")
    scanned_at = parse_moment(body.get("scanned_at"))
    if scanned_at is None:
        fields["scanned_at"] = _("Give the time of the scan in ISO 8601 with its offset.")
    offline = body.get("offline", False)
    if not isinstance(offline, bool):
        fields["offline"] = _("Give true or false.")
    point_id = body.get("service_point")
    if isinstance(point_id, float) and point_id.is_integer():
        point_id = int(point_id)  # JSON has one number type: 190.0 is the integer 190
    if point_id is not None and (
        not isinstance(point_id, int) or isinstance(point_id, bool) or not 1 <= point_id <= MAX_ID
    ):
        fields["service_point"] = _("Give the service point's id.")
    if fields:
        return _invalid(fields)
    point = None
    if point_id is not None:
        point = db.session.get(ServicePoint, point_id)
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
                token,
                nonce,
                scanned_at=scanned_at,
                offline=offline,
                at_point=point,
            ),
            nonce,
        )
    except services.NonceTaken:
        db.session.rollback()
        return error(409, "nonce_taken", _("This nonce was already used: make a new one."))
    return _answer(scan, created)


@bp.post("/checkins/<int:checkin_id>/checkout")
@roles(Role.VOLUNTEER, Role.COORDINATOR)
def checkout_checkin(checkin_id):
    """Check out (the volunteer, or a coordinator of the point); repeating changes nothing."""
    attendance = db.session.get(Attendance, checkin_id) if checkin_id <= MAX_ID else None
    if attendance is None or not services.may_see(current_user, attendance):
        return error(404, "not_found", _("This check-in does not exist."))
    attendance = services.check_out(db.session, attendance, current_user)
    db.session.commit()
    return jsonify(checkin_json(attendance))
