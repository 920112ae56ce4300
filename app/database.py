"""Database behaviour shared by every part: SQLite settings, its files, write transactions, and
the Vietnamese alphabetical order.

Capacity and uniqueness are enforced by the database transaction (DESIGN.md). On PostgreSQL a
service locks the row it checks with ``SELECT … FOR UPDATE``. SQLite has one writer at a time, so
a transaction that will write starts with ``BEGIN IMMEDIATE``: it waits for the write lock before
its first read, and no other writer can slip in between its check and its write.

Writers on one SQLite file queue on a lock file beside it (``<database>-writers``, ``flock``)
taken just before ``BEGIN IMMEDIATE`` and released once the COMMIT or ROLLBACK has run: a waiting
writer wakes the moment the lock is free. Without it they wait in SQLite's busy handler, which
sleeps and retries with a growing back-off (up to 100 ms a try) and so oversleeps a lock held for
a millisecond or two. A writer waits in that queue for a bounded time, then gives up with
`WritersBusy` (503, Retry-After) rather than hang behind a stuck writer. A view marked
`writes_late` reads (its token, user, roles) in a plain read transaction and becomes a writer
only when its service calls `begin_write`, so the write lock is held for the writing alone.

A SQLite file holds residents' addresses until they are erased: it is created readable by its
owner alone (0600; SQLite gives its -wal and -shm files the database file's mode), deleted
content is overwritten with zeros (``secure_delete``), and a transaction that erased personal data
is followed by a checkpoint that empties the write-ahead log, where the old pages would linger.

On PostgreSQL a request's transaction that only read ends with COMMIT, not ROLLBACK
(`end_reading`): psycopg forgets every statement it prepared on the connection at each
ROLLBACK, so with rollbacks no statement would ever be prepared and each one would be planned
again (3 ms for the listing of shifts, more than running it).
"""

import fcntl
import functools
import logging
import os
import sqlite3
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TypeVar, cast

from flask import current_app, has_request_context, request
from sqlalchemy import ColumnElement, DateTime, bindparam, event, func, literal_column, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, scoped_session
from sqlalchemy.types import TypeDecorator
from werkzeug.exceptions import ServiceUnavailable

from app.text import COLLATION, compare

log = logging.getLogger(__name__)

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}

#: how long a SQLite connection waits for the write lock before giving up
BUSY_TIMEOUT_MS = 30000
#: how long an erasure's checkpoint waits for older readers before leaving it to the next one
CHECKPOINT_WAIT_MS = 1000

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


#: who may read or write a database file or a backup: its owner, the account the site runs as
PRIVATE_MODE = 0o600


def create_private_file(path) -> None:
    """Create an empty file readable by its owner alone, unless it exists (SQLite opens an empty
    file as a new database, and gives the -wal and -shm files it makes beside it the same mode)."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, PRIVATE_MODE))


class WritersBusy(ServiceUnavailable):
    """The writers' queue did not reach this writer within `QueuedWriterConnection.wait_seconds`:
    the site is too busy (or a writer is stuck). A request answers 503 with Retry-After; nothing
    was written."""

    description = "The database's writers' queue was too long: try again in a few seconds."


#: the Retry-After of a writer that gave up waiting for its turn
WRITERS_BUSY_RETRY_AFTER = 5


class QueuedWriterConnection(sqlite3.Connection):
    """A SQLite connection whose writer transactions queue on the database's lock file.

    `_sqlite_begin` takes the lock before ``BEGIN IMMEDIATE``; the COMMIT or ROLLBACK releases
    it once SQLite has let its own write lock go. Each connection opens the file itself (once,
    and again in a forked process): flock locks belong to an open file, so two connections of
    one process exclude each other too. A writer waits at most `wait_seconds` for its turn, then
    raises `WritersBusy`, rather than hang as long as the writer ahead of it does."""

    writers_path: str | None = None
    #: how long a writer waits for its turn (a booking holds the lock for a few milliseconds)
    wait_seconds: float = 10.0
    _writers_fd: int | None = None
    _writers_pid: int | None = None
    _waiter: "_Waiter | None" = None
    _queued = False

    def _writers_file(self) -> int:
        if self._writers_fd is None or self._writers_pid != os.getpid():
            assert self.writers_path is not None
            self._writers_fd = os.open(self.writers_path, os.O_RDWR | os.O_CREAT, PRIVATE_MODE)
            self._writers_pid = os.getpid()
            self._waiter = None  # a forked process has none of its parent's threads
        return self._writers_fd

    def queue_for_write(self) -> None:
        if self.writers_path is None or self._queued:
            return
        fd = self._writers_file()
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if self._waiter is None:
                self._waiter = _Waiter(fd)
            if not self._waiter.take(self.wait_seconds):
                # the file stays with the waiter still waiting on it, which closes it
                self._writers_fd = self._waiter = None
                raise WritersBusy(retry_after=WRITERS_BUSY_RETRY_AFTER) from None
        self._queued = True

    def _leave_queue(self) -> None:
        if self._queued:
            self._queued = False
            fcntl.flock(self._writers_fd, fcntl.LOCK_UN)

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self._leave_queue()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self._leave_queue()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._close_writers_file()

    def _close_writers_file(self) -> None:
        fd, self._writers_fd, self._queued = self._writers_fd, None, False
        waiter, self._waiter = self._waiter, None
        if fd is not None and self._writers_pid == os.getpid():
            if waiter is not None:
                waiter.end()
            os.close(fd)  # closing the file releases its lock

    def __del__(self) -> None:
        self._close_writers_file()  # a connection dropped unclosed never keeps the queue waiting


class _Waiter:
    """Takes the writers' file's lock for one connection, in a thread kept for it: flock has no
    timeout, so a writer that finds the lock taken hands the wait to this thread and waits on it
    with one. The thread is started at the connection's first wait and kept: starting one for
    each wait cost about 100 µs of CPU, against 30 µs for handing a wait to a kept one (the
    booking rush waits at every other booking). A waiter given up on owns the file from then
    on: when its turn comes (or at once, if it was not waiting yet) it closes the file, which
    lets the lock go, and its thread ends."""

    def __init__(self, fd: int):
        self._fd = fd
        self._asked = threading.Semaphore(0)
        self._granted = threading.Semaphore(0)
        self._guard = threading.Lock()
        #: the writer stopped waiting: the file is the waiter's to close
        self._given_up = False
        #: the connection closed the file itself: the waiter leaves it alone
        self._closed = False
        threading.Thread(target=self._serve, name="sqlite-writers-queue", daemon=True).start()

    def _serve(self) -> None:
        while True:
            self._asked.acquire()
            with self._guard:
                if self._closed:
                    return
                if self._given_up:
                    os.close(self._fd)
                    return
            try:
                fcntl.flock(self._fd, fcntl.LOCK_EX)
            except OSError:
                os.close(self._fd)  # the writer's wait runs out and gives the file up
                return
            with self._guard:
                if self._given_up:
                    os.close(self._fd)  # closing the file releases its lock
                    return
                self._granted.release()

    def take(self, seconds: float) -> bool:
        """Wait at most `seconds` for the lock; whether it was taken. On False the file is the
        waiter's, and the connection opens another."""
        self._asked.release()
        if self._granted.acquire(timeout=seconds):
            return True
        with self._guard:
            if self._granted.acquire(blocking=False):  # granted as the wait ran out
                return True
            self._given_up = True
        return False

    def end(self) -> None:
        """The connection closes its file: the idle thread ends."""
        with self._guard:
            self._closed = True
        self._asked.release()


@event.listens_for(Engine, "do_connect")
def _sqlite_private_file(dialect, _record, cargs, cparams):
    """Before SQLite creates a database file with its default mode (0644): create it 0600; open
    a file database with a connection whose writers queue on its lock file."""
    if dialect.name != "sqlite" or cparams.get("uri") or not cargs:
        return
    path = str(cargs[0])
    if not path or path == ":memory:":
        return
    if not os.path.exists(path):
        create_private_file(path)
    cparams["factory"] = _queued_writers(path + "-writers")


@functools.cache
def _queued_writers(writers_path: str) -> type[QueuedWriterConnection]:
    return type("QueuedWriters", (QueuedWriterConnection,), {"writers_path": writers_path})


def alphabetical(column):
    """The column in Vietnamese alphabetical order, for ORDER BY: the "vi" collation, ICU's on
    PostgreSQL (a migration makes it) and app.text's on SQLite (registered on connect)."""
    return column.collate(COLLATION)


def joined_strings(expression, separator: str) -> ColumnElement[str]:
    """The group's values of the expression joined by the separator (group_concat on SQLite,
    string_agg on PostgreSQL). The separator is written into the SQL when the statement is
    compiled: given as a plain string, SQLAlchemy renders it into the SQL again at every
    execution, about 30 µs for each statement on the API's hot path."""
    quoted = "'" + separator.replace("'", "''") + "'"
    return func.aggregate_strings(expression, cast(str, literal_column(quoted)))


@event.listens_for(Engine, "connect")
def _sqlite_connect(dbapi_connection, _record):
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    # Let SQLAlchemy emit BEGIN itself so it can choose IMMEDIATE (see module docstring).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # An erased address is overwritten with zeros in its page, not merely marked free.
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()
    dbapi_connection.create_collation(COLLATION, compare)


#: ``Connection.info`` key: whether the connection's SQLite transaction began as a writer
_WRITER = "caunoi.writer"


#: ``Connection.info`` key: the transaction ran a statement that may have changed something
_CHANGED = "caunoi.changed"
#: how the statements that change nothing begin (SQLAlchemy writes them so)
_READING = ("SELECT ", "BEGIN")


@event.listens_for(Engine, "after_cursor_execute")
def _note_change(conn, _cursor, statement, _parameters, _context, _executemany):
    if not statement.startswith(_READING):
        conn.info[_CHANGED] = True


@event.listens_for(Engine, "commit")
@event.listens_for(Engine, "rollback")
def _transaction_over(conn):
    conn.info.pop(_CHANGED, None)


def end_reading(exc: BaseException | None) -> None:
    """At the end of a request (teardown_appcontext, before Flask-SQLAlchemy's), on
    PostgreSQL: a transaction that ran reads alone is committed, which ends it as a rollback
    would but keeps psycopg's prepared statements. Anything else (a write not committed, a
    request that failed) is left to the rollback that follows.

    The app registers it on PostgreSQL only (`app.create_app`): SQLite prepares nothing to
    keep, and asking the session what it holds and which database it is on cost each SQLite
    request that read something about 20 µs."""
    scoped = current_app.extensions["sqlalchemy"].session
    if exc is not None or not scoped.registry.has():
        return
    session = scoped()
    if not session.in_transaction() or session.new or session.dirty or session.deleted:
        return
    try:
        connection = session.connection()
        if not connection.info.get(_CHANGED):
            session.commit()
    except SQLAlchemyError:
        log.warning("ending a reading transaction failed; it is rolled back", exc_info=True)


def writes_late(view):
    """Mark a POST view whose transaction begins as a reader: what it reads first (the token,
    the user, their roles) holds no lock, and it becomes a writer when its service calls
    `begin_write`. The view writes nothing before that call."""
    view.writes_late = True
    return view


def _request_writes_late() -> bool:
    view = current_app.view_functions.get(request.endpoint or "")
    return getattr(view, "writes_late", False)


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn):
    if conn.dialect.name != "sqlite":
        return
    immediate = conn.get_execution_options().get("sqlite_immediate") or (
        has_request_context() and request.method in WRITE_METHODS and not _request_writes_late()
    )
    conn.info[_WRITER] = bool(immediate)
    if immediate:
        dbapi_connection = conn.connection.dbapi_connection
        if isinstance(dbapi_connection, QueuedWriterConnection):
            dbapi_connection.queue_for_write()
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


#: the session's flag (``Session.info``) asking for a checkpoint once its transaction commits
_ERASED = "caunoi.erased"


def erased_personal_data(session: Session) -> None:
    """Say that this transaction erased personal data: once it commits, the erased values also
    leave the database's files (on SQLite, a checkpoint empties the write-ahead log)."""
    session.info[_ERASED] = True


@event.listens_for(Session, "after_commit")
def _checkpoint_after_erasure(session):
    if not session.info.pop(_ERASED, False):
        return
    engine = session.get_bind()
    if engine.dialect.name == "sqlite":
        checkpoint(engine)


@event.listens_for(Session, "after_soft_rollback")
def _nothing_erased(session, previous_transaction):
    if not previous_transaction.nested:  # a savepoint's rollback leaves the outer erasure
        session.info.pop(_ERASED, None)


def checkpoint(engine: Engine) -> None:
    """Copy every page of SQLite's write-ahead log into the database file and empty the log
    (``wal_checkpoint(TRUNCATE)``), so a page holding an erased value survives nowhere.

    It runs after the erasing request's commit, so it waits only CHECKPOINT_WAIT_MS for readers
    of older snapshots (the request's answer must not hang on someone's long read); a log still
    held after that is logged, and the hourly retention job's checkpoint empties it."""
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute(f"PRAGMA busy_timeout={CHECKPOINT_WAIT_MS}")
        try:
            busy, _log_pages, _copied = cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        finally:
            cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    finally:
        raw.close()
    if busy:
        log.warning("the write-ahead log could not be emptied: a reader still holds it")


#: session.info key: work `write_apart` left for the request's writer transaction
_LATE_WRITES = "caunoi.late_writes"
#: session.info key: the (model, id) rows locked by the current transaction
_LOCKED = "caunoi.locked"
#: session.info key: set by `begin_write` until the transaction ends
_WRITING = "caunoi.writing"


def begin_write(session):
    """Make the session's transaction a writer (for services, CLI commands, tests and threads).

    Without a transaction, one begins as a writer. On SQLite, in a `writes_late` view, the
    transaction that began as a reader ends, keeping what it loaded, and a writer begins: what
    decides a write is read again inside it. Work `write_apart` held back runs first."""
    if isinstance(session, scoped_session):
        session = session()
    if (
        session.in_transaction()
        and session.get_bind().dialect.name == "sqlite"
        and has_request_context()
        and _request_writes_late()
        and not session.connection().info.get(_WRITER)
    ):
        if session.new or session.dirty or session.deleted:
            raise RuntimeError("a reader transaction changed rows before begin_write")
        session.expire_on_commit = False
        try:
            session.commit()
        finally:
            session.expire_on_commit = True
    if not session.in_transaction():
        session.connection(execution_options={"sqlite_immediate": True})
    session.info[_WRITING] = True
    for work in session.info.pop(_LATE_WRITES, []):
        work(session)


def locked(session, model, ident, *options):
    """Load one row and hold it until the transaction ends; None when it does not exist.

    A row this transaction already locked is answered from the session, without asking again.
    `options` are loader options (e.g. the shift's campaign joined in the same statement), made
    once by the caller; only the row of `model` is locked."""
    held = session.info.setdefault(_LOCKED, set())
    if (model, ident) in held:
        found = session.get(model, ident)
        if found is not None:
            return found
    rows = session.scalars(_lock_statement(model, options), {"ident": ident})
    found = rows.unique().one_or_none()
    if found is not None:
        held.add((model, ident))
    return found


def lock_row(session, model, ident, columns, figures=(), params=None):
    """Hold one row until the transaction ends, reading its `columns` and then `figures`
    (scalar subqueries, e.g. the bookings that decide a verdict); a Row of all their values,
    or None when the row does not exist. The row's object in the session is left as it was:
    the caller compares what it holds with what was read under the lock.

    On SQLite it is one statement: the writer transaction already excludes every other writer,
    so everything it reads is current; so it is for a row the transaction holds already. On
    PostgreSQL, for a row not yet held, the figures come in a second statement:
    a statement that waited for a row lock reads that row as it is now, but its subqueries see
    the snapshot taken before the wait (READ COMMITTED), blind to what the lock's previous
    holder committed. `columns` and `figures` are tuples made once by the caller (the
    statements are built once for them); `params` binds their parameters."""
    held = session.info.setdefault(_LOCKED, set())
    # a coordinator's placements lock all their rows first: nothing is awaited, and nothing stale
    at_once = (model, ident) in held or session.get_bind().dialect.name == "sqlite"
    bound = {**(params or {}), "ident": ident}
    together = columns + figures if at_once else columns
    # plain values: on the session's connection, without the ORM's execution layer, once what
    # the session holds is written (as its own execute would autoflush)
    session.flush()
    connection = session.connection()
    row = connection.execute(_row_lock_statement(model, together), bound).one_or_none()
    if row is None:
        return None
    held.add((model, ident))
    if at_once or not figures:
        return row
    return tuple(row) + tuple(connection.execute(_figures_statement(figures), bound).one())


@functools.lru_cache(maxsize=64)
def _lock_statement(model, options):
    """`locked`'s statement for a model and its loader options, built once (a booking runs it
    inside the write lock). Options passed as constants hit this cache."""
    # populate_existing: a row already in the session is re-read under the lock, never stale.
    return (
        select(model)
        .where(model.id == bindparam("ident"))
        .options(*options)
        .with_for_update(of=model)
        .execution_options(populate_existing=True)
    )


@functools.lru_cache(maxsize=64)
def _row_lock_statement(model, columns):
    """`lock_row`'s statement for a model and its columns, built once."""
    return (
        select(*columns)
        .select_from(model)
        .where(model.id == bindparam("ident"))
        .with_for_update(of=model)
    )


@functools.lru_cache(maxsize=64)
def _figures_statement(figures):
    """`lock_row`'s second statement on PostgreSQL, built once."""
    return select(*figures)


def lock_people(session, model, idents) -> None:
    """Hold these rows (people, in id order) until the transaction ends, without reading them.

    On SQLite the writer transaction already excludes every other writer: nothing to ask."""
    if session.get_bind().dialect.name == "sqlite":
        return
    held = session.info.setdefault(_LOCKED, set())
    wanted = sorted(i for i in set(idents) if (model, i) not in held)
    if wanted:
        session.execute(
            select(model.id).where(model.id.in_(wanted)).order_by(model.id).with_for_update()
        )
        held.update((model, i) for i in wanted)


def read_holding(session, statement, params, model, ident):
    """The one object `statement` reads while it locks `model`'s row `ident` (joined to the
    read and named in its ``FOR UPDATE OF``), or None when it reads nothing (and nothing is
    held). A booking reads its shift and locks its person in one statement: the person's lock
    comes first (people before shifts) and costs no statement of its own. On SQLite, a read."""
    found = session.scalars(statement, params).unique().one_or_none()
    if found is not None and session.get_bind().dialect.name != "sqlite":
        session.info.setdefault(_LOCKED, set()).add((model, ident))
    return found


@event.listens_for(Session, "after_transaction_end")
def _locks_released(session, transaction):
    """A transaction's end (or a savepoint's) releases its row locks: forget them."""
    session.info.pop(_LOCKED, None)
    if transaction.parent is None:
        session.info.pop(_WRITING, None)


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
    ``work`` runs in the request's session and is committed with the request's one commit. In a
    `writes_late` view, ``work`` waits for the request's writer transaction (`begin_write`) and
    is committed with it; None is returned. A request that ends without writing drops it: the
    fact is recorded by a later request.
    """
    from app.extensions import db

    request_session = db.session()
    if has_request_context() and request.method in WRITE_METHODS:
        if _request_writes_late() and not request_session.info.get(_WRITING):
            request_session.info.setdefault(_LATE_WRITES, []).append(work)
            return None  # type: ignore[return-value]
        if request_session.in_transaction():
            result = work(request_session)
            request_session.flush()
            return result
    with Session(bind=request_session.get_bind(), expire_on_commit=False) as session:
        session.connection(execution_options={"sqlite_immediate": True})
        result = work(session)
        session.commit()
    return result
