"""URL helpers."""

from urllib.parse import urlsplit

from flask import url_for
from werkzeug.routing import IntegerConverter

#: the largest id the database holds: ids are `Integer` columns, 32 bits on PostgreSQL
DATABASE_MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """`<int:...>` in every route: a number too large for an id column is no id, so the URL
    matches nothing (404) instead of failing in the database driver (a 500 on both databases)."""

    def __init__(self, map, *args, max=DATABASE_MAX_ID, **kwargs):
        super().__init__(map, *args, max=max, **kwargs)


def safe_next(target, default="main.home"):
    """A local path to go back to; anything pointing off the site falls back to the default."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and "\\" not in target:
            return target
    return url_for(default)
