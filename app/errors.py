"""Error pages in the reader's language, and JSON errors under /api."""

from flask import jsonify, render_template, request
from flask_babel import gettext as _
from flask_limiter.errors import RateLimitExceeded
from werkzeug.exceptions import HTTPException

from app.extensions import db


def messages():
    return {
        400: _("The request could not be understood. Please check what you entered."),
        401: _("Please log in to continue."),
        403: _("You do not have permission to open this page."),
        404: _("This page does not exist or has been moved."),
        405: _("This action is not allowed here."),
        413: _("What you sent is too large."),
        422: _("Some of what you entered is not valid."),
        429: _("Too many attempts. Please wait a minute and try again."),
        500: _("Something went wrong on our side. Please try again in a moment."),
    }


def error_code(status):
    return {
        400: "bad_request",
        401: "unauthorized",
        403: "forbidden",
        404: "not_found",
        405: "method_not_allowed",
        413: "too_large",
        422: "invalid",
        429: "rate_limited",
        500: "server_error",
    }.get(status, "error")


def handle_http_error(error: HTTPException):
    status = error.code or 500
    if status >= 500:
        db.session.rollback()
    message = messages().get(status, error.description)
    if isinstance(error, RateLimitExceeded) and error.limit.error_message:
        message = error.description  # the limit's own sentence, e.g. for guessed learner codes
    # The exception's own headers, e.g. the Allow of a 405 (RFC 9110), but not its content type.
    headers = [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"]
    if request.path.startswith("/api/"):
        response = jsonify(error=error_code(status), message=message)
        response.status_code = status
        response.headers.extend(headers)
        return response
    return render_template("app/errors/error.html", status=status, message=message), status, headers


def init_app(app):
    # Flask hands unhandled exceptions to this handler as an InternalServerError.
    app.register_error_handler(HTTPException, handle_http_error)
