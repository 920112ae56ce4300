"""Bearer-token sign-in for the API, and the OpenAPI document."""

from flask import jsonify, request
from flask_babel import gettext as _

from app.access import public
from app.api import bp, error, services
from app.api.openapi import current_document, operation
from app.api.schemas import Credentials, Error, Token
from app.auth import services as accounts
from app.auth.limits import sign_in_limits
from app.database import write_apart
from app.extensions import db, login_manager
from app.security import no_store

#: the frame's name; its routes and those nested in it authenticate only with a bearer token
API = "api"


@login_manager.request_loader
def load_user_from_bearer(req):
    """The user of the request's `Authorization: Bearer <token>`, for API routes only."""
    if API not in req.blueprints:
        return None
    scheme, _sep, token = req.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        return None
    found = services.token_for(db.session, token)
    if found is None:
        return None
    if services.needs_touch(found):
        # A GET's transaction is a reader: the use is recorded in a writer transaction of its own.
        token_id = found.id
        write_apart(lambda session: services.record_use(session, token_id))
    return found.user


def authenticate():
    """before_request, ahead of access.enforce: an API request is its bearer token's user or nobody.

    The API is exempt from CSRF checks, so a browser's session cookie must never be enough to use
    it: another site could make the browser send one.
    """
    if API in request.blueprints:
        login_manager._update_request_context_with_user(load_user_from_bearer(request))


def _json_body() -> dict:
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else {}


@bp.post("/tokens")
@public
@sign_in_limits
@no_store
@operation(
    "createToken",
    summary="Exchange an email and password for a bearer token",
    description=(
        "Failed attempts share the login form's budgets: per account and address, "
        "per account, per address."
    ),
    body=Credentials,
    responses={
        201: ("A new token.", Token),
        400: ("Not a JSON object with an email and a password.", Error),
        401: ("Wrong email or password.", Error),
        429: ("Too many attempts; wait a minute.", Error),
    },
)
def create_token(body: Credentials):
    """Exchange an email and password for a bearer token (the login form's budget)."""
    user = None
    if len(body.email) <= 254 and len(body.password) <= 128:
        user = accounts.authenticate(db.session, body.email, body.password)
    if user is None:
        return error(401, "unauthorized", _("Wrong email or password."))
    token = services.issue_token(db.session, user)
    db.session.commit()
    return jsonify(Token(token=token).dump()), 201


@bp.get("/openapi.json")
@public
@operation(
    "getOpenApi",
    summary="This document",
    language=False,
    responses={200: ("OpenAPI 3.1", dict)},
)
def openapi_document():
    """The OpenAPI 3.1 description of every /api/v1 operation."""
    return jsonify(current_document())
