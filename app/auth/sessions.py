"""Signing this browser in again after the account's session version changed.

Every session and remember cookie names the account's session version (``User.get_id``); a new
version (sign out everywhere, a password reset, a learner's new code) ends them all. The browser
that asked for it keeps a session under the new version.
"""

from flask import current_app, request
from flask_login import login_user


def stay_signed_in_here(user) -> None:
    """Sign this browser in under the user's new session version, remembered if it was before."""
    remembered = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies
    # current_user is a proxy to the request's user: logging the proxy in would make it its own
    # target (endless recursion); log in the user object itself.
    login_user(getattr(user, "_get_current_object", lambda: user)(), remember=remembered)
