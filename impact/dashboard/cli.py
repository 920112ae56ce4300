"""`flask impact rebuild`: recompute the dashboard's daily roll-up from the log. The group also
holds home support's `erase-addresses` (impact/home_support/cli.py)."""

import click
from flask.cli import AppGroup

from app.database import begin_write
from app.extensions import db
from impact.dashboard.services import rebuild_counts

impact_cli = AppGroup("impact", help="The impact dashboard's figures; home support's retention.")


@impact_cli.command("rebuild")
def rebuild():
    """Recount every roll-up (commune-days, province-days, service points', residents') from the
    assisted-submission log (after a restore or an import)."""
    begin_write(db.session)
    days = rebuild_counts(db.session)
    db.session.commit()
    click.echo(f"{days} commune-days counted")
