"""`flask users create-admin EMAIL`."""

import click
from flask.cli import AppGroup

from app.auth import passwords, services
from app.auth.models import Role, User
from app.extensions import db

users_cli = AppGroup("users", help="Accounts.")

PASSWORD_PROBLEMS = {
    "length": f"a password has {passwords.MIN_LENGTH} to {passwords.MAX_LENGTH} characters",
    "common": "this password is one of the most common ones, which are guessed first",
}


@users_cli.command("create-admin")
@click.argument("email")
@click.option("--name", default="Administrator", help="Full name shown on the site.")
@click.password_option(help="The password; asked for when not given.")
def create_admin(email, name, password):
    """Create the first admin, or make an existing account an admin."""
    why = passwords.problem(password)
    if why is not None:
        raise click.BadParameter(PASSWORD_PROBLEMS[why], param_hint="--password")
    user = services.find_by_email(db.session, email)
    if user is None:
        user = User(email=services.normalise_email(email), full_name=name)
        db.session.add(user)
    services.set_password(user, password)
    services.grant_role(db.session, user, Role.ADMIN)
    db.session.commit()
    click.echo(f"{user.email} is an admin")
