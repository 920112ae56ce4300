"""Home support's periodic job: the retention that erases addresses nobody closed, once a day.

`flask impact erase-addresses` runs the same function by hand."""

from flask import Flask

from app import tasks
from app.database import begin_write, checkpoint, utcnow
from app.extensions import db


def erase_expired() -> int:
    """Close (and so erase) every request whose last visit or planned day is past retention."""
    from impact.home_support.services import erase_expired_addresses

    begin_write(db.session)
    erased = erase_expired_addresses(db.session, utcnow())
    db.session.commit()
    if not erased and db.engine.dialect.name == "sqlite":
        # nothing erased this hour: still empty the log of an erasure whose checkpoint met a reader
        checkpoint(db.engine)
    return erased


def init_app(app: Flask) -> None:
    """Every hour at ten past: an address leaves within the hour its retention ends; the job is
    idempotent and finds nothing to do most hours."""
    hourly = tasks.crontab(minute="10")
    tasks.periodic(app, "impact.erase_home_addresses", hourly, erase_expired)
