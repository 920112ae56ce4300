"""What SQLite leaves on disk: an erased address leaves the database's files (secure_delete and
a checkpoint after the erasure), and the database, its -wal and -shm, and backups are created
readable by their owner alone (0600)."""

import os
import stat
import subprocess
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url

from app.backup import backup_sqlite
from app.extensions import db
from impact.home_support import services

#: an address nobody else in the test database writes, so its bytes are found only where it is
ADDRESS = "Số 99 ngõ Đặng Nhất Tâm, tổ 31, Bồ Đề"
NEED = "Xin cấp lại giấy khai sinh cho mẹ, bà Đặng Thị Tâm"


def _files_holding(words):
    """Which of the database file and its -wal hold the UTF-8 bytes of `words`.

    The bytes are read by another process: closing a descriptor of the database file in this
    one would drop every POSIX lock SQLite's open connections hold on it, and a later connection
    would take itself for the last one and delete the write-ahead log under the others."""
    path = Path(make_url(db.engine.url).database)
    needle = words.encode()
    return [f.name for f in (path, Path(f"{path}-wal")) if f.exists() and needle in _bytes_of(f)]


def _bytes_of(path):
    return subprocess.run(["cat", str(path)], capture_output=True, check=True).stdout


@pytest.fixture
def on_sqlite():
    if db.engine.dialect.name != "sqlite":
        pytest.skip("the files of a SQLite database (PostgreSQL keeps its own)")


@contextmanager
def _usual_umask():
    """Files made under the common umask 022 would be readable by every account: 0644."""
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


def _mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.mark.usefixtures("on_sqlite")
def test_an_erased_address_leaves_the_database_file_and_its_write_ahead_log(bo_de):
    found = services.create_request(
        db.session,
        commune=bo_de,
        address=ADDRESS,
        need=NEED,
        preferred_on=date(2030, 1, 8),
        time_window="morning",
    )
    db.session.commit()
    assert _files_holding(ADDRESS)  # written: in the log, or the file after a checkpoint

    services.close_request(db.session, found)
    db.session.commit()

    assert _files_holding(ADDRESS) == []
    assert _files_holding(NEED) == []


def test_the_sites_connections_overwrite_deleted_content_whatever_sqlites_build(tmp_path):
    """Debian builds SQLite with secure delete on; other builds (python.org's) leave it off, so
    the site turns it on for every connection it opens."""
    engine = create_engine(f"sqlite:///{tmp_path / 'caunoi.sqlite3'}")

    @event.listens_for(engine, "first_connect", insert=True)
    def built_without_secure_delete(dbapi_connection, _record):
        dbapi_connection.execute("PRAGMA secure_delete=OFF")

    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA secure_delete").scalar() == 1
    finally:
        engine.dispose()


def test_the_database_its_log_and_its_shared_memory_are_created_0600(tmp_path):
    path = tmp_path / "caunoi.sqlite3"
    engine = create_engine(f"sqlite:///{path}")
    try:
        with _usual_umask(), engine.begin() as conn:
            conn.execute(text("CREATE TABLE notes (body TEXT)"))
            conn.execute(text("INSERT INTO notes VALUES ('ghi chú')"))
            files = [path, Path(f"{path}-wal"), Path(f"{path}-shm")]
            assert {f.name: _mode(f) for f in files} == {f.name: 0o600 for f in files}
    finally:
        engine.dispose()


def test_a_backup_is_created_0600(tmp_path):
    source = tmp_path / "live.sqlite3"
    engine = create_engine(f"sqlite:///{source}")
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE notes (body TEXT)"))
    finally:
        engine.dispose()

    with _usual_umask():
        backup_sqlite(source, tmp_path / "copy.sqlite3")

    assert _mode(tmp_path / "copy.sqlite3") == 0o600
