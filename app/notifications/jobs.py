"""What the workers run for the delivery log: send one delivery, and retry what was lost.

Each step is its own short transaction, and none is open while a channel talks to its service:
claim the delivery (one UPDATE), word it, send, then record the outcome. A worker killed between
the send and the record leaves its claim to expire, so at most that one message is sent again.
"""

import logging
from datetime import timedelta

from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from app import tasks
from app.database import begin_write, utcnow
from app.extensions import db
from app.notifications import services
from app.notifications.channels import (
    CHANNELS,
    AddressGone,
    DeliveryError,
    PermanentDeliveryError,
    TransientDeliveryError,
)
from app.notifications.models import Delivery

log = logging.getLogger(__name__)

#: a queued delivery due this long ago and not taken is presumed to have lost its task
LOST_AFTER_SECONDS = 60
#: deliveries the retry job hands the queue in one run
RETRY_BATCH = 1000


def init_app(app: Flask) -> None:
    """The mail channel, the send task and the retry job (every minute)."""
    from app.notifications.channels import mail

    CHANNELS["mail"] = mail.channel(app.config)
    tasks.task(app, "send_delivery", send_delivery)
    tasks.periodic(app, "retry_deliveries", tasks.crontab(), retry_deliveries)


@event.listens_for(Session, "after_commit")
def _enqueue_after_commit(session: Session) -> None:
    """Hand the queue the deliveries this transaction wrote, now that they are committed.

    A queue that cannot be reached loses nothing: the rows stay queued and the retry job hands
    them over later."""
    if session.in_nested_transaction():
        return  # a savepoint: the outer transaction may still roll back
    waiting = session.info.pop(services.ENQUEUE_AFTER_COMMIT, None)
    if not waiting:
        return
    now = utcnow()
    for delivery_id, due in waiting:
        try:
            tasks.enqueue("send_delivery", delivery_id, delay=(due - now).total_seconds())
        except Exception:
            log.exception("could not enqueue delivery %s; the retry job will", delivery_id)


@event.listens_for(Session, "after_transaction_end")
def _forget_rolled_back(session: Session, transaction) -> None:
    """The outer transaction ended without the commit above: its deliveries are gone."""
    if transaction.parent is None:
        session.info.pop(services.ENQUEUE_AFTER_COMMIT, None)


def send_delivery(delivery_id: int) -> str | None:
    """Claim, word, send and record one delivery; returns its new state (None: not claimed)."""
    session = db.session
    config = current_app.config
    begin_write(session)
    claimed = services.claim(session, delivery_id, utcnow())
    session.commit()
    if not claimed:
        return None

    delivery = session.get_one(Delivery, delivery_id)
    # read now: after the rollback below, touching the row would open a reader transaction
    # that the final write could not upgrade (SQLite's BUSY_SNAPSHOT under concurrent writers)
    channel_name, address = delivery.channel, delivery.address
    channel = CHANNELS.get(channel_name)
    subject, body = delivery.subject, delivery.body
    error: DeliveryError | None = None
    if channel is None:
        error = PermanentDeliveryError(f"no {channel_name} channel is configured")
    else:
        try:
            message = services.message_for(session, delivery)
            subject, body = delivery.subject, delivery.body
        except Exception as failure:
            # a notice that cannot be worded will not be later either: fail it, never loop
            log.exception("could not word delivery %s", delivery_id)
            error = PermanentDeliveryError(f"could not word the notice: {failure!r}")
        finally:
            session.rollback()  # end the read before talking to the service
        if error is None:
            try:
                channel.send(address, message)
            except DeliveryError as failure:
                error = failure
                if isinstance(failure, AddressGone) and hasattr(channel, "forget"):
                    begin_write(session)
                    channel.forget(session, address)
                    session.commit()
            except Exception as failure:
                # a channel's own bug: retried like an outage, so it still gives up in time
                log.exception("channel %s failed on delivery %s", channel_name, delivery_id)
                error = TransientDeliveryError(repr(failure))

    begin_write(session)
    delivery = session.get_one(Delivery, delivery_id, populate_existing=True)
    now = utcnow()
    wait = None
    delivery.subject, delivery.body = subject, body
    if error is None:
        services.record_sent(delivery, now)
    else:
        wait = services.record_failure(
            delivery,
            f"{type(error).__name__}: {error}",
            error.transient,
            now,
            config["DELIVERY_RETRY_DELAY"],
            config["DELIVERY_GIVE_UP_AFTER"],
        )
        if wait is None:
            session.flush()
            if delivery.notification_id is not None:
                services.tell_undelivered(session, delivery.notification_id)
            log.error(
                "delivery %s (%s) %s after %d attempt(s): %s",
                delivery.id,
                delivery.channel,
                delivery.state,
                delivery.attempts,
                delivery.last_error,
            )
    state = delivery.state
    session.commit()
    if wait is not None:
        tasks.enqueue("send_delivery", delivery_id, delay=wait.total_seconds())
    return state


def retry_deliveries() -> int:
    """Hand the queue every delivery due and not taken for a while; returns how many."""
    lost = services.due_deliveries(
        db.session, utcnow(), timedelta(seconds=LOST_AFTER_SECONDS), RETRY_BATCH
    )
    db.session.rollback()
    for delivery_id in lost:
        tasks.enqueue("send_delivery", delivery_id)
    return len(lost)
