"""`flask imports volunteers FILE`: scheduling's command, added to the kernel's import group."""

import click

from app.imports_cli import commit_option, province_option, run_import


@click.command("volunteers")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@province_option
@commit_option
def volunteers_command(path, province, commit):
    """Import volunteers (full_name, email, phone, organisation, class_name, home_commune,
    skills, team): accounts invited by mail, existing ones added to their team."""
    from scheduling.imports import services

    run_import(path, province, commit, services.plan, services.apply)
