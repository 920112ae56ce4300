"""`flask backup DEST` copies a live SQLite database consistently; PostgreSQL is sent to pg_dump."""

import sqlite3
import threading

import flask_migrate
import pytest
from sqlalchemy import select

from app import create_app
from app.auth.models import User
from app.backup import BackupError, backup_sqlite
from app.extensions import db

#: the rate limiter is one object shared by every app: an app made here must not switch it on
QUIET = {"SECRET_KEY": "x", "RATELIMIT_ENABLED": False}


def _wal_database(path, rows):
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO notes (body) VALUES (?)", [(f"ghi chú {n}",) for n in rows])
    conn.execute("COMMIT")
    return conn


def _read(path):
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return [body for (body,) in conn.execute("SELECT body FROM notes ORDER BY id")]
    finally:
        conn.close()


def test_backup_while_another_connection_holds_a_write_transaction_copies_the_committed_rows(
    tmp_path,
):
    source = tmp_path / "live.sqlite3"
    conn = _wal_database(source, range(500))
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("INSERT INTO notes (body) VALUES ('chưa ghi')")  # not committed yet
    try:
        backup_sqlite(source, tmp_path / "copy.sqlite3")
    finally:
        conn.execute("COMMIT")
        conn.close()
    copied = _read(tmp_path / "copy.sqlite3")
    assert copied == [f"ghi chú {n}" for n in range(500)]


def test_backup_while_a_writer_commits_copies_one_whole_committed_state(tmp_path):
    source = tmp_path / "live.sqlite3"
    _wal_database(source, range(100)).close()
    stop = threading.Event()

    def write():
        writer = sqlite3.connect(source, isolation_level=None, timeout=30)
        n = 0
        while not stop.is_set():
            # each transaction adds a pair: a consistent copy holds an even number of rows
            writer.execute("BEGIN IMMEDIATE")
            writer.execute("INSERT INTO notes (body) VALUES (?)", (f"a{n}",))
            writer.execute("INSERT INTO notes (body) VALUES (?)", (f"b{n}",))
            writer.execute("COMMIT")
            n += 1
        writer.close()

    thread = threading.Thread(target=write)
    thread.start()
    try:
        for k in range(5):
            backup_sqlite(source, tmp_path / f"copy{k}.sqlite3")
    finally:
        stop.set()
        thread.join()
    for k in range(5):
        copied = _read(tmp_path / f"copy{k}.sqlite3")
        assert len(copied) >= 100 and len(copied) % 2 == 0
        assert copied[:100] == [f"ghi chú {n}" for n in range(100)]


def test_backup_refuses_to_overwrite_a_file(tmp_path):
    source = tmp_path / "live.sqlite3"
    _wal_database(source, range(3)).close()
    (tmp_path / "copy.sqlite3").write_text("keep me")
    with pytest.raises(BackupError, match="exists"):
        backup_sqlite(source, tmp_path / "copy.sqlite3")
    assert (tmp_path / "copy.sqlite3").read_text() == "keep me"


def test_flask_backup_copies_the_site_database_and_the_copy_restores(tmp_path):
    live = create_app(
        {**QUIET, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'site.sqlite3'}"}
    )
    with live.app_context():
        flask_migrate.upgrade()
        db.session.add(User(email="an@example.com", full_name="Nguyễn Văn An"))
        db.session.commit()
        result = live.test_cli_runner().invoke(args=["backup", str(tmp_path / "copy.sqlite3")])
        db.session.remove()
        db.engine.dispose()
    assert result.exit_code == 0, result.output
    assert "integrity check ok" in result.output

    restored = create_app(
        {**QUIET, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'copy.sqlite3'}"}
    )
    with restored.app_context():
        names = db.session.scalars(select(User.full_name)).all()
        db.session.remove()
        db.engine.dispose()
    assert names == ["Nguyễn Văn An"]


def test_flask_backup_on_postgresql_refuses_and_points_to_pg_dump(tmp_path):
    app = create_app(
        {
            **QUIET,
            "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://postgres@127.0.0.1:5432/caunoi",
        }
    )
    with app.app_context():  # else the command would use the tests' own app
        result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "copy.dump")])
    assert result.exit_code != 0
    assert "pg_dump" in result.output
    assert not (tmp_path / "copy.dump").exists()
