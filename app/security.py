"""Security headers on every response (HSTS in production, no-store on marked views); input no
database can store is refused up front; a Host the site does not serve gets a bare 400."""

from flask import abort, current_app, request
from flask_babel import gettext as _
from werkzeug.exceptions import SecurityError

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


#: production only: a browser that once reached the site over HTTPS never tries HTTP again
HSTS = "max-age=31536000; includeSubDomains"


def no_store(view):
    """Mark a view whose answer shows a phone, an address or a personal code (or a secret link):
    `Cache-Control: no-store`, so no shared cache, proxy or back button keeps a copy."""
    view.no_store = True
    return view


def _marked_no_store():
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    return getattr(view, "no_store", False)


def add_headers(response):
    headers = response.headers
    if current_app.config["PRODUCTION"]:
        headers.setdefault("Strict-Transport-Security", HSTS)
    if _marked_no_store():
        headers["Cache-Control"] = "no-store"
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Permissions-Policy", "geolocation=(), microphone=(), camera=(self)")
    return response


def has_nul(*texts) -> bool:
    return any(isinstance(text, str) and "\x00" in text for text in texts)


def _fields(multidict):
    return [*multidict.keys(), *(v for _key, values in multidict.lists() for v in values)]


def refuse_nul():
    """before_request: a NUL character is never text a person typed, and PostgreSQL cannot store
    or even compare it (a 500 there): answer 400 to a URL, query or form holding one. A JSON
    body's fields are checked by the API route that reads them (has_nul)."""
    values = [*(request.view_args or {}).values(), *_fields(request.args)]
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        values += _fields(request.form)
    if has_nul(*values):
        abort(400)


def foreign_host(error):
    """A Host header that is not the site's (TRUSTED_HOSTS, set from SITE_URL in production):
    a bare 400, since no URL can be built for a host the site does not serve."""
    message = _("This site does not answer to that address.")
    return message, 400, {"Content-Type": "text/plain; charset=utf-8"}


def init_app(app):
    app.register_error_handler(SecurityError, foreign_host)
    app.before_request(refuse_nul)
    app.after_request(add_headers)
