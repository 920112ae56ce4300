"""`flask scheduling …`: commands cron runs for the scheduling part."""

import click
from flask.cli import AppGroup

from app.database import begin_write
from app.extensions import db

scheduling_cli = AppGroup("scheduling", help="Scheduling tasks (run from cron).")


@scheduling_cli.command("send-reminders")
def send_reminders_command():
    """Remind volunteers of their shifts in the next 24 hours; safe to run every hour."""
    from scheduling.reminders.services import send_reminders

    begin_write(db.session)
    sent = send_reminders(db.session)
    db.session.commit()
    click.echo(f"{sent} reminder(s) sent.")


@scheduling_cli.command("close-checkins")
def close_checkins():
    """Close every check-in still open after its shift's end, at that end (run it hourly)."""
    from scheduling.checkin.services import close_finished

    begin_write(db.session)
    closed = close_finished(db.session)
    db.session.commit()
    click.echo(f"closed {closed} check-in(s)")
