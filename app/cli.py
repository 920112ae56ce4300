"""The kernel's command groups: translate, places, users, demo, backup."""

import subprocess
import sys

import click
from flask.cli import AppGroup

from app import ROOT

translate = AppGroup("translate", help="Extract, update and compile the message catalogues.")
TRANSLATIONS = ROOT / "app" / "translations"
POT = TRANSLATIONS / "messages.pot"


#: pybabel extract's arguments, shared with tests/app/test_translations.py. Babel skips folders
#: whose name starts with "_" unless told otherwise, which would miss templates/_macros.
EXTRACT_ARGS = ("extract", "-F", "babel.cfg", "-k", "_l", "--no-location", "--ignore-dirs", ".*")


def _pybabel(*args):
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], check=True, cwd=ROOT)


@translate.command("extract")
def extract():
    """Collect every translatable string into messages.pot and merge it into the catalogues."""
    _pybabel(*EXTRACT_ARGS, "-o", str(POT), ".")
    _pybabel("update", "-i", str(POT), "-d", str(TRANSLATIONS), "--no-fuzzy-matching")


@translate.command("compile")
def compile_catalogues():
    """Compile the catalogues into the .mo files Flask-Babel reads."""
    _pybabel("compile", "-d", str(TRANSLATIONS))


def _catalogue_path(language):
    return TRANSLATIONS / language / "LC_MESSAGES" / "messages.po"


def _read_catalogue(language):
    from babel.messages.pofile import read_po

    with _catalogue_path(language).open("rb") as handle:
        return read_po(handle)


def _write_catalogue(language, catalogue):
    from babel.messages.pofile import write_po

    with _catalogue_path(language).open("wb") as handle:
        write_po(handle, catalogue, width=100)


def _untranslated(message):
    return not all(message.string) if isinstance(message.id, tuple) else not message.string


@translate.command("fill-en")
def fill_english():
    """Give every untranslated English message its msgid: the source strings are English."""
    catalogue = _read_catalogue("en")
    for message in catalogue:
        if message.id and _untranslated(message):
            message.string = message.id
        message.flags.discard("fuzzy")
    _write_catalogue("en", catalogue)


@translate.command("merge")
@click.argument("language")
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False))
def merge(language, files):
    """Fill untranslated messages from JSON files of {"msgid": "text"} ("one|many" for plurals).

    Lets several people translate in parallel without editing the same .po file."""
    import json

    catalogue = _read_catalogue(language)
    filled, unknown = 0, []
    for name in files:
        with open(name, encoding="utf-8") as handle:
            texts = json.load(handle)
        for key, text in texts.items():
            msgid = tuple(key.split("|", 1)) if "|" in key else key
            message = catalogue.get(msgid)
            if message is None:
                unknown.append(key)
                continue
            if _untranslated(message):
                message.string = (text,) * len(message.string) if isinstance(msgid, tuple) else text
                message.flags.discard("fuzzy")
                filled += 1
    _write_catalogue(language, catalogue)
    click.echo(f"{filled} filled, {len(unknown)} not in the catalogue")
    for key in unknown:
        click.echo(f"  not found: {key}")


@translate.command("init")
@click.argument("language")
def init(language):
    """Start a catalogue for a new language."""
    _pybabel("init", "-i", str(POT), "-d", str(TRANSLATIONS), "-l", language)


def init_app(app):
    """The kernel's commands; each part adds its own group in its init_app."""
    from app.auth.cli import users_cli
    from app.backup import backup_command
    from app.demo import demo_command
    from app.imports_cli import imports_cli
    from app.places.cli import places_cli

    for command in (translate, places_cli, users_cli, demo_command, backup_command, imports_cli):
        app.cli.add_command(command)
