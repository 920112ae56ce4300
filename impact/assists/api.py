"""The assist part of the JSON API: log an assisted submission, read the procedure catalogue."""

from flask import Blueprint, jsonify

from app.access import roles, signed_in
from app.api.openapi import operation
from app.api.schemas import UNAUTHORIZED, Error, InvalidInput
from app.extensions import db
from app.i18n import language
from app.roles import Role
from impact.assists import answers, schemas
from impact.procedures import services as catalogue

#: nested under the API frame's /api/v1 by the part's init_app
bp = Blueprint("assists", __name__)


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
        403: (
            "not_checked_in or not_booked: a volunteer logs at a point where they are checked in "
            "(offline: booked that day); or not a volunteer or coordinator.",
            Error,
        ),
        404: (
            "not_found: the entry is otherwise valid but no service point or procedure has the "
            "id or code it gives.",
            Error,
        ),
        409: (
            "id_taken: another person's entry has this id; future: occurred_at is more than 10 "
            "minutes ahead of the server's clock; outside_shift, outside_day, outside_request: "
            "occurred_at is outside the sender's shifts there that day, the point's day, or the "
            "home visit's request; unknown_card, card_replaced: the resident_card (the only "
            "wrong field) is no card in force.",
            Error,
        ),
        422: ("Errors, one per field.", InvalidInput),
        429: ("rate_limited: more entries in the last hour than a counter handles.", Error),
    },
)
def create_assist(body: dict):
    """Log an assisted submission; the same client-made id again answers the stored entry."""
    return answers.record(body, unknown_is_404=True)


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
    locale = language()
    return jsonify(
        [
            schemas.ProcedureRef(code=p.code, name=p.name(locale)).dump()
            for p in catalogue.procedures(db.session, locale=locale)
        ]
    )
