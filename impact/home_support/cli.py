"""`flask impact erase-addresses`: home support's retention by hand (the queue runs it hourly)."""

import click

from impact.home_support.jobs import erase_expired


@click.command("erase-addresses")
def erase_addresses():
    """Erase the address and need of every home-support request whose visit is long past."""
    erased = erase_expired()
    click.echo(f"{erased} home-support requests closed and their addresses erased")
