"""A bounded read load, shared by the benchmarks that compare a page with `/healthz`."""

import os
import threading
import time
from pathlib import Path


def throughput(get_status, concurrency, seconds, limit):
    """Requests/s of `get_status()` (one request, its HTTP status): as many as fit in `seconds`,
    at most `limit`, `concurrency` at once. Returns (rate, requests, not 200, elapsed seconds)."""
    lock = threading.Lock()
    state = {"sent": 0, "ok": 0, "bad": 0}
    deadline = time.monotonic() + seconds

    def worker():
        while True:
            with lock:
                if state["sent"] >= limit or time.monotonic() >= deadline:
                    return
                state["sent"] += 1
            try:
                status = get_status()
            except OSError:
                status = 0
            with lock:
                state["ok" if status == 200 else "bad"] += 1

    start = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    done = state["ok"] + state["bad"]
    return done / elapsed, done, state["bad"], elapsed


def server_cpu_seconds(master_pid: int) -> float:
    """CPU seconds (user + system) used so far by a gunicorn master's workers (Linux /proc).

    Requests/s through a Python client on the same cores is bounded by the client itself for
    the cheapest answers (it costs about as much as /healthz); the workers' CPU per request is
    not, and is less moved by other work on the machine."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master_pid:  # ppid
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / tick


def cpu_per_request(master_pid: int, get_status, concurrency, seconds, limit):
    """throughput(...) and the workers' CPU milliseconds per request over the same requests."""
    before = server_cpu_seconds(master_pid)
    rate, done, bad, elapsed = throughput(get_status, concurrency, seconds, limit)
    used = server_cpu_seconds(master_pid) - before
    return rate, done, bad, elapsed, 1000 * used / max(done, 1)
