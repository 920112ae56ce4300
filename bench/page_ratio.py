"""Pages under gunicorn as a ratio to a trivial endpoint of the same server, in the same run.

    python -m bench.page_ratio [--as volunteer1@demo.local] [--seconds 8] URL [URL ...]
    python -m bench.page_ratio /shifts /me/shifts --as volunteer1@demo.local
    python -m bench.page_ratio /coverage --as bode@demo.local      (after the coverage board)

Starts the demo site (bench/site.py: scratch SQLite with the demo data, gunicorn with 2 sync
workers), signs in as the given demo person (all demo passwords: demo-pass), checks that each
URL answers 200, sends it WARMUP requests unmeasured (each worker compiles its statements and
fills its caches), then measures it in ROUNDS rounds of GET /healthz followed by the URL:
each as many requests as fit in SECONDS (at most REQUESTS), CONCURRENCY at a time, one
connection per request. Prints each round's requests/s and the median of the rounds' ratios to
/healthz, the ceiling of this stack on this machine: the client shares the machine, and a
single pair of readings moved by a tenth from one run to the next.

Beside each rate, the workers' CPU per request (from /proc) and /healthz's CPU per request over
this one's: the rate of the cheapest answers is bounded by the client (a Python thread pool on
the same cores), their CPU is not.

A URL under /api/ is sent with a bearer token of the same person instead of the cookie, and
compared with /healthz sent without any credential (a bearer token is read on API routes only;
the cookie makes every route load the user). By default the API's listing of Bồ Đề's shifts
tomorrow (`GET /api/v1/shifts?commune=00130&date=…`) follows the pages.
"""

import argparse
import statistics
import sys
from datetime import timedelta

from bench.load import cpu_per_request, throughput
from bench.site import VOLUNTEER, demo_site

DEFAULT_URLS = ["/shifts", "/me/shifts", "/courses", "/api/v1/shifts?commune=00130&date={tomorrow}"]


def _tomorrow() -> str:
    from app.localtime import local_today

    return (local_today() + timedelta(days=1)).isoformat()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.page_ratio", description=__doc__)
    parser.add_argument("urls", nargs="*", default=DEFAULT_URLS)
    parser.add_argument("--as", dest="who", default=VOLUNTEER, help="demo account's email")
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3, help="rounds of /healthz then the URL")
    parser.add_argument("--warmup", type=int, default=200, help="requests of each URL unmeasured")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    print(
        f"page ratio: gunicorn {args.workers} workers, as {args.who}, concurrency "
        f"{args.concurrency}, up to {args.seconds:.0f} s or {args.requests} requests each",
        flush=True,
    )
    status = 0
    urls = [url.format(tomorrow=_tomorrow()) for url in args.urls]
    with demo_site(workers=args.workers) as site:
        cookie = site.sign_in(args.who)
        token = site.bearer(args.who) if any(u.startswith("/api/") for u in urls) else None

        def fetch(url):
            if url.startswith("/api/"):
                return site.get(url, headers={"Authorization": f"Bearer {token}"})[0]
            return site.get(url, cookie=cookie)[0]

        for url in urls:
            answer = fetch(url)
            if answer != 200:
                print(f"  {url}: HTTP {answer} as {args.who}: not measured")
                status = 1
        measured = [u for u in urls if fetch(u) == 200]

        def measure(get_status):
            rate, done, bad, _elapsed, cpu = cpu_per_request(
                site.pid, get_status, args.concurrency, args.seconds, args.requests
            )
            return rate, done, bad, cpu

        for url in measured:
            # the API is compared with /healthz sent without credentials, a page with the cookie
            credential = None if url.startswith("/api/") else cookie
            # every worker has compiled the URL's statements and warmed its caches first
            throughput(lambda url=url: fetch(url), args.concurrency, args.seconds, args.warmup)
            with_what = "without credentials" if credential is None else "with the session cookie"
            ratios, cpu_ratios = [], []
            for round_ in range(1, args.rounds + 1):
                base, base_done, base_bad, base_cpu = measure(
                    lambda credential=credential: site.get("/healthz", cookie=credential)[0]
                )
                rate, done, bad, cpu = measure(lambda url=url: fetch(url))
                ratios.append(rate / base)
                cpu_ratios.append(base_cpu / cpu)
                print(
                    f"  round {round_}: /healthz {with_what} {base:5.0f} req/s ({base_done}, "
                    f"{base_bad} not 200; workers' CPU {base_cpu:.2f} ms), this {rate:5.0f} "
                    f"req/s ({done}, {bad} not 200; {cpu:.2f} ms): ratio {rate / base:.2f}",
                    flush=True,
                )
            print(
                f"  {url}  ratio to /healthz {statistics.median(ratios):.2f} (median of "
                f"{args.rounds} rounds; /healthz's workers' CPU / this "
                f"{statistics.median(cpu_ratios):.2f})",
                flush=True,
            )
    return status


if __name__ == "__main__":
    sys.exit(main())
