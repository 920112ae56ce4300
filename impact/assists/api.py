"""The assist part of the JSON API: log an assisted submission, read the procedure catalogue."""

from flask import Blueprint, jsonify, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from app.access import roles, signed_in
from app.api import error
from app.extensions import db
from app.roles import Role
from impact.assists import services
from impact.assists.forms import error_message
from impact.assists.messages import refusal_message, refusal_status
from impact.assists.models import AssistedSubmission
from impact.procedures import services as catalogue
from scheduling.services import LOCAL_ZONE

#: nested under the API frame's /api/v1 by the part's init_app
bp = Blueprint("assists", __name__)


def _locale() -> str:
    return str(get_locale() or "vi")


def _iso(moment):
    return moment.astimezone(LOCAL_ZONE).isoformat() if moment is not None else None


def assist_json(row: AssistedSubmission) -> dict:
    """An entry as the API and the offline queue answer it: no resident data, there is none."""
    point = row.service_point
    return {
        "id": str(row.id),
        "service_point": {"id": point.id, "name": point.name},
        "commune": {"code": row.commune.code, "name": row.commune.name},
        "procedure": {"code": row.procedure.code, "name": row.procedure.name(_locale())},
        "channel": str(row.channel),
        "level": str(row.level),
        "outcome": str(row.outcome),
        "reason": str(row.reason) if row.reason is not None else None,
        "result_electronic": str(row.result_electronic),
        "age_band": str(row.age_band),
        "vulnerable": row.vulnerable,
        "at_home": row.at_home,
        "self_service": row.self_service,
        "occurred_at": _iso(row.occurred_at),
        "occurred_on": row.occurred_on.isoformat(),
        "received_at": _iso(row.received_at),
        "shift_id": row.shift_id,
        "home_request": row.home_request_id,
        "offline": row.offline,
        "late": row.late,
        "voided_at": _iso(row.voided_at),
    }


def invalid(fields: dict[str, str]):
    """The 422 answer to an entry with errors, one message per field."""
    response = jsonify(
        error="invalid",
        message=_("Some fields of the entry are not valid."),
        fields={name: error_message(name, code) for name, code in sorted(fields.items())},
    )
    response.status_code = 422
    return response


def record(body, home_request=None, *, unknown_is_404=False):
    """Record a JSON entry for the current user: the response shared by the API and the queue."""
    if not isinstance(body, dict):
        return error(400, "bad_request", _("Send the entry as a JSON object."))
    try:
        row, created = services.record_assist(
            db.session, current_user, body, home_request=home_request
        )
    except services.InvalidEntry as refusal:
        db.session.rollback()
        codes = set(refusal.fields.values())
        if unknown_is_404 and "not_found" in codes and codes <= {"not_found", "future"}:
            # a well-formed entry naming a point or a procedure that does not exist (as in
            # POST /api/v1/checkins); the offline queue keeps its 422 with the fields
            return error(404, "not_found", _("No service point or procedure has this id or code."))
        if unknown_is_404 and codes == {"future"}:
            # a well-formed time the server's clock contradicts: the phone's clock is wrong
            return error(
                409, "future", _("The time it happened is in the future: check the phone's clock.")
            )
        return invalid(refusal.fields)
    except services.AssistError as refusal:
        db.session.rollback()
        code = str(refusal.code)
        return error(refusal_status(code), code, refusal_message(code))
    payload = assist_json(row)
    db.session.commit()
    return jsonify(payload), 201 if created else 200


@bp.post("/assists")
@roles(Role.VOLUNTEER, Role.COORDINATOR)
def create_assist():
    """Log an assisted submission; the same client-made id again answers the stored entry."""
    return record(request.get_json(silent=True), unknown_is_404=True)


@bp.get("/procedures")
@signed_in
def list_procedures():
    """The active procedures of the catalogue, named in the request's language."""
    locale = _locale()
    return jsonify(
        [
            {"code": p.code, "name": p.name(locale)}
            for p in catalogue.procedures(db.session, locale=locale)
        ]
    )
