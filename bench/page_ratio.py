"""Pages under gunicorn as a ratio to a trivial endpoint of the same server, in the same run.

    python -m bench.page_ratio [--as volunteer1@demo.local] [--seconds 8] URL [URL ...]
    python -m bench.page_ratio /shifts /me/shifts --as volunteer1@demo.local
    python -m bench.page_ratio /coverage --as bode@demo.local      (after the coverage board)

Starts the demo site (bench/site.py: scratch SQLite with the demo data, gunicorn with 2 sync
workers), signs in as the given demo person (all demo passwords: demo-pass), checks that each
URL answers 200, then measures GET /healthz and each URL: as many requests as fit in SECONDS
(at most REQUESTS), CONCURRENCY at a time, one connection per request. Prints requests/s and the
ratio to /healthz, the ceiling of this stack on this machine. The client shares the machine.
"""

import argparse
import sys

from bench.load import throughput
from bench.site import VOLUNTEER, demo_site

DEFAULT_URLS = ["/shifts", "/me/shifts", "/courses"]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.page_ratio", description=__doc__)
    parser.add_argument("urls", nargs="*", default=DEFAULT_URLS)
    parser.add_argument("--as", dest="who", default=VOLUNTEER, help="demo account's email")
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    print(
        f"page ratio: gunicorn {args.workers} workers, as {args.who}, concurrency "
        f"{args.concurrency}, up to {args.seconds:.0f} s or {args.requests} requests each",
        flush=True,
    )
    status = 0
    with demo_site(workers=args.workers) as site:
        cookie = site.sign_in(args.who)
        for url in args.urls:
            answer = site.get(url, cookie=cookie)[0]
            if answer != 200:
                print(f"  {url}: HTTP {answer} as {args.who}: not measured")
                status = 1
        measured = [u for u in args.urls if site.get(u, cookie=cookie)[0] == 200]
        base, done, bad, _elapsed = throughput(
            lambda: site.get("/healthz", cookie=cookie)[0],
            args.concurrency,
            args.seconds,
            args.requests,
        )
        print(f"  {base:7.0f} req/s  /healthz ({done} requests, {bad} not 200)", flush=True)
        for url in measured:
            rate, done, bad, _elapsed = throughput(
                lambda url=url: site.get(url, cookie=cookie)[0],
                args.concurrency,
                args.seconds,
                args.requests,
            )
            print(
                f"  {rate:7.0f} req/s  {url}  ratio to /healthz {rate / base:.2f} "
                f"({done} requests, {bad} not 200)",
                flush=True,
            )
    return status


if __name__ == "__main__":
    sys.exit(main())
