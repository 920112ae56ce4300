"""`flask impact erase-addresses`: home support's retention, for cron or a manual run."""

import click

from app.database import begin_write, utcnow
from app.extensions import db
from impact.home_support.services import erase_expired_addresses


@click.command("erase-addresses")
def erase_addresses():
    """Erase the address and need of every home-support request whose visit is long past."""
    begin_write(db.session)
    erased = erase_expired_addresses(db.session, utcnow())
    db.session.commit()
    click.echo(f"{erased} home-support requests closed and their addresses erased")
