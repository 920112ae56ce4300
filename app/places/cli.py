"""`flask places import`."""

import click
from flask.cli import AppGroup

from app.extensions import db
from app.places import services

places_cli = AppGroup("places", help="Provinces, communes and service points.")


@places_cli.command("import")
def import_command():
    """Load the 34 provinces and 3,321 communes from the vietnam-provinces package."""
    counts = services.import_places(db.session)
    db.session.commit()
    click.echo(f"places: {counts['created']} created, {counts['updated']} updated")
