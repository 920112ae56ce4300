"""Security headers on every response; input no database can store is refused up front."""

from flask import abort, request

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


def add_headers(response):
    headers = response.headers
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


def init_app(app):
    app.before_request(refuse_nul)
    app.after_request(add_headers)
