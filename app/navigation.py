"""The header's links: each part registers its pages; a reader sees only those they may open."""

from flask import url_for
from flask_babel import get_locale
from flask_login import current_user

from app.access import rule_for

_ITEMS: list[tuple[str, object, object]] = []


def register(endpoint, label, badge=None):
    """Add a page to the header (label is a lazy_gettext string).

    ``badge``, if given, is a function returning a count shown next to the label (e.g. unread
    notifications); it runs only for readers who may open the page, so keep it one cheap query.
    """
    if endpoint not in [e for e, *_ in _ITEMS]:
        _ITEMS.append((endpoint, label, badge))


def nav_items():
    items = []
    for endpoint, label, badge in _ITEMS:
        rule = rule_for(endpoint)
        if rule is not None and not rule.public and rule.allows(current_user):
            items.append({"url": url_for(endpoint), "label": label, "badge": badge and badge()})
    return items


def init_app(app):
    app.jinja_env.globals.update(nav_items=nav_items, current_locale=lambda: str(get_locale()))
