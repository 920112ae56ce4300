"""`flask procedures import`."""

import click
from flask.cli import AppGroup

from app.database import begin_write
from app.extensions import db
from impact.procedures import services

procedures_cli = AppGroup("procedures", help="The catalogue of administrative procedures.")


@procedures_cli.command("import")
def import_command():
    """Add the seed file's procedures (impact/procedures/procedures.yaml) the catalogue lacks."""
    begin_write(db.session)
    counts = services.import_procedures(db.session)
    db.session.commit()
    click.echo(f"procedures: {counts['created']} created, {counts['unchanged']} already there")
