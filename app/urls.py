"""URL helpers."""

from urllib.parse import urlsplit

from flask import url_for


def safe_next(target, default="main.home"):
    """A local path to go back to; anything pointing off the site falls back to the default."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and "\\" not in target:
            return target
    return url_for(default)
