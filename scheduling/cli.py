"""`flask scheduling …`: manual runs of the jobs the queue's scheduler runs (scheduling/jobs.py)."""

import click
from flask.cli import AppGroup

from scheduling import jobs

scheduling_cli = AppGroup("scheduling", help="Scheduling jobs, run by `flask worker` or by hand.")


@scheduling_cli.command("send-reminders")
def send_reminders_command():
    """Remind volunteers of their shifts 24 and 2 hours before; safe to run at any time."""
    sent = jobs.send_reminders()
    click.echo(f"{sent} reminder(s) sent.")


@scheduling_cli.command("close-checkins")
def close_checkins():
    """Close every check-in still open after its shift's end, at that end."""
    closed = jobs.close_checkins()
    click.echo(f"closed {closed} check-in(s)")
