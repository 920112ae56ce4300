"""Web Push: a notice shown by the phone itself, from a browser that agreed to it (RFC 8030/8291).

A volunteer turns it on from their profile; the browser hands the site a subscription (the push
service's endpoint and the browser's keys), kept as a `PushSubscription`. The site signs each
push with its VAPID key (RFC 8292) and encrypts the payload for the browser (aes128gcm), so the
push service carries it without reading it. On by configuration only: `VAPID_PRIVATE_KEY`,
`VAPID_PUBLIC_KEY` and `VAPID_SUBJECT` (a `mailto:` or `https:` address the push services may
write to); `flask push keys` prints a new pair.
"""

import base64
import binascii
import ipaddress
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import click
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from flask.cli import AppGroup
from py_vapid import Vapid
from pywebpush import WebPushException, webpush
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from app.auth.models import User
from app.database import utcnow, write_apart
from app.errors import DomainError
from app.i18n import lazy_gettext as _l
from app.notifications import preferences
from app.notifications.channels import (
    AddressGone,
    Message,
    PermanentDeliveryError,
    Route,
    TransientDeliveryError,
)
from app.notifications.channels.models import PushSubscription

#: seconds to wait for a push service before trying again later
TIMEOUT = 10
#: browsers kept per person: a new one beyond it replaces the one subscribed longest ago
MAX_BROWSERS = 10
#: how long a push service keeps a notice for a phone that is off (seconds): a day, then a
#: reminder is stale
TTL = 24 * 3600


class PushError(DomainError, ValueError):
    """A subscription the browser sent that cannot be used."""

    status = 400
    sentences = {
        "subscription_invalid": _l(
            "This browser sent a subscription the site cannot use. Try again, or use another "
            "browser."
        ),
    }


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def new_keys() -> tuple[str, str]:
    """A new VAPID key pair (P-256): the private key as 32 raw bytes and the public key as the
    uncompressed point a browser takes as `applicationServerKey`, both base64url."""
    key = ec.generate_private_key(ec.SECP256R1())
    private = key.private_numbers().private_value.to_bytes(32, "big")
    public = key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return b64url(private), b64url(public)


def _key_length(text: str) -> int:
    try:
        return len(b64url_decode(text))
    except (binascii.Error, ValueError):
        return -1


def subscribe(
    session: Session, user: User, endpoint: str, p256dh: str, auth: str
) -> PushSubscription:
    """Keep a browser's subscription for the person; the same browser again replaces its keys.

    The endpoint is where the worker will POST: only an https URL to a named or public host, and
    a bounded number per person, so a crafted subscription cannot turn the worker against a
    machine inside the network or into a flood. A browser that another account subscribed before
    (a shared phone) now belongs to this person.
    """
    parts = urlsplit(endpoint or "")
    if (
        parts.scheme != "https"
        or not _public_host(parts.hostname)
        or len(endpoint) > 2000
        or _key_length(p256dh or "") != 65
        or _key_length(auth or "") != 16
    ):
        raise PushError("subscription_invalid")
    subscription = session.scalar(
        select(PushSubscription).where(PushSubscription.endpoint == endpoint)
    )
    if subscription is None:
        subscription = PushSubscription(endpoint=endpoint, user_id=user.id)
        session.add(subscription)
    subscription.user_id = user.id
    subscription.p256dh = p256dh
    subscription.auth = auth
    session.flush()
    for old in subscriptions_of(session, user)[:-MAX_BROWSERS]:
        session.delete(old)
    session.flush()
    return subscription


def _public_host(host: str | None) -> bool:
    """A host name, or an address on the internet (not loopback, private or link-local)."""
    if not host or host == "localhost" or host.endswith(".localhost"):
        return False
    try:
        return ipaddress.ip_address(host).is_global
    except ValueError:
        return (
            True  # a name: the push services' own (fcm.googleapis.com, push.services.mozilla.com)
        )


def unsubscribe(session: Session, user: User, endpoint: str) -> bool:
    """Forget one of the person's browsers; False when it was not theirs (or already gone)."""
    result = session.execute(
        delete(PushSubscription).where(
            PushSubscription.user_id == user.id, PushSubscription.endpoint == endpoint
        )
    )
    session.flush()
    return bool(getattr(result, "rowcount", 0))


def subscriptions_of(session: Session, user: User) -> list[PushSubscription]:
    return list(
        session.scalars(
            select(PushSubscription)
            .where(PushSubscription.user_id == user.id)
            .order_by(PushSubscription.id)
        )
    )


class PushChannel:
    """Web Push through the browsers' own push services, signed with the site's VAPID key."""

    name = "push"

    def __init__(self, private_key: str, public_key: str, subject: str) -> None:
        self.vapid = Vapid.from_string(private_key)
        self.public_key = public_key
        self.subject = subject

    def route(
        self,
        session: Session,
        user: Any,
        kind: str,
        now: datetime,
        params: Mapping[str, Any] | None = None,
    ) -> Route | None:
        """Every browser the person turned push on in, as one address (a JSON list), unless
        they do not want this kind by push; quiet hours hold it until the morning."""
        if not preferences.wants(session, user, kind, self.name):
            return None
        subscriptions = subscriptions_of(session, user)
        if not subscriptions:
            return None
        address = json.dumps(
            [
                {"endpoint": s.endpoint, "keys": {"p256dh": s.p256dh, "auth": s.auth}}
                for s in subscriptions
            ]
        )
        return Route(address, preferences.not_before(session, user, self.name, now, params))

    def send(self, route_address: str, message: Message) -> None:
        """Push to each of the person's browsers; accepted when at least one push service took
        it. A browser whose subscription ended (404/410) is forgotten, and when every one has
        ended the address is gone. A service that is busy or down (429, 5xx, no answer) is tried
        again; any other refusal (a bad signature, a payload too large) would be refused again.
        """
        payload = json.dumps(
            {"title": message.subject, "body": message.short, "url": message.url},
            ensure_ascii=False,
        )
        accepted, gone, transient, permanent = [], [], [], []
        for subscription in json.loads(route_address):
            try:
                webpush(
                    subscription,
                    data=payload,
                    vapid_private_key=self.vapid,
                    vapid_claims={"sub": self.subject},
                    timeout=TIMEOUT,
                    ttl=TTL,
                )
            except WebPushException as error:
                status = error.response.status_code if error.response is not None else None
                if status in (404, 410):
                    gone.append(subscription["endpoint"])
                elif status is None or status == 429 or status >= 500:
                    transient.append(f"{status or ''} {error}".strip())
                else:
                    permanent.append(str(error))
            except requests.RequestException as error:
                transient.append(f"{type(error).__name__}: {error}")
            else:
                accepted.append(subscription["endpoint"])
        if accepted:
            # a fact about the browsers, in its own short transaction: the queue's does not wait
            write_apart(lambda session: _record(session, accepted, gone))
            return
        if transient:
            raise TransientDeliveryError("; ".join(transient)[:500])
        if permanent:
            raise PermanentDeliveryError("; ".join(permanent)[:500])
        raise AddressGone("every push subscription of this person has ended")

    def forget(self, session: Session, route_address: str) -> None:
        """Delete the subscriptions of an address that is gone; flush only."""
        endpoints = [s["endpoint"] for s in json.loads(route_address)]
        session.execute(delete(PushSubscription).where(PushSubscription.endpoint.in_(endpoints)))
        session.flush()


def _record(session: Session, accepted: list[str], gone: list[str]) -> None:
    session.execute(
        update(PushSubscription)
        .where(PushSubscription.endpoint.in_(accepted))
        .values(last_success_at=utcnow())
    )
    if gone:
        session.execute(delete(PushSubscription).where(PushSubscription.endpoint.in_(gone)))


def from_config(config: Mapping[str, Any]) -> PushChannel | None:
    """Web Push when the three VAPID settings are there; otherwise off."""
    private_key = config.get("VAPID_PRIVATE_KEY")
    public_key = config.get("VAPID_PUBLIC_KEY")
    subject = config.get("VAPID_SUBJECT")
    if not (private_key and public_key and subject):
        return None
    return PushChannel(private_key, public_key, subject)


push_cli = AppGroup("push", help="Web Push: the site's VAPID keys.")


@push_cli.command("keys")
def keys_command():
    """Print a new VAPID key pair to put in the environment (keep the private one secret)."""
    private, public = new_keys()
    click.echo(f"VAPID_PRIVATE_KEY={private}")
    click.echo(f"VAPID_PUBLIC_KEY={public}")
