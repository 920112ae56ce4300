"""The JSON API under /api/v1: bearer tokens, the OpenAPI document, and each part's api.py."""

from flask import Blueprint, jsonify

from app.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
# Bearer tokens, not cookies, authenticate the API (app.api.views.authenticate): no CSRF risk.
csrf.exempt(bp)


def error(status: int, code: str, message: str):
    """A JSON error as every /api route answers it: {"error": code, "message": text}."""
    response = jsonify(error=code, message=message)
    response.status_code = status
    return response


from app.api import views  # noqa: E402,F401
