"""Security headers on every response (HSTS in production, no-store on marked views); input no
database can store is refused up front; a Host the site does not serve gets a bare 400."""

import json
import math

from flask import abort, current_app, request
from flask.json.provider import DefaultJSONProvider
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


#: deeper than any body the site reads (the API's are at most three levels): anything deeper is
#: refused before a parser, validator or template recurses through it
MAX_JSON_DEPTH = 32


class UnsafeJSON(ValueError):
    """JSON that parses in Python but means nothing here, or that Python cannot parse safely."""


def _no_constant(name):
    raise UnsafeJSON(f"{name} is not a JSON number")  # NaN, Infinity, -Infinity: not in RFC 8259


def _finite(text):
    number = float(text)
    if not math.isfinite(number):  # 1e400 reads as infinity
        raise UnsafeJSON("number out of range")
    return number


def _storable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate ("\ud800"): no database or page can hold it
        return False
    return True


def check_json(value) -> None:
    """UnsafeJSON when the parsed value nests deeper than MAX_JSON_DEPTH or holds a string (a key
    or a value) that is not valid Unicode; walked without recursion."""
    pending = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, str):
            if not _storable(item):
                raise UnsafeJSON("lone surrogate")
        elif isinstance(item, dict | list):
            if depth > MAX_JSON_DEPTH:
                raise UnsafeJSON("nested too deep")
            children = [*item.keys(), *item.values()] if isinstance(item, dict) else item
            pending.extend((child, depth + 1) for child in children)


class StrictJSON(DefaultJSONProvider):
    """Flask's JSON, reading only what RFC 8259 means and what can be stored: every request
    body (`request.get_json`), whoever reads it, goes through `loads`."""

    def loads(self, s, **kwargs):
        kwargs.setdefault("parse_constant", _no_constant)
        kwargs.setdefault("parse_float", _finite)
        try:
            value = json.loads(s, **kwargs)
        except RecursionError:  # e.g. 200,000 nested arrays
            raise UnsafeJSON("nested too deep") from None
        check_json(value)
        return value


def refuse_unsafe_json():
    """before_request: a JSON body nested too deep, holding a lone surrogate, NaN or a number
    beyond a float's range is answered 400 (the API's Error body) before any view reads it.
    Ordinary malformed JSON is left to the route, which names what it expected."""
    if not request.is_json or not request.get_data(cache=True):
        return
    try:
        current_app.json.loads(request.get_data(cache=True))
    except UnsafeJSON:
        abort(400)
    except ValueError:
        return


def foreign_host(error):
    """A Host header that is not the site's (TRUSTED_HOSTS, set from SITE_URL in production):
    a bare 400, since no URL can be built for a host the site does not serve."""
    message = _("This site does not answer to that address.")
    return message, 400, {"Content-Type": "text/plain; charset=utf-8"}


def init_app(app):
    app.register_error_handler(SecurityError, foreign_host)
    app.json = StrictJSON(app)
    app.before_request(refuse_nul)
    app.before_request(refuse_unsafe_json)
    app.after_request(add_headers)
