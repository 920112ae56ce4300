"""Signed tokens: one table of purposes, each with its salt and how long its tokens live.

Every token the site signs goes through ``signer(purpose)`` (itsdangerous, with the app's
SECRET_KEY); no other module makes a serializer (tests/app/test_security.py checks it). A salt
keeps one purpose's token from being accepted as another's.

Salts are the strings each purpose's tokens were first signed with, kept as they are: changing
one would kill every reset link, printed learner QR, certificate, poster and calendar URL already
handed out. A new purpose takes the salt ``"caunoi.<purpose>"``.

Expiry is stated per purpose. A *timed* purpose (``max_age`` in seconds) carries itsdangerous'
timestamp and ``loads`` refuses it once older than ``max_age`` (``ExpiredToken``); a deployment
may change that age through the purpose's configuration key. An *untimed* purpose carries no
timestamp; its ``lifetime`` says what ends it instead (a version in the payload that a reset or a
rotation bumps, or a time signed into the payload and judged by its reader).
"""

from dataclasses import dataclass
from typing import Any

from flask import current_app, has_app_context
from itsdangerous import BadSignature, SignatureExpired, URLSafeSerializer, URLSafeTimedSerializer

#: a token forged, damaged, signed with another key or for another purpose
BadToken = BadSignature
#: a timed token older than its purpose's max_age (a BadToken too)
ExpiredToken = SignatureExpired

HOUR = 3600
DAY = 24 * HOUR


@dataclass(frozen=True)
class Purpose:
    """What one kind of token is for: its salt and its expiry."""

    salt: str
    #: seconds a token lives after it is signed; None for a token without a timestamp
    max_age: int | None
    #: how long a token lives and what ends it, in words
    lifetime: str
    #: the configuration key that may set max_age for a deployment
    config_key: str | None = None


PURPOSES: dict[str, Purpose] = {
    "password-reset": Purpose(
        "caunoi.password-reset",
        max_age=HOUR,
        lifetime="one hour, and one use: it names a fragment of the password hash",
        config_key="PASSWORD_RESET_MAX_AGE",
    ),
    "learner-resume": Purpose(
        "caunoi.learner-resume",
        max_age=3 * 365 * DAY,
        lifetime="three years on a printed QR; a new personal code kills it sooner",
        config_key="LEARNER_QR_MAX_AGE",
    ),
    "assist-sync": Purpose(
        "caunoi.assist-sync",
        max_age=72 * HOUR,
        lifetime="72 hours: the log screen's offline queue, refreshed whenever the page loads",
    ),
    "account-invitation": Purpose(
        "caunoi.account-invitation",
        max_age=14 * DAY,
        lifetime="14 days, and one use: it names the session version a new password replaces",
    ),
    "import-upload": Purpose(
        "caunoi.import-upload",
        max_age=HOUR,
        lifetime="one hour: an uploaded spreadsheet waits that long for its confirmation",
    ),
    "checkin-sync": Purpose(
        "caunoi.checkin-sync",
        max_age=72 * HOUR,
        lifetime="72 hours: the check-in pages' offline queue, refreshed whenever a page loads",
    ),
    "quiz-sync": Purpose(
        "caunoi.quiz-sync",
        max_age=14 * DAY,
        lifetime="14 days: the quiz's offline answers, refreshed whenever a quiz page loads",
    ),
    "calendar-feed": Purpose(
        "calendar-feed",
        max_age=None,
        lifetime="until the person resets their feed URL (the feed version in the token)",
    ),
    "certificate": Purpose(
        "certificate",
        max_age=None,
        lifetime="for good: a certificate stays valid, and its signed number is random",
    ),
    "service-certificate": Purpose(
        "caunoi.service-certificate",
        max_age=None,
        lifetime="for good: it names a volunteer and a campaign; the page reads the hours served",
    ),
    "checkin-poster": Purpose(
        "checkin-poster",
        max_age=None,
        lifetime="until the service point's key is rotated (the key version in the token)",
    ),
    "checkin-live": Purpose(
        "checkin-live",
        max_age=None,
        lifetime="30 to 60 seconds: its 30-second window is signed into it and judged on reading",
    ),
    "checkin-badge": Purpose(
        "checkin-badge",
        max_age=None,
        lifetime="one day: the time it was shown is signed into it and judged on reading",
    ),
}


class Signer:
    """Signs and reads the tokens of one purpose."""

    def __init__(self, purpose: str, secret_key: str):
        self.purpose = purpose
        self.rule = PURPOSES[purpose]
        if self.rule.max_age is None:
            self._serializer = URLSafeSerializer(secret_key, salt=self.rule.salt)
        else:
            self._serializer = URLSafeTimedSerializer(secret_key, salt=self.rule.salt)

    @property
    def salt(self) -> str:
        return self.rule.salt

    @property
    def max_age(self) -> int | None:
        """The purpose's max_age, as the deployment's configuration may set it."""
        if self.rule.config_key and has_app_context():
            return current_app.config.get(self.rule.config_key, self.rule.max_age)
        return self.rule.max_age

    def dumps(self, payload: Any) -> str:
        return self._serializer.dumps(payload)

    def loads(self, token: str, max_age: int | None = None) -> Any:
        """The payload; BadToken when it is not ours, ExpiredToken when a timed one is too old
        (older than `max_age` if given, else than the purpose's)."""
        if self.rule.max_age is None:
            if max_age is not None:
                raise TypeError(f"{self.purpose} tokens carry no timestamp to expire on")
            return self._serializer.loads(token)
        return self._serializer.loads(token, max_age=self.max_age if max_age is None else max_age)


def signer(purpose: str, secret_key: str | None = None) -> Signer:
    """The signer of a purpose named in PURPOSES, with the app's SECRET_KEY by default."""
    return Signer(purpose, secret_key or current_app.config["SECRET_KEY"])
