"""The write ceiling: a bare Flask app whose one endpoint inserts one row (bench only).

    BARE_INSERT_URL=/tmp/x.sqlite3 gunicorn bench.bare_insert:app

`POST /insert` writes a row (a shift id, a person id, a status and a time, like a booking) in a
write transaction of its own and answers 201 with its id in JSON; `GET /healthz` answers "ok".
No sign-in, no token, no rule, no ORM: what the same gunicorn, client and database do for the
simplest write. The booking rush divides its bookings/s by this rate (the write-ceiling ratio).

SQLite: the same pragmas as the site (WAL, synchronous NORMAL, a 30 s busy timeout),
``BEGIN IMMEDIATE``; PostgreSQL (a ``postgresql://`` URL): psycopg, autocommit off.
"""

import os
import random
import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path

from flask import Flask, jsonify

TABLE = "bare_bookings"
CREATE = (
    f"CREATE TABLE IF NOT EXISTS {TABLE} (id {{key}}, shift_id INTEGER NOT NULL, "
    "user_id INTEGER NOT NULL, status VARCHAR(16) NOT NULL, created_at VARCHAR(32) NOT NULL)"
)

app = Flask(__name__)
_local = threading.local()


def _url() -> str:
    return os.environ["BARE_INSERT_URL"]


def _connection():
    conn = getattr(_local, "conn", None)
    if conn is None:
        url = _url()
        if url.startswith("postgresql"):
            import psycopg

            conn = psycopg.connect(url)
        else:
            conn = sqlite3.connect(url, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA busy_timeout=30000")
        _local.conn = conn
    return conn


@app.get("/healthz")
def healthz():
    return "ok"


@app.post("/insert")
def insert():
    conn = _connection()
    values = (random.randint(1, 1000), random.randint(1, 100000), "confirmed")
    moment = datetime.now(UTC).isoformat()
    if isinstance(conn, sqlite3.Connection):
        conn.execute("BEGIN IMMEDIATE")
        try:
            cursor = conn.execute(
                f"INSERT INTO {TABLE} (shift_id, user_id, status, created_at) VALUES (?, ?, ?, ?)",
                (*values, moment),
            )
            row_id = cursor.lastrowid
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    else:
        with conn.transaction():
            row_id = conn.execute(
                f"INSERT INTO {TABLE} (shift_id, user_id, status, created_at) "
                "VALUES (%s, %s, %s, %s) RETURNING id",
                (*values, moment),
            ).fetchone()[0]
    return jsonify(id=row_id), 201


def prepare(kind: str, url: str, workdir: str) -> str:
    """Create the bare table: in a SQLite file of its own, or in the bench's PostgreSQL database.
    Returns the BARE_INSERT_URL."""
    if kind == "sqlite":
        target = str(Path(workdir) / "bare.sqlite3")
        with sqlite3.connect(target) as conn:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute(CREATE.format(key="INTEGER PRIMARY KEY"))
        return target
    import psycopg

    target = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(target, autocommit=True) as conn:
        conn.execute(CREATE.format(key="SERIAL PRIMARY KEY"))
    return target


def drop(kind: str, target: str) -> None:
    """Remove the bare table (the SQLite file goes with the bench's temp directory)."""
    if kind == "postgresql":
        import psycopg

        with psycopg.connect(target, autocommit=True) as conn:
            conn.execute(f"DROP TABLE IF EXISTS {TABLE}")
