"""`flask backup DEST`: a consistent copy of the live SQLite database.

SQLite's online backup API (``sqlite3.Connection.backup``) copies the database page by page
while the site keeps running; it restarts by itself when a writer changes a page it has copied,
so the copy is one committed state of the database, never half a transaction. PostgreSQL has its
own tools: `pg_dump -Fc` and `pg_restore` (README, "Backups"). A copy holds what the database
holds (residents' addresses among it): it is created readable by its owner alone (0600).
"""

import sqlite3
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.engine import make_url

from app.database import create_private_file


class BackupError(click.ClickException):
    pass


def sqlite_path(url) -> Path:
    """The file of a SQLite database URL; BackupError for any other database."""
    url = make_url(url)
    if url.get_backend_name() != "sqlite":
        raise BackupError(
            f"flask backup copies SQLite databases; this site uses {url.get_backend_name()}. "
            "Use pg_dump instead: pg_dump -Fc -f caunoi.dump postgresql://USER@HOST/DATABASE "
            "(restore with pg_restore -d DATABASE caunoi.dump; see README, Backups)."
        )
    if not url.database or url.database == ":memory:":
        raise BackupError("the database is in memory: there is no file to back up")
    return Path(url.database)


def backup_sqlite(source: Path, destination: Path) -> None:
    """Copy the database at `source` into a new file `destination`, online, then check it."""
    if destination.exists():
        raise BackupError(f"{destination} exists: choose a new file name")
    if not source.exists():
        raise BackupError(f"no database at {source}")
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(destination.name + ".partial")
    partial.unlink(missing_ok=True)
    create_private_file(partial)  # before SQLite makes it with its default mode (0644)
    src = sqlite3.connect(source, timeout=30)
    try:
        dst = sqlite3.connect(partial)
        try:
            # In one step: one read transaction, so a writer cannot make it start over (in WAL
            # mode, the site's, readers and the writer do not wait for each other).
            src.backup(dst, pages=-1)
            # One file, whatever the source's journal mode, so the copy travels alone.
            dst.execute("PRAGMA journal_mode=DELETE")
            result = dst.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            dst.close()
    finally:
        src.close()
    if result != "ok":
        partial.unlink(missing_ok=True)
        raise BackupError(f"the copy failed its integrity check: {result}")
    partial.rename(destination)


@click.command("backup")
@click.argument("destination", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(destination):
    """Copy the live SQLite database to DESTINATION (a new file), consistently, while it runs."""
    source = sqlite_path(current_app.config["SQLALCHEMY_DATABASE_URI"])
    backup_sqlite(source, destination)
    click.echo(f"Backed up {source} to {destination} (integrity check ok).")
