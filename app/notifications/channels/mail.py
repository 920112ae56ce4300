"""Mail over SMTP (MAIL_SERVER, MAIL_PORT, MAIL_USE_TLS, MAIL_USERNAME, MAIL_PASSWORD).

Without MAIL_SERVER (development, a demo) each message is written to the log instead, as the
outbox did, and counts as sent: the worker's console shows what would have gone out.
"""

import logging
import smtplib
from collections.abc import Mapping
from datetime import datetime
from email.message import EmailMessage
from email.utils import formatdate
from typing import Any

from flask import current_app
from sqlalchemy.orm import Session

from app.notifications import preferences
from app.notifications.channels import (
    Message,
    PermanentDeliveryError,
    Route,
    TransientDeliveryError,
)

log = logging.getLogger(__name__)

#: seconds to wait for the SMTP server before counting the attempt as failed (and retrying)
SMTP_TIMEOUT = 30


class MailChannel:
    """Reaches everyone with an email, in their language."""

    name = "mail"

    def route(
        self,
        session: Session,
        user: Any,
        kind: str,
        now: datetime,
        params: dict[str, Any] | None = None,
    ) -> Route | None:
        """The person's email, when they have one and want this kind of notice by mail (mail
        keeps no quiet hours: it waits in the inbox)."""
        if not user.email or not preferences.wants(session, user, kind, self.name):
            return None
        return Route(address=user.email)

    def send(self, route_address: str, message: Message) -> None:
        """Hand the mail to the SMTP server; return once it accepted it for the recipient.

        The settings are the running app's (the worker's), read at each send."""
        config = current_app.config
        email = EmailMessage()
        email["From"] = config["MAIL_DEFAULT_SENDER"]
        email["To"] = route_address
        email["Subject"] = message.subject
        email["Date"] = formatdate(usegmt=True)
        for name, value in message.headers.items():
            email[name] = value
        email.set_content(message.body)
        if not config.get("MAIL_SERVER"):
            log.info(
                "mail to %s (no MAIL_SERVER): %s\n\n%s",
                route_address,
                message.subject,
                message.body,
            )
            return
        try:
            with smtplib.SMTP(
                config["MAIL_SERVER"], int(config["MAIL_PORT"]), timeout=SMTP_TIMEOUT
            ) as smtp:
                if config.get("MAIL_USE_TLS"):
                    smtp.starttls()
                if config.get("MAIL_USERNAME"):
                    smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
                smtp.send_message(email)
        except smtplib.SMTPRecipientsRefused as error:
            code, reply = min(error.recipients.values(), default=(450, b""))
            raise _by_code(code, reply) from error
        except smtplib.SMTPAuthenticationError as error:
            # the site's own login is wrong: every mail fails until it is fixed, then all go
            raise TransientDeliveryError(str(error)) from error
        except smtplib.SMTPResponseException as error:
            raise _by_code(error.smtp_code, error.smtp_error) from error
        except (OSError, smtplib.SMTPException) as error:
            # refused connection, timeout, a server that hung up: try again later
            raise TransientDeliveryError(str(error) or type(error).__name__) from error


def _by_code(code: int, reply: bytes | str) -> Exception:
    """SMTP's 4xx means try again later; 5xx means this will never be accepted."""
    text = reply.decode(errors="replace") if isinstance(reply, bytes) else reply
    if 400 <= code < 500:
        return TransientDeliveryError(f"{code} {text}")
    return PermanentDeliveryError(f"{code} {text}")


def channel(config: Mapping[str, Any]) -> MailChannel:
    """Mail is always on: over SMTP when MAIL_SERVER is set, to the log otherwise."""
    return MailChannel()
