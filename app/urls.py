"""URL helpers: safe local redirects, and every absolute URL that leaves the site."""

from urllib.parse import urlsplit

from flask import current_app, url_for
from werkzeug.routing import IntegerConverter

#: the largest id the database holds: ids are `Integer` columns, 32 bits on PostgreSQL
DATABASE_MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """`<int:...>` in every route: a number too large for an id column is no id, so the URL
    matches nothing (404) instead of failing in the database driver (a 500 on both databases)."""

    def __init__(self, map, *args, max=DATABASE_MAX_ID, **kwargs):
        super().__init__(map, *args, max=max, **kwargs)


def safe_next(target, default="main.home"):
    """A local path to go back to; anything pointing off the site falls back to the default.

    A control character (a newline, say) is never part of a path a page sent: it would break
    the Location header (a 500 after the request's work was done), so it falls back too."""
    if target and not any(ord(c) < 0x20 or ord(c) == 0x7F for c in target):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and "\\" not in target:
            return target
    return url_for(default)


def absolute_url(endpoint: str, **values) -> str:
    """The absolute URL of an endpoint on the configured site, ``SITE_URL``, for whatever leaves
    the site (mails, QR codes, calendar feeds). Never from the request: its Host header is the
    client's to forge, and a reset mail built from it would point to another site."""
    app = current_app._get_current_object()
    site = urlsplit(app.config["SITE_URL"])
    adapter = app.url_map.bind(
        site.netloc, script_name=site.path or "/", url_scheme=site.scheme or "https"
    )
    app.inject_url_defaults(endpoint, values)
    return adapter.build(endpoint, values, force_external=True)
