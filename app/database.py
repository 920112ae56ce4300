"""Database behaviour shared by every part: SQLite settings and write transactions.

Capacity and uniqueness are enforced by the database transaction (DESIGN.md). On PostgreSQL a
service locks the row it checks with ``SELECT … FOR UPDATE``. SQLite has one writer at a time, so
a transaction that will write starts with ``BEGIN IMMEDIATE``: it waits for the write lock before
its first read, and no other writer can slip in between its check and its write.
"""

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TypeVar

from flask import has_request_context, request
from sqlalchemy import DateTime, event, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, scoped_session
from sqlalchemy.types import TypeDecorator

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}

#: the largest integer every integer column holds (PostgreSQL's `integer`; ids are 32-bit): a
#: larger one names nothing, and PostgreSQL (or SQLite, beyond 64 bits) fails on it in a query
MAX_INT = 2**31 - 1


def request_int(text) -> int:
    """An integer read from a request, `request.args.get("page", 1, type=request_int)`: a
    ValueError (so the caller's default) when it is not one the database can hold."""
    number = int(text)
    if not -MAX_INT <= number <= MAX_INT:
        raise ValueError("beyond the database's integers")
    return number


T = TypeVar("T")


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC datetime on every backend (SQLite stores naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: times are stored in UTC with a zone")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@event.listens_for(Engine, "connect")
def _sqlite_connect(dbapi_connection, _record):
    if type(dbapi_connection).__module__.split(".")[0] != "sqlite3":
        return
    # Let SQLAlchemy emit BEGIN itself so it can choose IMMEDIATE (see module docstring).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn):
    if conn.dialect.name != "sqlite":
        return
    immediate = conn.get_execution_options().get("sqlite_immediate") or (
        has_request_context() and request.method in WRITE_METHODS
    )
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def begin_write(session):
    """Open the session's transaction as a writer (for CLI commands, tests and threads)."""
    if isinstance(session, scoped_session):
        session = session()
    if not session.in_transaction():
        session.connection(execution_options={"sqlite_immediate": True})


def locked(session, model, ident):
    """Load one row and hold it until the transaction ends; None when it does not exist."""
    stmt = select(model).where(model.id == ident).with_for_update()
    # populate_existing: a row already in the session is re-read under the lock, never stale.
    return session.scalars(stmt.execution_options(populate_existing=True)).one_or_none()


def write_apart(work: Callable[[Session], T]) -> T:
    """Record a small fact (a token's use, a refused scan) in its own short writer transaction.

    A GET's transaction begins as a plain reader. On SQLite a reader that later writes must
    upgrade its snapshot to a write lock, and when another writer committed in between SQLite
    answers SQLITE_BUSY_SNAPSHOT at once (busy_timeout does not help): a 500. So a write made while
    serving a read never goes through the request's session: ``work(session)`` runs in a session
    of its own on another connection, opened with BEGIN IMMEDIATE (it waits its turn for the write
    lock), committed here and closed. ``work`` loads again, in its session, any row it needs.

    In a POST (PUT, PATCH, DELETE) whose transaction has begun, that transaction is already a
    writer holding the lock (BEGIN IMMEDIATE): a second writer would wait for it in vain, so
    ``work`` runs in the request's session and is committed with the request's one commit.
    """
    from app.extensions import db

    request_session = db.session()
    if (
        has_request_context()
        and request.method in WRITE_METHODS
        and request_session.in_transaction()
    ):
        result = work(request_session)
        request_session.flush()
        return result
    with Session(bind=request_session.get_bind(), expire_on_commit=False) as session:
        session.connection(execution_options={"sqlite_immediate": True})
        result = work(session)
        session.commit()
    return result
