"""`flask courses import`."""

import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from app.database import begin_write
from app.extensions import db
from courses import services
from courses.content import ContentErrors
from courses.moodle import moodle_xml

courses_cli = AppGroup("courses", help="Courses, lessons and quizzes.")


@courses_cli.command("import")
@click.option(
    "--root",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=services.CONTENT_ROOT,
    show_default=True,
    help="The folder holding one folder per course.",
)
def import_command(root):
    """Load every course from its files; nothing is imported if any file has an error."""
    begin_write(db.session)
    try:
        counts = services.import_courses(db.session, root)
    except ContentErrors as exc:
        db.session.rollback()
        for error in exc.errors:
            click.echo(str(error), err=True)
        click.echo(f"courses: {len(exc.errors)} errors, nothing imported", err=True)
        sys.exit(1)
    db.session.commit()
    for name, count in counts.items():
        click.echo(
            f"{name}: {count['created']} created, {count['updated']} updated, "
            f"{count['unchanged']} unchanged, {count['deleted']} deleted"
        )


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
