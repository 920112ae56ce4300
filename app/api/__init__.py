"""The JSON API under /api/v1: bearer tokens, the OpenAPI document, and each part's api.py.

A part nests its own blueprint under this frame with `nest(child)` from its `init_app`; every
route of the API is then named `api.<child>.<view>` and shares the frame's authentication,
errors and CSRF exemption.
"""

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


def nest(child: Blueprint) -> None:
    """Put a part's API blueprint under /api/v1, once per process.

    The frame is one blueprint shared by every app the process builds (tests build several), and
    Flask forbids adding to a blueprint once registered: the children join it before the first
    app registers it, and a later app finds them there already.
    """
    if any(nested is child for nested, _options in bp._blueprints):
        return
    csrf.exempt(child)  # Flask-WTF exempts by the request's own (nested) blueprint
    bp.register_blueprint(child)
