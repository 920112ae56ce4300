"""The header's menu: each part registers its pages under a task group; a reader sees only the
pages they may open.

The menu is grouped by task (not by part) so that a phone's menu stays short: at most six top
entries for any role, each label distinct. It is computed once per request (``g``), with the
reader's roles read once, however many times the templates ask for it. Which pages the access
rules admit, and their URLs, depend only on the roles: worked out once per process for each set.
"""

import enum
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import current_app, g, request, url_for
from flask_login import current_user

from app.access import rule_for
from app.i18n import language
from app.i18n import lazy_gettext as _l


class Group(enum.StrEnum):
    """The menu's task groups, in the order the header shows them."""

    MY_SHIFTS = "my_shifts"
    STAFFING = "staffing"
    CHECKIN = "checkin"
    LEARNING = "learning"
    REPORTS = "reports"
    ACCOUNT = "account"


GROUP_LABELS = {
    Group.MY_SHIFTS: _l("My shifts"),
    Group.STAFFING: _l("Staffing"),
    Group.CHECKIN: _l("Check-in and assists"),
    Group.LEARNING: _l("Learning"),
    Group.REPORTS: _l("Reports"),
    Group.ACCOUNT: _l("Account"),
}


@dataclass(frozen=True)
class _Entry:
    endpoint: str
    label: object
    group: Group
    badge: Callable[[], int] | None = None
    shown: Callable[[], bool] | None = None


@dataclass
class MenuGroup:
    key: Group
    label: object
    entries: list[dict] = field(default_factory=list)

    @property
    def current(self) -> bool:
        return any(e["current"] for e in self.entries)

    @property
    def badge(self) -> int:
        return sum(e["badge"] or 0 for e in self.entries)


_ENTRIES: list[_Entry] = []


def register(endpoint, label, group: Group = Group.REPORTS, badge=None, shown=None):
    """Add a page to the menu under a task group (label is a lazy_gettext string); a page
    registered without one lands under Reports.

    ``badge``, if given, is a function returning a count shown next to the label (e.g. unread
    notifications); ``shown``, a function saying whether this reader has use for the page beyond
    being allowed to open it (a learner's code page for a learner who has a code). Both run only
    for readers who may open the page, so keep each one cheap query.
    """
    if endpoint not in [e.endpoint for e in _ENTRIES]:
        _ENTRIES.append(_Entry(endpoint, label, group, badge, shown))


def menu() -> list[MenuGroup]:
    """The reader's menu: the non-empty groups in their order, each page once."""
    if "menu" in g:
        return g.menu
    signed_in = current_user.is_authenticated
    roles = current_user.roles if signed_in else set()
    groups = {key: MenuGroup(key, GROUP_LABELS[key]) for key in Group}
    here = request.endpoint
    for entry, url in _admitted(signed_in, frozenset(roles)):
        if entry.shown is not None and not entry.shown():
            continue
        groups[entry.group].entries.append(
            {
                "endpoint": entry.endpoint,
                "url": url,
                "label": entry.label,
                "badge": entry.badge() if entry.badge else 0,
                "current": here == entry.endpoint,
            }
        )
    g.menu = [group for group in groups.values() if group.entries]
    return g.menu


def _admitted(signed_in: bool, roles: frozenset) -> list[tuple[_Entry, str]]:
    """The entries the access rules admit for these roles, with their URLs: the same for every
    reader holding the same roles, so worked out once per process for each set of roles (and
    each script root the site is mounted under)."""
    known = current_app.extensions.setdefault("menu_entries", {})
    key = (signed_in, roles, request.script_root, len(_ENTRIES))
    if key not in known:
        known[key] = [
            (entry, url_for(entry.endpoint))
            for entry in _ENTRIES
            if (rule := rule_for(entry.endpoint)) is not None and rule.admits(signed_in, roles)
        ]
    return known[key]


def menu_has(endpoint: str) -> bool:
    """Whether the reader's menu offers this page (e.g. a learner's code page: they have a code)."""
    return any(e["endpoint"] == endpoint for group in menu() for e in group.entries)


def init_app(app):
    app.jinja_env.globals.update(menu=menu, menu_has=menu_has, current_locale=language)
