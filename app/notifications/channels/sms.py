"""SMS through a provider's gateway: reminders and shift changes only, one message each.

`SmsGateway` is the adapter every provider shares: who is reached (a phone, the person's
choices, quiet hours) and what one SMS says (the notice's short text and a short link, fitted to
one message). A provider's class only says how to hand the text over (`deliver`):
`HttpSmsGateway` posts JSON to a URL; a Vietnamese brand-name SMS or Zalo ZNS provider is one more
class in `PROVIDERS`, chosen by `SMS_PROVIDER`. Off unless `SMS_GATEWAY_URL` and `SMS_SENDER`
are set.
"""

import re
import secrets
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import requests
from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.auth.models import User
from app.config import ConfigError
from app.database import write_apart
from app.notifications import preferences
from app.notifications.channels import (
    Message,
    PermanentDeliveryError,
    Route,
    TransientDeliveryError,
)
from app.notifications.channels.models import ShortLink
from app.urls import absolute_url

#: seconds to wait for the gateway before trying again later
TIMEOUT = 10
#: one SMS: 160 characters of the GSM 03.38 alphabet, or 70 UTF-16 units (UCS-2) as soon as one
#: character is outside it, which Vietnamese always is (ư, ơ, đ, ầ...)
GSM7_LIMIT = 160
UCS2_LIMIT = 70
#: a longer text goes as parts joined by the phone, each part losing room to the joining header
GSM7_PART = 153
UCS2_PART = 67
GSM7_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
#: characters that take two places in GSM-7 (an escape, then the character)
GSM7_EXTENDED = "^{}\\[~]|€\f"
#: typographic characters with a GSM-7 look-alike: an English text keeps its 160 characters
#: instead of dropping to 70 for one dash (Babel writes time ranges with "–")
GSM7_LOOKALIKES = str.maketrans(
    {"–": "-", "—": "-", "‘": "'", "’": "'", "“": '"', "”": '"', "…": "...", "\u00a0": " "}
)
#: a short link's random code: 48 bits, 8 characters
CODE_BYTES = 6


def is_gsm7(text: str) -> bool:
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENDED for ch in text)


def sms_length(text: str) -> tuple[int, int]:
    """(length, limit of one SMS) for the encoding the text needs."""
    if is_gsm7(text):
        return len(text) + sum(ch in GSM7_EXTENDED for ch in text), GSM7_LIMIT
    return len(text.encode("utf-16-le")) // 2, UCS2_LIMIT


def fits(text: str) -> bool:
    """Whether the text goes in one SMS."""
    length, limit = sms_length(text)
    return length <= limit


def parts(text: str) -> int:
    """How many SMS the whole text takes: one up to the limit, else parts of 153 (GSM-7) or
    67 (UCS-2). `one_sms` never sends more than one; a coordinator's preview says what is cut."""
    length, limit = sms_length(text)
    if length <= limit:
        return 1
    part = GSM7_PART if limit == GSM7_LIMIT else UCS2_PART
    return -(-length // part)


def plain(text: str) -> str:
    """The text as an SMS carries it: on one line, and with typographic marks as their GSM-7
    look-alikes when that keeps the whole text in the wider alphabet."""
    text = " ".join(text.split())
    translated = text.translate(GSM7_LOOKALIKES)
    return translated if is_gsm7(translated) else text


def one_sms(text: str, link: str) -> str:
    """The text and the link in one SMS: the link whole, the text cut at a word when needed."""
    text = plain(text)
    if fits(f"{text} {link}"):
        return f"{text} {link}"
    # "…" is not GSM-7: a text that fits the wider alphabet keeps it with "..."
    ellipsis = "..." if is_gsm7(text) else "…"
    words = text.split(" ")
    while words:
        words.pop()
        candidate = f"{' '.join(words).rstrip(',.:;')}{ellipsis} {link}"
        if words and fits(candidate):
            return candidate
    return link


def normalise_phone(phone: str) -> str | None:
    """A phone as typed on a profile ("0912 345 678") in international form ("+84912345678"),
    or None when it cannot be one."""
    digits = re.sub(r"\D", "", phone or "")
    if len(digits) < 8:
        return None
    if (phone or "").strip().startswith("+"):
        return "+" + digits
    if digits.startswith("0"):
        return "+84" + digits[1:]
    if digits.startswith("84") and len(digits) >= 11:
        return "+" + digits
    return None


def short_link(session: Session, url: str) -> str:
    """The short absolute link (/n/<code>) to a page of the site, made once per page."""
    site = urlsplit(current_app.config["SITE_URL"])
    parts = urlsplit(url)
    if (parts.scheme, parts.netloc) != (site.scheme, site.netloc):
        return url  # not a page of this site: nothing to shorten it to
    # "//host" would be read as another site by the browser following the redirect
    path = "/" + parts.path.lstrip("/") + (f"?{parts.query}" if parts.query else "")
    link = session.scalar(select(ShortLink).where(ShortLink.path == path))
    if link is None:
        link = ShortLink(code=secrets.token_urlsafe(CODE_BYTES), path=path)
        try:
            with session.begin_nested():
                session.add(link)
        except IntegrityError:  # another worker made it a moment ago
            link = session.scalars(select(ShortLink).where(ShortLink.path == path)).one()
    return absolute_url("channels.short_link", code=link.code)


def link_like() -> str:
    """A short link as long as the ones `short_link` hands out, to measure a text before it is
    sent (a preview) without making one."""
    return absolute_url("channels.short_link", code="x" * len(secrets.token_urlsafe(CODE_BYTES)))


def path_of(session: Session, code: str) -> str | None:
    """Where a short link leads, or None for a code that was never handed out."""
    return session.scalar(select(ShortLink.path).where(ShortLink.code == code))


class SmsGateway:
    """The adapter every SMS provider shares; a provider's class implements `deliver`."""

    name = "sms"

    def __init__(self, config: Mapping[str, Any]) -> None:
        self.sender = config["SMS_SENDER"]

    def route(
        self,
        session: Session,
        user: Any,
        kind: str,
        now: datetime,
        params: Mapping[str, Any] | None = None,
    ) -> Route | None:
        """The person's phone, for reminders and shift changes they did not turn off; quiet
        hours hold it until the morning unless the shift starts before."""
        phone = normalise_phone(user.phone)
        if phone is None or not preferences.wants(session, user, kind, self.name):
            return None
        return Route(phone, preferences.not_before(session, user, self.name, now, params))

    def send(self, route_address: str, message: Message) -> None:
        """Fit the notice in one SMS with a short link and hand it to the provider."""
        link = write_apart(lambda session: short_link(session, message.url))
        self.deliver(route_address, one_sms(message.short, link))

    def deliver(self, phone: str, text: str) -> None:
        """Hand one SMS to the provider; raise a DeliveryError when it did not take it."""
        raise NotImplementedError


class HttpSmsGateway(SmsGateway):
    """A gateway taking JSON over HTTPS: `{"to", "from", "text"}` posted to `SMS_GATEWAY_URL`,
    with `SMS_API_KEY` as a bearer token or `SMS_USERNAME`/`SMS_PASSWORD` as basic auth."""

    def __init__(self, config: Mapping[str, Any]) -> None:
        super().__init__(config)
        self.url = config["SMS_GATEWAY_URL"]
        self.headers = {}
        if config.get("SMS_API_KEY"):
            self.headers["Authorization"] = f"Bearer {config['SMS_API_KEY']}"
        self.auth = None
        if config.get("SMS_USERNAME"):
            self.auth = (config["SMS_USERNAME"], config.get("SMS_PASSWORD") or "")

    def deliver(self, phone: str, text: str) -> None:
        """2xx: accepted. 429 and 5xx, or no answer: try again later. Any other 4xx: the gateway
        refuses this message (a bad number, a sender name not registered), and will again."""
        try:
            response = requests.post(
                self.url,
                json={"to": phone, "from": self.sender, "text": text},
                headers=self.headers,
                auth=self.auth,
                timeout=TIMEOUT,
            )
        except requests.RequestException as error:
            raise TransientDeliveryError(f"{type(error).__name__}: {error}") from error
        if response.status_code < 300:
            return
        problem = f"{response.status_code} {response.text[:200]}"
        if response.status_code == 429 or response.status_code >= 500:
            raise TransientDeliveryError(problem)
        raise PermanentDeliveryError(problem)


#: the SMS providers by `SMS_PROVIDER`
PROVIDERS: dict[str, type[SmsGateway]] = {"http": HttpSmsGateway}


def from_config(config: Mapping[str, Any]) -> SmsGateway | None:
    """The configured provider's gateway, or None: SMS is off unless configured."""
    if not (config.get("SMS_GATEWAY_URL") and config.get("SMS_SENDER")):
        return None
    provider = PROVIDERS.get(config.get("SMS_PROVIDER") or "http")
    if provider is None:
        raise ConfigError(f"SMS_PROVIDER must be one of {', '.join(PROVIDERS)}")
    return provider(config)


def reachable_by_sms(user: User) -> bool:
    """Whether the person has a phone an SMS can go to."""
    return normalise_phone(user.phone) is not None
