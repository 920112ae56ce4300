"""`flask courses export-moodle SLUG --lang vi`."""

import sys

import click

from app.extensions import db
from courses import services
from courses.cli import courses_cli
from courses.moodle import moodle_xml


@courses_cli.command("export-moodle")
@click.argument("slug")
@click.option(
    "--lang", "language", type=click.Choice(["vi", "en"]), default="vi", show_default=True
)
def export_moodle(slug, language):
    """Write a course's quiz bank as Moodle XML to standard output."""
    course = services.get_course(db.session, slug)
    if course is None:
        click.echo(f"courses: no course {slug!r}; run `flask courses import` first", err=True)
        sys.exit(1)
    sys.stdout.buffer.write(moodle_xml(course, language))
