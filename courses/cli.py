"""`flask courses import`."""

import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from app.database import begin_write
from app.extensions import db
from app.localtime import local_today
from courses import services
from courses.content import ContentErrors, course_folders, load_course, unconfirmed_statements
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


@courses_cli.command("check")
@click.option(
    "--root",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=services.CONTENT_ROOT,
    show_default=True,
    help="The folder holding one folder per course.",
)
def check_command(root):
    """Courses last checked over six months ago, and statements marked as needing confirmation.

    Exits with 1 when there is anything to look at, so a scheduled run can warn someone."""
    today = local_today()
    found = 0
    for folder in course_folders(root):
        errors: list = []
        course = load_course(folder, errors)
        if course is not None and services.is_stale(course, today):
            click.echo(
                f"{folder.name}: last checked {course.last_checked.isoformat()}, over "
                f"{services.STALE_AFTER_MONTHS} months ago; check it against the official "
                "sources and update last_checked in course.yaml"
            )
            found += 1
        for statement in unconfirmed_statements(folder):
            click.echo(f"{statement}  [needs confirmation]")
            found += 1
    click.echo(f"courses: {found} things to check" if found else "courses: nothing to check")
    sys.exit(1 if found else 0)


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
