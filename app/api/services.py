"""Bearer tokens: issue one for a user, find the user a token belongs to."""

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.api.models import ApiToken
from app.auth.models import User
from app.database import utcnow

#: last_used_at is precise to this much, so reading with a token rarely writes
TOKEN_TOUCH_INTERVAL = timedelta(minutes=5)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(session: Session, user: User) -> str:
    """Create a token for the user and return it; only its hash is stored."""
    token = secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, token_hash=hash_token(token)))
    session.flush()
    return token


def token_for(session: Session, token: str) -> ApiToken | None:
    """The stored token matching this bearer token, if its user is active."""
    found = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
    if found is None or not found.user.is_active:
        return None
    return found


def touch(token: ApiToken, now: datetime | None = None) -> bool:
    """Record that the token was used; True when the row changed and needs a commit."""
    now = now or utcnow()
    if token.last_used_at is not None and now - token.last_used_at < TOKEN_TOUCH_INTERVAL:
        return False
    token.last_used_at = now
    return True
