"""Check-in tokens: sign and read what the QR codes and badges carry.

Tokens (app.tokens purposes checkin-poster, checkin-live and checkin-badge):

- poster: ``{"p": point, "v": version}``, no expiry, because a poster stays on the wall for the
  whole campaign; it dies only when a coordinator rotates the point's key (``rotated_token``).
- live: ``{"p": point, "v": version, "w": window}`` where ``window`` is the 30-second slice of
  Unix time it was shown in; the current and the previous window are accepted, older ones are
  ``expired_token`` (judged on the server's clock, never the client's, so a photo taken home
  cannot be replayed with a made-up ``scanned_at``).
- badge: ``{"u": user, "t": issued}``, valid one day after ``issued``; its printed short code
  ``<user id>-<6 letters>`` is valid on the local day it was shown.
"""

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from app.auth.models import User
from app.database import utcnow
from app.localtime import local_date, local_today
from app.places.models import ServicePoint
from app.tokens import BadToken, signer
from scheduling.checkin.models import CheckinKey, ScanMethod, ScanResult

#: a live QR changes this often; the current and the previous window are accepted
LIVE_WINDOW_SECONDS = 30
#: a badge QR is valid this long after it was shown
BADGE_MAX_AGE = timedelta(days=1)
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_PATTERN = re.compile(r"^\s*(\d{1,9})\s*-?\s*([A-Za-z2-9]{6})\s*$")


def _secret() -> str:
    return current_app.config["SECRET_KEY"]


def key_version(session, point_id: int) -> int:
    """The current version of the point's tokens (1 until the first rotation)."""
    version = session.scalar(
        select(CheckinKey.version).where(CheckinKey.service_point_id == point_id)
    )
    return version or 1


def poster_token(session, point: ServicePoint) -> str:
    """The token printed on the point's poster: valid until the next rotation."""
    return signer("checkin-poster").dumps({"p": point.id, "v": key_version(session, point.id)})


def live_window(now: datetime) -> int:
    return int(now.timestamp()) // LIVE_WINDOW_SECONDS


def seconds_to_next_window(now: datetime) -> float:
    return LIVE_WINDOW_SECONDS - now.timestamp() % LIVE_WINDOW_SECONDS


def live_token(session, point: ServicePoint, now: datetime | None = None) -> str:
    """The token of the live QR for the current 30-second window."""
    window = live_window(now or utcnow())
    payload = {"p": point.id, "v": key_version(session, point.id), "w": window}
    return signer("checkin-live").dumps(payload)


def badge_token(user: User, now: datetime | None = None) -> str:
    """A volunteer's personal token, for a coordinator's scanner; valid one day.

    The time it was made is signed into it (not itsdangerous' timestamp), so its age is judged
    on the same clock as everything else in a check-in.
    """
    issued = int((now or utcnow()).timestamp())
    return signer("checkin-badge").dumps({"u": user.id, "t": issued})


def badge_code(user_id: int, now: datetime | None = None) -> str:
    """The short code printed under the badge QR, valid on the local day it is shown."""
    return f"{user_id}-{_code_letters(user_id, local_today(now))}"


def _code_letters(user_id, day) -> str:
    message = f"{signer('checkin-badge').salt}:{user_id}:{day.isoformat()}"
    digest = hmac.new(_secret().encode(), message.encode(), hashlib.sha256).digest()
    return "".join(CODE_ALPHABET[b % len(CODE_ALPHABET)] for b in digest[:6])


@dataclass(frozen=True)
class Reading:
    """What a token says: its kind, the point or the person it names, or why it is refused."""

    method: ScanMethod
    service_point_id: int | None = None
    user_id: int | None = None
    refusal: ScanResult | None = None


def token_from(text: str) -> str:
    """The token in a scanned text, which may be the whole check-in URL."""
    text = (text or "").strip()
    if "/check-in/" in text:
        text = text.rsplit("/check-in/", 1)[1].split("?", 1)[0].split("#", 1)[0]
    return text


def read_point_token(session, token: str, now: datetime | None = None) -> Reading:
    """Read a poster or live token: the service point it names, or the refusal."""
    now = now or utcnow()
    token = token_from(token)
    for purpose, method in (
        ("checkin-poster", ScanMethod.POSTER),
        ("checkin-live", ScanMethod.LIVE),
    ):
        try:
            payload = signer(purpose).loads(token)
        except BadToken:
            continue
        point_id, version = _int(payload, "p"), _int(payload, "v")
        window = _int(payload, "w") if method == ScanMethod.LIVE else 0
        if point_id is None or version is None or window is None:
            return Reading(method, refusal=ScanResult.INVALID_TOKEN)
        if session.get(ServicePoint, point_id) is None:
            return Reading(method, refusal=ScanResult.INVALID_TOKEN)
        if method == ScanMethod.LIVE:
            current = live_window(now)
            if window < current - 1:
                return Reading(method, point_id, refusal=ScanResult.EXPIRED_TOKEN)
            if window > current + 1:
                return Reading(method, point_id, refusal=ScanResult.INVALID_TOKEN)
        current_version = key_version(session, point_id)
        if version < current_version:
            return Reading(method, point_id, refusal=ScanResult.ROTATED_TOKEN)
        if version > current_version:
            return Reading(method, point_id, refusal=ScanResult.INVALID_TOKEN)
        return Reading(method, point_id)
    return Reading(ScanMethod.UNKNOWN, refusal=ScanResult.INVALID_TOKEN)


def read_badge(session, text: str, now: datetime | None = None) -> Reading:
    """Read a badge token or its short code: the volunteer it names, or the refusal."""
    now = now or utcnow()
    text = token_from(text)
    user_id = None
    match = CODE_PATTERN.match(text)
    if match:
        user_id, letters = int(match.group(1)), match.group(2).upper()
        today = local_date(now)
        if hmac.compare_digest(letters, _code_letters(user_id, today)):
            return _badge_holder(session, user_id)
        if hmac.compare_digest(letters, _code_letters(user_id, today - timedelta(days=1))):
            return Reading(ScanMethod.BADGE, refusal=ScanResult.EXPIRED_TOKEN)
        return Reading(ScanMethod.BADGE, refusal=ScanResult.INVALID_TOKEN)
    try:
        payload = signer("checkin-badge").loads(text)
    except BadToken:
        return Reading(ScanMethod.UNKNOWN, refusal=ScanResult.INVALID_TOKEN)
    user_id, issued = _int(payload, "u"), _int(payload, "t")
    if user_id is None or issued is None or issued > now.timestamp() + 60:
        return Reading(ScanMethod.BADGE, refusal=ScanResult.INVALID_TOKEN)
    if now.timestamp() - issued > BADGE_MAX_AGE.total_seconds():
        return Reading(ScanMethod.BADGE, refusal=ScanResult.EXPIRED_TOKEN)
    return _badge_holder(session, user_id)


def _badge_holder(session, user_id) -> Reading:
    user = session.get(User, user_id)
    if user is None or not user.is_active:
        return Reading(ScanMethod.BADGE, refusal=ScanResult.INVALID_TOKEN)
    return Reading(ScanMethod.BADGE, user_id=user_id)


def _int(payload, key):
    value = payload.get(key) if isinstance(payload, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None
