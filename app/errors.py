"""Domain errors, error pages in the reader's language, and JSON errors under /api."""

from flask import jsonify, render_template, request
from flask_babel import gettext as _
from flask_limiter.errors import RateLimitExceeded
from werkzeug.exceptions import HTTPException

from app.extensions import db
from app.i18n import lazy_gettext as _l


class DomainError(Exception):
    """A service refused: the base of every service's exceptions, mapped once for pages and API.

    `code` is the API's error code (a subclass sets its own, or a root class is raised with one
    of several), `status` the HTTP status it answers with, and `sentences` the sentence per code
    in the reader's language: `message`, which the API sends. A page may say what to do next on
    that page instead (`page_sentences`, `page_sentence`): `page_message`, which pages flash.
    """

    code: str = "refused"
    status: int = 409
    #: the sentence of each code this class (and its subclasses) may carry
    sentences: dict = {}
    #: the sentence of a code `sentences` does not name
    sentence = _l("This cannot be done.")
    #: what a page says instead, when it differs, per code or for every code
    page_sentences: dict = {}
    page_sentence = None

    def __init__(self, code: str | None = None, *args):
        super().__init__(code or self.code, *args)
        if code is not None:
            self.code = code

    @property
    def message(self) -> str:
        return str(self.sentences.get(self.code, self.sentence))

    @property
    def page_message(self) -> str:
        text = self.page_sentences.get(self.code, self.page_sentence)
        return str(text) if text is not None else self.message


def handle_domain_error(refusal: DomainError):
    """A refusal no view caught: nothing it began is kept; the API answers its JSON error, a
    page the error page with its sentence."""
    db.session.rollback()
    if request.path.startswith("/api/"):
        response = jsonify(error=refusal.code, message=refusal.message)
        response.status_code = refusal.status
        return response
    return render_template(
        "app/errors/error.html", status=refusal.status, message=refusal.page_message
    ), refusal.status


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
        503: _("The site is very busy right now. Please try again in a few seconds."),
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
        503: "busy",
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
    app.register_error_handler(DomainError, handle_domain_error)
