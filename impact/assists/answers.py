"""The JSON answers to an entry, shared by POST /api/v1/assists and the log screen's offline
queue (POST /assists/sync): one record step, so the two never drift apart."""

from flask import jsonify
from flask_babel import gettext as _
from flask_login import current_user

from app.api import error
from app.api.schemas import commune_ref, point_ref
from app.api.schemas import invalid as api_invalid
from app.extensions import db
from app.i18n import language
from impact.assists import schemas, services
from impact.assists.forms import error_message
from impact.assists.messages import refusal_message, refusal_status
from impact.assists.models import AssistedSubmission

#: a resident card's refusals when its code is well formed (impact.cards.services.CardError)
CARD_NOT_IN_FORCE = {"unknown_card", "card_replaced"}


def assist_json(row: AssistedSubmission) -> dict:
    """An entry as the API and the offline queue answer it: no resident data, there is none."""
    return schemas.Assist(
        id=row.id,
        service_point=point_ref(row.service_point),
        commune=commune_ref(row.commune),
        procedure=schemas.ProcedureRef(
            code=row.procedure.code, name=row.procedure.name(language())
        ),
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
        carded=row.resident_id is not None,
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
        if unknown_is_404 and codes and codes <= CARD_NOT_IN_FORCE:
            # a well-formed card that is unknown or replaced: the entry is right, the card not
            code = refusal.fields["resident_card"]
            return error(409, code, refusal_message(code))
        codes -= CARD_NOT_IN_FORCE
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
