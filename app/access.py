"""Who may use each route, declared on the view and enforced in one place.

Every view carries an ``access`` rule set by one of the decorators below; ``enforce`` runs before
every request and refuses a view that declares nothing, so a forgotten declaration fails closed.
"""

from dataclasses import dataclass

from flask import abort, current_app, redirect, request, url_for
from flask_login import current_user

from app.roles import Role


@dataclass(frozen=True)
class Access:
    public: bool = False
    roles: frozenset[Role] = frozenset()

    def allows(self, user) -> bool:
        return self.admits(user.is_authenticated, user.roles if user.is_authenticated else set())

    def admits(self, signed_in: bool, roles: set[Role]) -> bool:
        """The rule, for a reader whose roles were read once (the menu asks for every page)."""
        if self.public:
            return True
        if not signed_in:
            return False
        return not self.roles or bool(self.roles & roles)


def _declare(rule):
    def decorate(view):
        view.access = rule
        return view

    return decorate


public = _declare(Access(public=True))
signed_in = _declare(Access())


def roles(*allowed: Role):
    """Open the view to users holding any of these roles (admins hold every right)."""
    return _declare(Access(roles=frozenset(allowed) | {Role.ADMIN}))


def rule_for(endpoint):
    if endpoint == "static":
        return Access(public=True)
    view = current_app.view_functions.get(endpoint)
    return getattr(view, "access", None)


def enforce():
    """before_request: apply the view's declared rule; undeclared views are refused."""
    if request.endpoint is None:
        return None  # routing failed; the 404 or 405 handler answers
    rule = rule_for(request.endpoint)
    if rule is None:
        current_app.logger.error("route %s declares no access rule", request.endpoint)
        abort(403)
    if rule.allows(current_user):
        return None
    if current_user.is_authenticated or request.path.startswith("/api/"):
        abort(403 if current_user.is_authenticated else 401)
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
