"""Bearer tokens: issue one for a user, find the live token a request carries, list and revoke.

A token expires TOKEN_IDLE_LIMIT after its last use (or its creation, if never used): each use
renews it. Revoking a token deletes its row, so it answers 401 like a token never issued.
"""

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any, NamedTuple, cast

from sqlalchemy import CursorResult, bindparam, delete, or_, select, update
from sqlalchemy.orm import Session

from app.api.models import ApiToken
from app.auth.models import User, with_role_values
from app.database import utcnow

#: last_used_at is precise to this much, so reading with a token rarely writes
TOKEN_TOUCH_INTERVAL = timedelta(minutes=5)
#: a token unused this long stops working
TOKEN_IDLE_LIMIT = timedelta(days=90)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(session: Session, user: User) -> str:
    """Create a token for the user and return it; only its hash is stored."""
    token = secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, token_hash=hash_token(token), created_at=utcnow()))
    session.flush()
    return token


class TokenUse(NamedTuple):
    """A live token as a request uses it: its id and times, and its user with their roles."""

    id: int
    user: User
    created_at: datetime
    last_used_at: datetime | None


def expires_at(token: ApiToken | TokenUse) -> datetime:
    """When the token stops working unless it is used before."""
    return (token.last_used_at or token.created_at) + TOKEN_IDLE_LIMIT


def token_for(session: Session, token: str, now: datetime | None = None) -> TokenUse | None:
    """The stored token matching this bearer token, if it has not expired and its user is active.

    The token, its user and the user's roles come in one statement: every API request needs
    all three (the access rule reads the roles). Only the user is a mapped object: the token's
    id and times are plain values, and the roles are the user's `role_values`, not grants
    loaded as objects, which costs every API request less."""
    row = session.execute(_TOKEN, {"token_hash": hash_token(token)}).one_or_none()
    if row is None:
        return None
    user, token_id, created_at, last_used_at = row
    found = TokenUse(token_id, user, created_at, last_used_at)
    if not found.user.is_active or expires_at(found) <= (now or utcnow()):
        return None
    return found


#: token_for's statement, built once: every API request runs it
_TOKEN = (
    select(User, ApiToken.id, ApiToken.created_at, ApiToken.last_used_at)
    .join(ApiToken, ApiToken.user_id == User.id)
    .where(ApiToken.token_hash == bindparam("token_hash"))
    .options(with_role_values())
)


def needs_touch(token: TokenUse, now: datetime | None = None) -> bool:
    """Whether this use must be recorded: the first in its TOKEN_TOUCH_INTERVAL."""
    now = now or utcnow()
    return token.last_used_at is None or now - token.last_used_at >= TOKEN_TOUCH_INTERVAL


def record_use(session: Session, token_id: int, now: datetime | None = None) -> None:
    """Record a use of the token (renewing it), unless a use this interval was recorded already.

    In a booking it runs inside the write lock: the statement is built once and runs on the
    session's connection, and no object in the session is brought up to date (the request
    does not read the token's time again)."""
    now = now or utcnow()
    session.connection().execute(
        _RECORD_USE,
        {"token_id": token_id, "now": now, "touched_before": now - TOKEN_TOUCH_INTERVAL},
    )


_RECORD_USE = (
    update(ApiToken)
    .where(
        ApiToken.id == bindparam("token_id"),
        or_(
            ApiToken.last_used_at.is_(None),
            ApiToken.last_used_at <= bindparam("touched_before"),
        ),
    )
    .values(last_used_at=bindparam("now"))
)


def tokens_of(session: Session, user: User, now: datetime | None = None) -> list[ApiToken]:
    """The user's tokens that still work, newest first, for the profile page."""
    now = now or utcnow()
    tokens = session.scalars(
        select(ApiToken)
        .where(ApiToken.user_id == user.id)
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    ).all()
    return [token for token in tokens if expires_at(token) > now]


def revoke_token(session: Session, user: User, token_id: int) -> bool:
    """Revoke one of the user's tokens; False when the user has no token with this id."""
    deleted = session.execute(
        delete(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user.id)
    )
    session.flush()
    return cast(CursorResult[Any], deleted).rowcount == 1  # a DELETE's result counts its rows


def revoke_all_tokens(session: Session, user: User) -> None:
    """Revoke every token of the user (a password reset does)."""
    session.execute(delete(ApiToken).where(ApiToken.user_id == user.id))
    session.flush()
