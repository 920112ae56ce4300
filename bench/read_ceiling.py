"""The read ceiling: `GET /api/v1/shifts` over a bare Flask + SQLite endpoint answering the same
question, each under gunicorn with 2 workers, on the same demo database, in the same run.

    python -m bench.read_ceiling [--as volunteer1@demo.local] [--seconds 8] [--rounds 3]

Starts the demo site (bench/site.py), takes a bearer token, then starts `bench/bare_app.py` (a
bench-only Flask app: one plain sqlite3 statement, no ORM, no authentication) with gunicorn on
the same database file. Checks that both list the same shifts of Bồ Đề tomorrow, then measures
each in turn, ROUNDS times (the machine is shared: the median ratio is printed), CONCURRENCY at a
time, one connection per request, and prints requests/s and the ratio API / bare (goal ≥ 0.5),
and the workers' CPU per request (from /proc), bare / API: the bare endpoint's rate is bounded by
the client (a Python thread pool on the same cores), its CPU is not.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench.booking_rush import HOST, _bin, _free_port, _stop
from bench.load import cpu_per_request
from bench.page_ratio import _tomorrow
from bench.site import VOLUNTEER, Site, demo_site

ROOT = Path(__file__).resolve().parent.parent
BO_DE = "00130"


def _start_bare(database_file: str, port: int, workers: int):
    server = subprocess.Popen(
        [_bin("gunicorn"), "-w", str(workers), "-b", f"{HOST}:{port}", "bench.bare_app:app"],
        cwd=ROOT,
        env={**os.environ, "BARE_DATABASE": database_file},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    bare = Site(port)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if bare.get("/healthz")[0] == 200:
                return server, bare
        except OSError:
            time.sleep(0.2)
    _stop(server)
    raise RuntimeError("the bare app did not start")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.read_ceiling", description=__doc__)
    parser.add_argument("--as", dest="who", default=VOLUNTEER)
    parser.add_argument("--seconds", type=float, default=6.0)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    day = _tomorrow()
    api_url = f"/api/v1/shifts?commune={BO_DE}&date={day}"
    bare_url = f"/shifts?commune={BO_DE}&date={day}"
    print(
        f"read ceiling: {api_url} (bearer token of {args.who}) against a bare Flask + sqlite3 "
        f"endpoint, gunicorn {args.workers} workers each, concurrency {args.concurrency}, "
        f"{args.rounds} rounds of up to {args.seconds:.0f} s or {args.requests} requests",
        flush=True,
    )
    bare_server = None
    with demo_site(workers=args.workers) as site:
        try:
            headers = {"Authorization": f"Bearer {site.bearer(args.who)}"}
            bare_server, bare = _start_bare(
                site.database.removeprefix("sqlite:///"), _free_port(), args.workers
            )
            status, body, _ = site.get(api_url, headers=headers)
            bare_status, bare_body, _ = bare.get(bare_url)
            listed, bare_listed = json.loads(body), json.loads(bare_body)
            same = [s["id"] for s in listed] == [s["id"] for s in bare_listed]
            print(
                f"  check: the API lists {len(listed)} shifts (HTTP {status}), the bare endpoint "
                f"{len(bare_listed)} (HTTP {bare_status}): {'the same' if same else 'DIFFERENT'}",
                flush=True,
            )
            if status != 200 or bare_status != 200 or not same or not listed:
                return 1
            ratios, cpu_ratios = [], []
            for round_ in range(1, args.rounds + 1):
                api, done, bad, _, api_cpu = cpu_per_request(
                    site.pid,
                    lambda: site.get(api_url, headers=headers)[0],
                    args.concurrency,
                    args.seconds,
                    args.requests,
                )
                ceiling, bare_done, bare_bad, _, bare_cpu = cpu_per_request(
                    bare_server.pid,
                    lambda: bare.get(bare_url)[0],
                    args.concurrency,
                    args.seconds,
                    args.requests,
                )
                ratios.append(api / ceiling)
                cpu_ratios.append(bare_cpu / api_cpu)
                print(
                    f"  round {round_}: API {api:6.0f} req/s ({done}, {bad} not 200; workers' CPU "
                    f"{api_cpu:.2f} ms per request), bare {ceiling:6.0f} req/s ({bare_done}, "
                    f"{bare_bad} not 200; {bare_cpu:.2f} ms): ratio {api / ceiling:.2f}, "
                    f"CPU bare / API {bare_cpu / api_cpu:.2f}",
                    flush=True,
                )
            print(
                f"read ceiling (median of {args.rounds} rounds): requests/s API / bare "
                f"{statistics.median(ratios):.2f}, workers' CPU per request bare / API "
                f"{statistics.median(cpu_ratios):.2f} (goal 0.5)"
            )
        finally:
            if bare_server is not None:
                _stop(bare_server)
    return 0


if __name__ == "__main__":
    sys.exit(main())
