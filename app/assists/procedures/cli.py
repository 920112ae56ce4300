"""`flask procedures import`."""

import click
from flask.cli import AppGroup

from app.assists.procedures import services
from app.database import begin_write
from app.extensions import db

procedures_cli = AppGroup("procedures", help="The catalogue of administrative procedures.")


@procedures_cli.command("import")
def import_command():
    """Add the seed file's procedures missing from the catalogue (app/assists/procedures.yaml)."""
    begin_write(db.session)
    counts = services.import_procedures(db.session)
    db.session.commit()
    click.echo(f"procedures: {counts['created']} created, {counts['unchanged']} already there")
