"""SQLite's writers queue on the lock file beside the database: a writer transaction holds it
from before BEGIN IMMEDIATE until its COMMIT or ROLLBACK has run, so the next writer wakes as
soon as the write lock is free (instead of sleeping in SQLite's busy handler)."""

import fcntl
import os
import stat
import threading
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from app.database import begin_write
from app.extensions import db


@pytest.fixture
def writers_file():
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's single writer: PostgreSQL locks rows")
    return Path(make_url(db.engine.url).database + "-writers")


def _free(path) -> bool:
    """Whether nobody holds the writers' lock file now (asked without waiting)."""
    fd = os.open(path, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)  # releases the lock if this asking took it
    return True


def test_a_writer_holds_the_queue_until_its_commit(writers_file):
    db.session.commit()
    begin_write(db.session)
    db.session.execute(text("SELECT 1"))

    held = not _free(writers_file)
    db.session.commit()

    assert held
    assert _free(writers_file)
    assert stat.S_IMODE(writers_file.stat().st_mode) == 0o600


def test_a_rolled_back_writer_leaves_the_queue(writers_file):
    db.session.commit()
    begin_write(db.session)
    db.session.execute(text("SELECT 1"))
    db.session.rollback()

    assert _free(writers_file)


def test_a_reader_does_not_queue(writers_file):
    db.session.commit()
    db.session.execute(text("SELECT 1"))  # outside a request, a plain BEGIN: a reader

    assert _free(writers_file)
    db.session.rollback()


def test_the_second_writer_waits_on_the_file_and_goes_once_the_first_commits(app, writers_file):
    db.session.commit()
    begin_write(db.session)
    db.session.execute(text("SELECT 1"))
    started, finished = threading.Event(), threading.Event()

    def second_writer():
        with app.app_context():
            started.set()
            begin_write(db.session)  # waits here, on the file, while the first writer holds it
            db.session.execute(text("SELECT 1"))
            db.session.commit()
            db.session.remove()
        finished.set()

    thread = threading.Thread(target=second_writer)
    thread.start()
    started.wait()
    waited = not finished.wait(0.2)
    db.session.commit()
    thread.join(10)

    assert waited and finished.is_set()
