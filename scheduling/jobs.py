"""Scheduling's periodic jobs: what the queue's scheduler runs, and `flask scheduling …` too.

Each job writes in short transactions of its own, committed here, so the scheduler and a manual run
share every line.
"""

from flask import Flask

from app import tasks
from app.database import begin_write
from app.extensions import db

#: reminders written per transaction: a campaign morning's thousands never hold the write lock
#: for long, and the workers start sending after the first batch
REMINDER_BATCH = 200


def send_reminders() -> int:
    """Remind volunteers of their shifts 24 and 2 hours before; returns how many went out."""
    from scheduling.reminders.services import send_reminders as remind

    total = 0
    while True:
        begin_write(db.session)
        sent = remind(db.session, limit=REMINDER_BATCH)
        db.session.commit()
        total += sent
        if sent < REMINDER_BATCH:
            return total


def close_checkins() -> int:
    """Close every check-in still open after its shift's end; returns how many."""
    from scheduling.checkin.services import close_finished

    begin_write(db.session)
    closed = close_finished(db.session)
    db.session.commit()
    return closed


def init_app(app: Flask) -> None:
    """Every five minutes: reminders (a 2-hour one goes out at most five minutes late) and
    closing finished check-ins."""
    every_five_minutes = tasks.crontab(minute="*/5")
    tasks.periodic(app, "scheduling.send_reminders", every_five_minutes, send_reminders)
    tasks.periodic(app, "scheduling.close_checkins", every_five_minutes, close_checkins)
