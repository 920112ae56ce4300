"""The resident-card part of the JSON API: issue, register or replace a card."""

import functools

from flask import Blueprint, jsonify
from flask_babel import gettext as _
from flask_login import current_user

from app.access import roles
from app.api import error
from app.api.openapi import operation
from app.api.schemas import UNAUTHORIZED, Error
from app.codes import format_code
from app.extensions import db
from app.roles import Role
from impact.cards import schemas, services

#: nested under the API frame's /api/v1 by the part's init_app
bp = Blueprint("cards", __name__)


def _issuers_only(view):
    """Refuse a learner who is not an officer before the body is read (services.may_issue)."""

    @functools.wraps(view)
    def checked(*args, **kwargs):
        if not services.may_issue(db.session, current_user):
            return error(403, "forbidden", _("Volunteers, coordinators and officers issue cards."))
        return view(*args, **kwargs)

    return checked


@bp.post("/resident-cards")
@roles(Role.VOLUNTEER, Role.COORDINATOR, Role.LEARNER)
@_issuers_only
@operation(
    "createResidentCard",
    summary="Issue a resident card, register a learner code as one, or replace a lost one",
    description="The card carries no name; the site keeps only a keyed digest of its code, so "
    "the code is answered once, here. Log assists with it as `resident_card` in "
    "POST /api/v1/assists.",
    body=schemas.CardRequest,
    responses={
        201: ("The card.", schemas.Card),
        400: (
            "Not a JSON object, a code that cannot be one, both replaces and learner_code, or "
            "another field.",
            Error,
        ),
        401: UNAUTHORIZED,
        403: ("Not a volunteer, coordinator or officer.", Error),
        409: (
            "unknown_card, card_replaced (replaces); not_a_learner_code, already_a_card "
            "(learner_code).",
            Error,
        ),
    },
)
def create_card(body: schemas.CardRequest):
    """Issue, register or replace a resident card for the caller to hand over."""
    if body.replaces is not None and body.learner_code is not None:
        return error(400, "bad_request", _("Give replaces or learner_code, not both."))
    try:
        if body.learner_code is not None:
            services.card_from_learner_code(db.session, current_user, body.learner_code)
            answer = schemas.Card(code=None, qr_url=None, learner_code=True, replaced=False)
        else:
            if body.replaces is not None:
                _card, code = services.replace_card(db.session, current_user, body.replaces)
            else:
                _card, code = services.issue_card(db.session, current_user)
            answer = schemas.Card(
                code=format_code(code),
                qr_url=services.card_url(code),
                learner_code=False,
                replaced=body.replaces is not None,
            )
    except services.CardError as refusal:
        db.session.rollback()
        return error(refusal.status, refusal.code, refusal.message)
    db.session.commit()
    response = jsonify(answer.dump())
    response.headers["Cache-Control"] = "no-store"
    return response, 201
