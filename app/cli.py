"""Command groups: `flask translate`, `places`, `users`, `demo`, `courses` and `backup`."""

import subprocess
import sys

import click
from flask.cli import AppGroup

from app import ROOT

translate = AppGroup("translate", help="Extract, update and compile the message catalogues.")
TRANSLATIONS = ROOT / "app" / "translations"
POT = TRANSLATIONS / "messages.pot"


def _pybabel(*args):
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], check=True, cwd=ROOT)


@translate.command("extract")
def extract():
    """Collect every translatable string into messages.pot and merge it into the catalogues."""
    _pybabel("extract", "-F", "babel.cfg", "-k", "_l", "--no-location", "-o", str(POT), ".")
    _pybabel("update", "-i", str(POT), "-d", str(TRANSLATIONS), "--no-fuzzy-matching")


@translate.command("compile")
def compile_catalogues():
    """Compile the catalogues into the .mo files Flask-Babel reads."""
    _pybabel("compile", "-d", str(TRANSLATIONS))


@translate.command("fill-en")
def fill_english():
    """Give every untranslated English message its msgid: the source strings are English."""
    from babel.messages.pofile import read_po, write_po

    path = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalogue = read_po(handle)
    for message in catalogue:
        plural = isinstance(message.id, tuple)
        untranslated = not all(message.string) if plural else not message.string
        if message.id and untranslated:
            message.string = message.id
        message.flags.discard("fuzzy")
    with path.open("wb") as handle:
        write_po(handle, catalogue, width=100)


@translate.command("init")
@click.argument("language")
def init(language):
    """Start a catalogue for a new language."""
    _pybabel("init", "-i", str(POT), "-d", str(TRANSLATIONS), "-l", language)


def init_app(app):
    from app.auth.cli import users_cli
    from app.backup import backup_command
    from app.demo import demo_command
    from app.places.cli import places_cli
    from courses.cli import courses_cli

    for command in (translate, places_cli, users_cli, demo_command, courses_cli, backup_command):
        app.cli.add_command(command)
