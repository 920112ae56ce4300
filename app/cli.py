"""The kernel's command groups: translate, places, users, demo, backup, and the queue's worker."""

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
EXTRACT_ARGS = (
    "extract",
    "-F",
    "babel.cfg",
    "-k",
    "_l",
    "-k",
    "lazy_pgettext:1c,2",
    "--no-location",
    "--ignore-dirs",
    ".*",
)


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
    """Fill untranslated messages from JSON files of {"msgid": "text"} ("one|many" for plurals,
    "context\u0004msgid" for a message with a context, as gettext joins them).

    Lets several people translate in parallel without editing the same .po file."""
    import json

    catalogue = _read_catalogue(language)
    filled, unknown = 0, []
    for name in files:
        with open(name, encoding="utf-8") as handle:
            texts = json.load(handle)
        for key, text in texts.items():
            context, _sep, plain = key.rpartition("\x04")
            msgid = tuple(plain.split("|", 1)) if "|" in plain else plain
            message = catalogue.get(msgid, context=context or None)
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


@click.command("worker")
@click.option("--workers", default=1, show_default=True, help="Threads consuming the queue.")
@click.option(
    "--no-periodic",
    is_flag=True,
    help="Do not run the scheduler: for every worker but one, so each job runs once.",
)
def worker_command(workers, no_periodic):
    """Consume the task queue (mail and other deliveries) and, unless told not to, run the
    periodic jobs (reminders, closing check-ins, retrying deliveries). Stops on Ctrl-C."""
    import logging

    from flask import current_app

    from app.tasks import consumer

    if current_app.config.get("TASK_QUEUE_IMMEDIATE"):
        raise click.UsageError("TASK_QUEUE_IMMEDIATE is set: tasks run where they are enqueued")
    # the console shows each task, and without MAIL_SERVER each mail it would have sent
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    consumer(current_app._get_current_object(), workers=workers, periodic=not no_periodic).run()


def init_app(app):
    """The kernel's commands; each part adds its own group in its init_app."""
    from app.auth.cli import users_cli
    from app.backup import backup_command
    from app.demo import demo_command
    from app.imports_cli import imports_cli
    from app.places.cli import places_cli

    commands = (
        translate,
        places_cli,
        users_cli,
        demo_command,
        backup_command,
        worker_command,
        imports_cli,
    )
    for command in commands:
        app.cli.add_command(command)
