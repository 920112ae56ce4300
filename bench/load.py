"""A bounded read load, shared by the benchmarks that compare a page with `/healthz`."""

import threading
import time


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
