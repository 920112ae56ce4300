"""`flask scheduling close-checkins`: close the check-ins left open after their shift ended."""

import click
from flask.cli import AppGroup

from app.database import begin_write
from app.extensions import db
from scheduling.checkin.services import close_finished

scheduling_cli = AppGroup("scheduling", help="Scheduling tasks run by cron.")


@scheduling_cli.command("close-checkins")
def close_checkins():
    """Close every check-in still open after its shift's end, at that end (run it hourly)."""
    begin_write(db.session())
    closed = close_finished(db.session)
    db.session.commit()
    click.echo(f"closed {closed} check-in(s)")
