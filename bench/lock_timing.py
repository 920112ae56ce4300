"""gunicorn settings for the booking rush: the site's own (gunicorn.conf.py, its hooks too),
plus, in each worker, a record of how long every write transaction holds its lock. Bench-only:
nothing here is loaded by the site.

The lock is held from the moment it is granted to the end of the COMMIT (or ROLLBACK):

- SQLite: from the return of ``BEGIN IMMEDIATE`` (the file's single write lock) to the session's
  ``after_commit``/``after_rollback``, which SQLAlchemy fires once the database has answered
  (this listener runs before the site's own, e.g. the task queue's hand-over of deliveries);
- PostgreSQL: from the return of the ``SELECT … FOR UPDATE OF shifts`` (the shift's row lock) to
  the same events. The read before it that locks the person (``FOR UPDATE OF users``) is not
  the shift's lock: other bookers of the shift do not wait for it.

Each hold is appended, in milliseconds, to the file named by BENCH_LOCK_LOG (one line each,
written after the lock is released, through a descriptor each worker opens once).
BENCH_NO_WRITER_QUEUE=1 turns off the SQLite writers' lock file (app/database.py), so the bench
can show what SQLite's busy handler alone does.
BENCH_PROFILE=DIR profiles each worker (cProfile) and writes DIR/<pid>.prof when it exits.
"""

import cProfile
import os
import runpy
import threading
import time
from pathlib import Path

#: the site's own settings; its hooks are this file's too
_site = runpy.run_path(str(Path(__file__).resolve().parent.parent / "gunicorn.conf.py"))
post_worker_init = _site["post_worker_init"]

_held = threading.local()
#: the worker's descriptor of BENCH_LOCK_LOG, opened once in `post_fork`. Opening and closing
#: the file at every commit took 1.3 % of a worker's time in a matched rush (py-spy samples;
#: 0.5 % with the descriptor kept), a cost of the bench's own that the bare insert does not
#: pay. O_APPEND: each line lands at the end, also after the bench empties the file.
_log = -1
#: CPU time, not wall time: on a shared machine a worker waits for a core as often as for a lock
_profile = cProfile.Profile(time.process_time)


def _granted(conn, _cursor, statement, _parameters, _context, _executemany):
    if getattr(_held, "since", None) is not None:
        return
    text = statement.lstrip()
    if conn.dialect.name == "sqlite":
        if text.startswith("BEGIN IMMEDIATE"):
            _held.since = time.perf_counter()
    elif "FOR UPDATE OF shifts" in text:
        _held.since = time.perf_counter()


def _released(_session, *_args):
    since, _held.since = getattr(_held, "since", None), None
    if since is None:
        return
    held_ms = (time.perf_counter() - since) * 1000
    os.write(_log, f"{held_ms:.3f}\n".encode())


def post_fork(_server, _worker):
    from sqlalchemy import event
    from sqlalchemy.engine import Engine
    from sqlalchemy.orm import Session

    global _log
    if os.environ.get("BENCH_LOCK_LOG"):
        _log = os.open(os.environ["BENCH_LOCK_LOG"], os.O_WRONLY | os.O_APPEND | os.O_CREAT)
        event.listen(Engine, "after_cursor_execute", _granted)
        # first among the listeners: the site's own after_commit work (handing the deliveries
        # to the task queue) comes after the lock is released and is not part of the hold
        event.listen(Session, "after_commit", _released, insert=True)
        event.listen(Session, "after_rollback", _released, insert=True)
    if os.environ.get("BENCH_NO_WRITER_QUEUE") == "1":
        from app.database import QueuedWriterConnection

        QueuedWriterConnection.queue_for_write = lambda self: None  # type: ignore[method-assign]
    if os.environ.get("BENCH_PROFILE"):
        _profile.enable()


def worker_exit(_server, worker):
    if os.environ.get("BENCH_PROFILE"):
        _profile.disable()
        _profile.dump_stats(os.path.join(os.environ["BENCH_PROFILE"], f"{worker.pid}.prof"))
