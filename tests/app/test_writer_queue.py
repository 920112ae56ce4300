"""SQLite's writers queue on the lock file beside the database: a writer transaction holds it
from before BEGIN IMMEDIATE until its COMMIT or ROLLBACK has run, so the next writer wakes as
soon as the write lock is free (instead of sleeping in SQLite's busy handler)."""

import fcntl
import os
import sqlite3
import stat
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from app.database import (
    WRITERS_BUSY_RETRY_AFTER,
    QueuedWriterConnection,
    WritersBusy,
    begin_write,
)
from app.extensions import db
from scheduling.models import Booking


@pytest.fixture
def writers_file():
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's single writer: PostgreSQL locks rows")
    return Path(make_url(db.engine.url).database + "-writers")


def _free(path) -> bool:
    """Whether nobody holds the writers' lock file now (asked without waiting); a file no
    writer has made yet is free."""
    if not path.exists():
        return True
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


@pytest.fixture
def short_wait(monkeypatch):
    """Writers give up after 0.2 s in the queue instead of 10 s."""
    monkeypatch.setattr(QueuedWriterConnection, "wait_seconds", 0.2)


@contextmanager
def queue_held_elsewhere(path):
    """The writers' lock held by someone else (another process's stuck writer) meanwhile."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        yield
    finally:
        os.close(fd)


def test_a_writer_kept_waiting_too_long_gives_up_and_the_queue_moves_on(writers_file, short_wait):
    db.session.commit()
    with queue_held_elsewhere(writers_file):
        with pytest.raises(WritersBusy) as refused:
            begin_write(db.session)
        db.session.rollback()

    assert refused.value.code == 503 and refused.value.retry_after == WRITERS_BUSY_RETRY_AFTER
    # the writer given up on does not keep the lock once its turn comes
    begin_write(db.session)
    db.session.execute(text("SELECT 1"))
    db.session.commit()
    deadline = time.monotonic() + 5
    while not _free(writers_file) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert _free(writers_file)


def test_a_booking_kept_waiting_too_long_answers_503_with_retry_after_and_writes_nothing(
    client, volunteer, shift, bearer, writers_file, short_wait
):
    headers = bearer(volunteer)
    db.session.commit()

    with queue_held_elsewhere(writers_file):
        response = client.post(f"/api/v1/shifts/{shift.id}/bookings", headers=headers)

    assert response.status_code == 503
    assert response.headers["Retry-After"] == str(WRITERS_BUSY_RETRY_AFTER)
    assert response.get_json()["error"] == "busy"
    assert db.session.scalar(select(func.count()).select_from(Booking)) == 0
    # once the queue moves, the same booking goes through
    assert client.post(f"/api/v1/shifts/{shift.id}/bookings", headers=headers).status_code == 201


def _waiting_threads() -> int:
    return sum(1 for t in threading.enumerate() if t.name == "sqlite-writers-queue")


def test_a_connection_keeps_one_waiting_thread_for_all_its_waits_and_ends_it_when_closed(
    writers_file,
):
    queued = type("Queued", (QueuedWriterConnection,), {"writers_path": str(writers_file)})
    connection = sqlite3.connect(make_url(db.engine.url).database, factory=queued)
    before = _waiting_threads()
    try:
        for _turn in range(2):
            fd = os.open(writers_file, os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(fd, fcntl.LOCK_EX)
            threading.Timer(0.05, os.close, (fd,)).start()  # another writer, done in 50 ms
            connection.queue_for_write()  # waits for it
            assert not _free(writers_file)
            connection.rollback()  # leaves the queue
            assert _free(writers_file)
        assert _waiting_threads() == before + 1
    finally:
        connection.close()
    deadline = time.monotonic() + 5
    while _waiting_threads() > before and time.monotonic() < deadline:
        time.sleep(0.01)
    assert _waiting_threads() == before
