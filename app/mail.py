"""Outgoing mail: every message is kept in the outbox; SMTP delivers it when MAIL_SERVER is set."""

import smtplib
from datetime import datetime
from email.message import EmailMessage

from flask import current_app
from sqlalchemy import String, Text, select
from sqlalchemy.orm import Mapped, mapped_column

from app.database import UTCDateTime, utcnow
from app.extensions import db


class OutboxMessage(db.Model):
    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: set once SMTP accepted the message; stays empty where no MAIL_SERVER is configured
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)


def queue_mail(session, recipient, subject, body) -> OutboxMessage:
    """Put a message in the outbox; it is written with the rest of the transaction."""
    message = OutboxMessage(recipient=recipient, subject=subject, body=body)
    session.add(message)
    session.flush()
    current_app.logger.info("mail to %s: %s\n%s", recipient, subject, body)
    return message


def deliver_outbox(session, limit=100) -> int:
    """Send waiting messages over SMTP, after the commit that queued them; returns the count."""
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        return 0
    waiting = session.scalars(
        select(OutboxMessage).where(OutboxMessage.sent_at.is_(None)).limit(limit)
    ).all()
    sent = 0
    try:
        with smtplib.SMTP(config["MAIL_SERVER"], int(config["MAIL_PORT"]), timeout=10) as smtp:
            if config.get("MAIL_USE_TLS"):
                smtp.starttls()
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
            for message in waiting:
                smtp.send_message(_email(message, config["MAIL_DEFAULT_SENDER"]))
                message.sent_at = utcnow()
                sent += 1
    except (OSError, smtplib.SMTPException):
        current_app.logger.exception("SMTP delivery failed; messages stay in the outbox")
    session.commit()
    return sent


def _email(message, sender):
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email.set_content(message.body)
    return email
