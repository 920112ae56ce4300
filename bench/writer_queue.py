"""SQLite writers: queued on the lock file, or left to SQLite's busy handler.

    python -m bench.writer_queue [--processes 4] [--transactions 300]

Several processes each run short write transactions (``BEGIN IMMEDIATE``, a count, a few inserts
and `--inside-ms` of Python work, COMMIT) separated by `--outside-ms` of work without the lock,
on one scratch SQLite file in WAL mode, as gunicorn's workers do during a booking rush,
first with the site's connection (`app.database.QueuedWriterConnection`: writers queue on
``<database>-writers`` with ``flock``), then with SQLite's busy handler alone (busy_timeout; a
waiting writer sleeps 1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100 ms… between tries).

Prints transactions/s, how long a writer waited for the lock (p50/p95), how long it held it,
and the **lock's use**: the share of the run during which some writer held the lock. The lock is
the only thing these writers share, so a use far below 100 % is time lost to sleeping writers
that were not woken when it freed; that share depends little on the machine's load.
"""

import argparse
import multiprocessing
import os
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

ROWS_PER_TRANSACTION = 5


def _work(ms):
    """Keep the CPU busy this long, as a request's Python code does."""
    until = time.perf_counter() + ms / 1000
    while time.perf_counter() < until:
        pass


def _writer(path, queued, transactions, inside_ms, outside_ms, results):
    from app.database import QueuedWriterConnection, _queued_writers

    factory = _queued_writers(path + "-writers") if queued else sqlite3.Connection
    conn = sqlite3.connect(path, isolation_level=None, timeout=30, factory=factory)
    conn.execute("PRAGMA busy_timeout=30000")
    conn.execute("PRAGMA synchronous=NORMAL")
    spans = []
    for n in range(transactions):
        _work(outside_ms)
        asked = time.perf_counter()
        if isinstance(conn, QueuedWriterConnection):
            conn.queue_for_write()
        conn.execute("BEGIN IMMEDIATE")
        granted = time.perf_counter()
        conn.execute("SELECT count(*) FROM bookings WHERE shift_id = ?", (n % 30,)).fetchone()
        conn.executemany(
            "INSERT INTO bookings (shift_id, payload) VALUES (?, ?)",
            [(n % 30, "x" * 200)] * ROWS_PER_TRANSACTION,
        )
        _work(inside_ms)
        conn.commit()
        spans.append((asked, granted, time.perf_counter()))
    conn.close()
    results.put(spans)


def _run(processes, transactions, queued, inside_ms, outside_ms):
    workdir = tempfile.mkdtemp(prefix="caunoi-writers-")
    path = str(Path(workdir) / "writers.sqlite3")
    setup = sqlite3.connect(path, isolation_level=None)
    setup.execute("PRAGMA journal_mode=WAL")
    setup.execute("CREATE TABLE bookings (id INTEGER PRIMARY KEY, shift_id INT, payload TEXT)")
    setup.execute("CREATE INDEX ix_shift ON bookings (shift_id)")
    setup.close()
    results = multiprocessing.Queue()
    workers = [
        multiprocessing.Process(
            target=_writer, args=(path, queued, transactions, inside_ms, outside_ms, results)
        )
        for _ in range(processes)
    ]
    for worker in workers:
        worker.start()
    spans = [span for _ in workers for span in results.get()]
    for worker in workers:
        worker.join()
    for name in os.listdir(workdir):
        os.unlink(Path(workdir) / name)
    os.rmdir(workdir)
    return spans


def _percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def _report(label, spans):
    start = min(a for a, _g, _d in spans)
    end = max(d for _a, _g, d in spans)
    waits = [(g - a) * 1000 for a, g, _d in spans]
    holds = [(d - g) * 1000 for _a, g, d in spans]
    use = sum(holds) / ((end - start) * 1000)
    print(
        f"{label}: {len(spans) / (end - start):.0f} transactions/s; waited p50 "
        f"{_percentile(waits, 0.5):.1f} ms, p95 {_percentile(waits, 0.95):.1f} ms; held p50 "
        f"{_percentile(holds, 0.5):.2f} ms; lock in use {use:.0%} of the run",
        flush=True,
    )
    return use


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.writer_queue", description=__doc__)
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--transactions", type=int, default=300)
    parser.add_argument("--inside-ms", type=float, default=1.0, help="work holding the lock")
    parser.add_argument("--outside-ms", type=float, default=2.0, help="work between two")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    print(
        f"writer_queue: {args.processes} processes x {args.transactions} write transactions "
        f"of {ROWS_PER_TRANSACTION} inserts and {args.inside_ms} ms of work, "
        f"{args.outside_ms} ms of work between two, on one SQLite file (WAL)",
        flush=True,
    )
    shape = (args.inside_ms, args.outside_ms)
    queued = _report(
        "queued on the lock file", _run(args.processes, args.transactions, True, *shape)
    )
    busy = _report(
        "busy handler only      ", _run(args.processes, args.transactions, False, *shape)
    )
    print(f"lock's use, queued / busy handler = {queued / busy:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
