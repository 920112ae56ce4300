"""Compression levels for the site's small pages: the CPU each level costs against the bytes it
saves on a 400 kbit/s link.

    python -m bench.compression [--repeat 20]

Starts the demo site (bench/site.py), fetches typical answers uncompressed (pages as a volunteer,
a ward coordinator and a learner, the site's CSS and the JSON of the API's shift listing), then
compresses each one in this process with the calls Flask-Compress makes (zstd, Brotli, gzip) at
every level: the best of 5 timings of REPEAT compressions each, so another process on the machine
only makes a figure slower, never faster. Prints per level the total bytes, the mean CPU per
answer, and what one answer costs a reader on a 400 kbit/s link: compression time plus transfer
time (bytes × 8 / 400 kbit/s), beside the configured levels (COMPRESS_ZSTD_LEVEL, COMPRESS_BR_LEVEL,
COMPRESS_LEVEL).
"""

import argparse
import statistics
import sys
import time

import brotli
from flask_compress.compat import compression

from bench.page_ratio import _tomorrow
from bench.site import LEARNER, VOLUNTEER, demo_site

#: bits per second of the slow link of bench.slow_network (a congested 3G phone)
LINK = 400_000
COORDINATOR = "bode@demo.local"

PAGES = {
    VOLUNTEER: ["/", "/shifts", "/me/shifts", "/courses"],
    COORDINATOR: ["/coverage", "/impact"],
    LEARNER: ["/courses/vneid", "/courses/vneid/lessons/what-is-vneid"],
}


def _algorithms():
    """(name, levels, compress(data, level)) as Flask-Compress calls each (its defaults: Brotli
    mode 0, window 22, block 0)."""
    return [
        ("zstd", range(1, 20), lambda data, level: compression.zstd.compress(data, level)),
        (
            "br",
            range(0, 12),
            lambda data, level: brotli.compress(data, mode=0, quality=level, lgwin=22, lgblock=0),
        ),
        ("gzip", range(1, 10), lambda data, level: compression.gzip.compress(data, level)),
    ]


def _best_time(compress, data, level, repeat):
    best = float("inf")
    for _ in range(5):
        start = time.process_time()
        for _ in range(repeat):
            compress(data, level)
        best = min(best, (time.process_time() - start) / repeat)
    return best


def _answers(site):
    answers = {}
    for who, urls in PAGES.items():
        cookie = site.sign_in(who)
        for url in urls:
            status, body, _headers = site.get(url, cookie=cookie)
            if status == 200:
                answers[url if who != COORDINATOR else f"{url} (coordinator)"] = body
            else:
                print(f"  {url} as {who}: HTTP {status}, left out")
    answers["/static/css/site.css"] = site.get("/static/css/site.css")[1]
    token = site.bearer(VOLUNTEER)
    api = f"/api/v1/shifts?commune=00130&date={_tomorrow()}"
    answers[api] = site.get(api, headers={"Authorization": f"Bearer {token}"})[1]
    return answers


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.compression", description=__doc__)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    from app.config import DEFAULTS

    configured = {
        "zstd": DEFAULTS.get("COMPRESS_ZSTD_LEVEL", 3),
        "br": DEFAULTS.get("COMPRESS_BR_LEVEL", 4),
        "gzip": DEFAULTS.get("COMPRESS_LEVEL", 6),
    }
    with demo_site() as site:
        answers = _answers(site)
    raw = sum(len(body) for body in answers.values())
    print(
        f"compression: {len(answers)} answers, {raw:,} bytes uncompressed "
        f"(median {statistics.median(len(b) for b in answers.values()):,.0f}); "
        f"link {LINK // 1000} kbit/s; CPU: best of 5 x {args.repeat} compressions"
    )
    for url, body in answers.items():
        print(f"  {len(body):7,} B  {url}")
    print(
        "  algorithm level | bytes (all answers) | saved vs previous level | CPU per answer "
        "| reader's cost per answer (CPU + transfer)"
    )
    for name, levels, compress in _algorithms():
        previous = None
        for level in levels:
            sizes, times = [], []
            for body in answers.values():
                sizes.append(len(compress(body, level)))
                times.append(_best_time(compress, body, level, args.repeat))
            total = sum(sizes)
            cpu_ms = 1000 * statistics.mean(times)
            transfer_ms = 1000 * statistics.mean(sizes) * 8 / LINK
            saved = "" if previous is None else f"{previous - total:+,} B"
            mark = "  <- configured" if level == configured[name] else ""
            print(
                f"  {name:4} {level:2} | {total:8,} B ({100 * total / raw:4.1f} %) | {saved:>9} | "
                f"{cpu_ms:6.3f} ms | {cpu_ms + transfer_ms:7.2f} ms{mark}",
                flush=True,
            )
            previous = total
    return 0


if __name__ == "__main__":
    sys.exit(main())
