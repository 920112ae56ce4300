"""Bearer-token sign-in for the API, and the OpenAPI document."""

from flask import current_app, jsonify, request
from flask_babel import gettext as _

from app.access import public
from app.api import bp, error, openapi, services
from app.auth import services as accounts
from app.database import write_apart
from app.extensions import db, limiter, login_manager
from app.security import has_nul

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


def _login_limit():
    return current_app.config["LOGIN_RATE_LIMIT"]


def _json_body() -> dict:
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else {}


def _token_email():
    email = _json_body().get("email")
    return accounts.normalise_email(email) if isinstance(email, str) else ""


@bp.post("/tokens")
@public
@limiter.limit(_login_limit)
@limiter.limit(_login_limit, key_func=_token_email)
def create_token():
    """Exchange an email and password for a bearer token (limited like the login form)."""
    body = _json_body()
    email, password = body.get("email"), body.get("password")
    if (
        not isinstance(email, str)
        or not isinstance(password, str)
        or not email
        or not password
        or has_nul(email, password)
    ):
        return error(400, "bad_request", _("Send a JSON object with an email and a password."))
    user = None
    if len(email) <= 254 and len(password) <= 128:
        user = accounts.authenticate(db.session, email, password)
    if user is None:
        return error(401, "unauthorized", _("Wrong email or password."))
    token = services.issue_token(db.session, user)
    db.session.commit()
    return jsonify(token=token), 201


@bp.get("/openapi.json")
@public
def openapi_document():
    """The OpenAPI 3.1 description of every /api/v1 operation."""
    return jsonify(openapi.DOCUMENT)
