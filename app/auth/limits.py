"""The sign-in limits, in one place: every way of signing in with a password draws on them.

Three budgets, kept in the limiter's storage (Redis in production, so every worker and every
server counts together), each in *failed* attempts only: a sign-in that works costs nothing, so a
person is never locked out by their own earlier successes, and a service point where many
volunteers sign in from one address is not either.

- per account and address (`LOGIN_RATE_LIMIT`, 10 a minute): a guesser at one place is stopped
  quickly, and the owner signing in from another place is not;
- per account from every address (`LOGIN_ACCOUNT_RATE_LIMIT`, 100 an hour): a guesser with many
  addresses is stopped too, late enough that the owner is rarely caught by it;
- per address on any account (`LOGIN_RATE_LIMIT`): one place trying many accounts.

The scopes are shared (`limiter.shared_limit`), so the login form and `POST /api/v1/tokens` spend
the same counters. An attempt refused with 429 is not a guess (no password was checked) and counts
nothing, else a guesser refused at one address would go on spending the owner's hourly ceiling.
A failure is counted once its answer is made, so requests already in flight when the budget runs
out may each still be answered: at most one per busy worker.
"""

import hashlib

from flask import current_app, request
from flask_limiter.util import get_remote_address

from app.extensions import limiter

#: the shared scopes; a new way of signing in with a password takes `sign_in_limits` and so these
ACCOUNT_AND_ADDRESS = "sign-in:account+address"
ACCOUNT = "sign-in:account"
ADDRESS = "sign-in:address"

#: the registration budgets, shared by /register and /register/officer
REGISTRATION_ADDRESS = "register:address"
REGISTRATION_ACCOUNT = "register:account"

#: the answers that mean a password was right: the login form redirects, the API makes a token
SIGNED_IN = frozenset({201, 302, 303})


def failed(response) -> bool:
    """`deduct_when`: an answer counts when a password was checked and nobody was signed in."""
    return response.status_code not in SIGNED_IN and response.status_code != 429


def account() -> str:
    """The account a sign-in names: its email from the form or the JSON body, hashed; '' if none.

    Hashed so that the limiter's storage holds no email address and every key has one length.
    """
    if request.is_json:
        body = request.get_json(silent=True)
        email = body.get("email") if isinstance(body, dict) else None
    else:
        email = request.form.get("email")
    if not isinstance(email, str) or not email.strip():
        return ""  # Flask-Limiter skips a limit whose key is empty: no account, no guess at one
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]


def account_and_address() -> str:
    named = account()
    return f"{named}@{get_remote_address()}" if named else ""


def _per_account_and_address():
    return current_app.config["LOGIN_RATE_LIMIT"]


def _per_account():
    return current_app.config["LOGIN_ACCOUNT_RATE_LIMIT"]


def _per_address():
    return current_app.config["LOGIN_RATE_LIMIT"]


def sign_in_limits(view):
    """Decorate a route that checks a password with the three shared budgets (its POSTs only)."""
    budgets = (
        (_per_account_and_address, ACCOUNT_AND_ADDRESS, account_and_address),
        (_per_account, ACCOUNT, account),
        (_per_address, ADDRESS, get_remote_address),
    )
    for value, scope, key in budgets:
        view = limiter.shared_limit(
            value, scope, key_func=key, methods=["POST"], deduct_when=failed
        )(view)
    return view


def registration_limits(view):
    """Decorate a registration route: every POST spends the shared budgets of its address and of
    the email it names (`LOGIN_RATE_LIMIT` each), so probing one email from many machines, or
    many emails from one, is slowed whichever registration form it uses."""
    budgets = ((REGISTRATION_ADDRESS, get_remote_address), (REGISTRATION_ACCOUNT, account))
    for scope, key in budgets:
        view = limiter.shared_limit(_per_address, scope, key_func=key, methods=["POST"])(view)
    return view
