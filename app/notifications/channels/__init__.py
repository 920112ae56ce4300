"""Delivery channels: how a notice leaves the site (mail, Web Push, SMS).

The queue (the delivery log and its tasks) knows channels only through this interface: each
channel is registered once at start-up under its name, says where a person can be reached for a
kind of notice (`route`), and hands one worded message to its service (`send`), raising a
`DeliveryError` that tells the queue whether to retry.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.orm import Session


class DeliveryError(Exception):
    """A channel could not hand the message over; `transient` ones are retried with back-off."""

    transient = True


class TransientDeliveryError(DeliveryError):
    """Worth trying again later: connection refused, a timeout, SMTP 4xx, a gateway's 429/5xx."""

    transient = True


class PermanentDeliveryError(DeliveryError):
    """Trying again will not help: a refused address, a gateway's 4xx other than 429."""

    transient = False


class AddressGone(PermanentDeliveryError):
    """The address no longer exists (a push subscription answered 404 or 410): forget it."""


@dataclass(frozen=True)
class Message:
    """One notice worded for one person, in their language, ready for any channel."""

    subject: str  #: a mail's subject, a push notification's title
    body: str  #: the whole text, link included (a mail's body)
    short: str  #: one or two sentences without the link (SMS, push)
    url: str  #: the absolute link to the page the notice is about (from SITE_URL)
    headers: dict[str, str] = field(default_factory=dict)  #: extra mail headers


@dataclass(frozen=True)
class Route:
    """Where and from when one person is reached on one channel."""

    address: str  #: an email, a phone number, a push subscription (JSON)
    not_before: datetime | None = None  #: quiet hours: wait until then (UTC)


class Channel(Protocol):
    """A way out of the site, configured from the app's settings."""

    name: str  #: "mail", "push", "sms": stored on each delivery

    def route(
        self,
        session: Session,
        user: Any,
        kind: str,
        now: datetime,
        params: dict[str, Any] | None = None,
    ) -> Route | None:
        """Where this person wants notices of this kind on this channel; None: not here.

        `params` are the notice's (a `shift_id` lets quiet hours yield to a shift starting
        before morning)."""

    def send(self, route_address: str, message: Message) -> None:
        """Hand the message over; return only once the service accepted it.

        Called outside any open write transaction: a channel may record in its own short one
        (a push subscription's last success, an SMS's short link)."""


#: the channels this app delivers on, by name, registered at start-up from the configuration
CHANNELS: dict[str, Channel] = {}

#: builds a channel from the app's configuration, or None when it is not configured
ChannelFactory = Callable[[dict[str, Any]], Channel | None]
