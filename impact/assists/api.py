"""The assist part of the JSON API: log an assisted submission, read the procedure catalogue."""

from flask import Blueprint, jsonify
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from app.access import roles, signed_in
from app.api import error
from app.api.openapi import operation
from app.api.schemas import FORBIDDEN, UNAUTHORIZED, Error, InvalidInput, commune_ref, point_ref
from app.api.schemas import invalid as api_invalid
from app.extensions import db
from app.roles import Role
from impact.assists import schemas, services
from impact.assists.forms import error_message
from impact.assists.models import AssistedSubmission
from impact.procedures import services as catalogue

#: nested under the API frame's /api/v1 by the part's init_app
bp = Blueprint("assists", __name__)


def _locale() -> str:
    return str(get_locale() or "vi")


def assist_json(row: AssistedSubmission) -> dict:
    """An entry as the API and the offline queue answer it: no resident data, there is none."""
    return schemas.Assist(
        id=row.id,
        service_point=point_ref(row.service_point),
        commune=commune_ref(row.commune),
        procedure=schemas.ProcedureRef(code=row.procedure.code, name=row.procedure.name(_locale())),
        channel=row.channel,
        level=row.level,
        outcome=row.outcome,
        reason=row.reason,
        result_electronic=row.result_electronic,
        age_band=row.age_band,
        vulnerable=row.vulnerable,
        at_home=row.at_home,
        self_service=row.self_service,
        occurred_at=row.occurred_at,
        occurred_on=row.occurred_on,
        received_at=row.received_at,
        shift_id=row.shift_id,
        home_request=row.home_request_id,
        offline=row.offline,
        late=row.late,
        voided_at=row.voided_at,
    ).dump()


def invalid(fields: dict[str, str]):
    """The 422 answer to an entry with errors, one message per field."""
    return api_invalid(
        _("Some fields of the entry are not valid."),
        {name: error_message(name, code) for name, code in sorted(fields.items())},
    )


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
        return error(refusal.status, refusal.code, refusal.message)
    payload = assist_json(row)
    db.session.commit()
    return jsonify(payload), 201 if created else 200


@bp.post("/assists")
@roles(Role.VOLUNTEER, Role.COORDINATOR)
@operation(
    "createAssist",
    summary="Log an assisted submission",
    description="Idempotent on the client-made id: an id already stored answers 200 with the "
    "stored entry unchanged, even if the body differs.",
    body=schemas.AssistEntry,
    responses={
        200: ("Already stored.", schemas.Assist),
        201: ("Stored.", schemas.Assist),
        400: ("Not a JSON object.", Error),
        401: UNAUTHORIZED,
        403: FORBIDDEN,
        404: (
            "not_found: the entry is otherwise valid but no service point or procedure has the "
            "id or code it gives.",
            Error,
        ),
        409: (
            "id_taken: another person's entry has this id; future: occurred_at is more than 10 "
            "minutes ahead of the server's clock.",
            Error,
        ),
        422: ("Errors, one per field.", InvalidInput),
    },
)
def create_assist(body: dict):
    """Log an assisted submission; the same client-made id again answers the stored entry."""
    return record(body, unknown_is_404=True)


@bp.get("/procedures")
@signed_in
@operation(
    "listProcedures",
    summary="The active procedures of the catalogue",
    responses={
        200: ("Sorted by name in the request's language.", [schemas.ProcedureRef]),
        401: UNAUTHORIZED,
    },
)
def list_procedures():
    """The active procedures of the catalogue, named in the request's language."""
    locale = _locale()
    return jsonify(
        [
            schemas.ProcedureRef(code=p.code, name=p.name(locale)).dump()
            for p in catalogue.procedures(db.session, locale=locale)
        ]
    )
