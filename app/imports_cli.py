"""`flask imports …`: the spreadsheet imports for admins and scripts, a preview unless --commit.

The kernel keeps the group and the service points' command; scheduling adds `volunteers`.
A command acts as nobody in particular: its scope is every commune, and the audit log names no
person as the actor.
"""

from pathlib import Path

import click
from flask.cli import AppGroup
from flask_babel import force_locale

from app.database import begin_write
from app.extensions import db
from app.places.models import Province
from app.places.services import get_by_code
from app.scope import CoordinatorScope
from app.spreadsheets import Preview, SheetError

imports_cli = AppGroup(
    "imports", help="Import spreadsheets (.xlsx or .csv): a preview unless --commit."
)

#: the options every import command takes
province_option = click.option(
    "--province",
    default="01",
    show_default=True,
    help="Code of the province whose communes the file names by name.",
)
commit_option = click.option(
    "--commit", is_flag=True, help="Write the rows (default: preview only)."
)


def run_import(path: str, province_code: str, commit: bool, plan, apply) -> None:
    """Read, preview, and with --commit write a file; exits 1 when a row is refused. The notes
    are in English, the language of the server's commands; invitations go in the person's."""
    with force_locale("en"):
        _run_import(path, province_code, commit, plan, apply)


def _run_import(path: str, province_code: str, commit: bool, plan, apply) -> None:
    province = get_by_code(db.session, Province, province_code)
    if province is None:
        raise click.BadParameter(f"no province has the code {province_code}")
    if commit:
        begin_write(db.session)
    data = Path(path).read_bytes()
    try:
        preview: Preview = plan(
            db.session, data, path, province, CoordinatorScope(everything=True), None
        )
    except SheetError as error:
        raise click.ClickException(error.message) from error
    for row in preview.rows:
        click.echo(f"{row.line}\t{row.outcome}\t{row.label}\t{' '.join(row.notes)}")
    counts = preview.counts
    click.echo(", ".join(f"{n} {outcome}" for outcome, n in counts.items()))
    if not preview.acceptable:
        db.session.rollback()
        raise click.ClickException("nothing imported: correct the refused rows")
    if commit:
        apply(db.session, preview, None)
        db.session.commit()
        click.echo("imported")
    else:
        db.session.rollback()
        click.echo("preview only: add --commit to write")


@imports_cli.command("service-points")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@province_option
@commit_option
def service_points_command(path, province, commit):
    """Import service points (commune, name, address, opening_hours, active)."""
    from app.places import imports

    run_import(
        path,
        province,
        commit,
        lambda session, data, filename, province, scope, actor: imports.plan(
            session, data, filename, province, scope
        ),
        imports.apply,
    )
