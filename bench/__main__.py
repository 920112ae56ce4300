"""`python -m bench` (`make bench`): run every benchmark of this package, then write a dated
section with the machine and every figure to docs/PERFORMANCE.md (replacing that day's section).

Each module exposes ``main(argv) -> int`` and bounds its own running time; the whole run stays
under 15 minutes on 2 cores. A benchmark that fails is reported and the others still run.
Options: `--no-report` (print only), `--only NAME` (e.g. page_weight; repeatable), `--rows N`
(the assisted submissions of the national benchmark, 10,000,000 by default: a smaller run on a
busy machine).
"""

import argparse
import contextlib
import io
import os
import platform
import re
import sqlite3
import subprocess
import sys
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path

from bench import (
    booking_rush,
    compression,
    dashboard,
    deliveries,
    imports,
    national,
    page_ratio,
    page_weight,
    read_ceiling,
    scale,
    slow_network,
    two_servers,
    writer_queue,
)

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "docs" / "PERFORMANCE.md"

#: (name, module, argv): a new bench module joins here
BENCHMARKS = [
    ("booking_rush --db sqlite", booking_rush, ["--db", "sqlite"]),
    ("booking_rush --db postgresql", booking_rush, ["--db", "postgresql"]),
    ("writer_queue", writer_queue, []),
    ("scale --db sqlite", scale, ["--db", "sqlite"]),
    ("scale --db postgresql", scale, ["--db", "postgresql"]),
    ("two_servers", two_servers, []),
    ("page_ratio", page_ratio, []),
    (
        "page_ratio coverage board and impact dashboard",
        page_ratio,
        ["/coverage", "/impact", "--as", "bode@demo.local"],
    ),
    ("read_ceiling", read_ceiling, []),
    ("compression", compression, []),
    ("dashboard --db sqlite", dashboard, ["--db", "sqlite"]),
    ("dashboard --db postgresql", dashboard, ["--db", "postgresql"]),
    ("page_weight", page_weight, []),
    ("slow_network", slow_network, []),
    ("deliveries", deliveries, []),
    ("imports", imports, []),
    ("national --db sqlite", national, ["--db", "sqlite"]),
    ("national --db postgresql", national, ["--db", "postgresql"]),
]
#: the benchmarks whose size `--rows` sets
SIZED = {national}


class Tee(io.TextIOBase):
    """Print as it comes and keep a copy (alembic's log lines left out of the copy)."""

    def __init__(self, stream):
        self.stream, self.kept = stream, io.StringIO()

    def write(self, text):
        self.stream.write(text)
        self.stream.flush()
        self.kept.write(text)
        return len(text)

    def flush(self):
        self.stream.flush()

    def value(self):
        return "\n".join(
            line for line in self.kept.getvalue().splitlines() if "alembic.runtime" not in line
        )


def _first(pattern, text, default="?"):
    match = re.search(pattern, text, re.MULTILINE)
    return match.group(1).strip() if match else default


def _postgresql_version():
    try:
        import psycopg

        with psycopg.connect(booking_rush.PG_ADMIN, connect_timeout=3) as conn:
            return conn.execute("SHOW server_version").fetchone()[0]
    except Exception as error:  # noqa: BLE001  (a figure, not a failure)
        return f"unreachable ({type(error).__name__})"


def machine() -> dict:
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    meminfo = Path("/proc/meminfo").read_text() if Path("/proc/meminfo").exists() else ""
    ram_kb = int(_first(r"^MemTotal:\s+(\d+)", meminfo, "0"))
    try:
        import gunicorn

        gunicorn_version = gunicorn.__version__
    except ImportError:
        gunicorn_version = "?"
    try:
        chromium = subprocess.run(
            ["/usr/bin/chromium", "--version"], capture_output=True, text=True, timeout=20
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        chromium = "missing"
    return {
        "CPU": _first(r"^model name\s*:\s*(.+)$", cpuinfo, platform.processor() or "?"),
        "cores": f"{os.cpu_count()} (load average before the run: "
        f"{', '.join(f'{x:.1f}' for x in os.getloadavg())})",
        "RAM": f"{ram_kb / 1024 / 1024:.1f} GB",
        "OS": platform.platform(),
        "Python": platform.python_version(),
        "SQLite": sqlite3.sqlite_version,
        "PostgreSQL": _postgresql_version(),
        "gunicorn": gunicorn_version,
        "Chromium": chromium,
    }


def run(selected):
    results = []
    for name, module, argv in selected:
        tee = Tee(sys.stdout)
        began = time.monotonic()
        print(f"== {name}", flush=True)
        with contextlib.redirect_stdout(tee):
            try:
                status = module.main(list(argv))
            except Exception:  # noqa: BLE001  (report it, run the others)
                traceback.print_exc(file=tee)
                status = 2
        results.append((name, status, time.monotonic() - began, tee.value()))
    return results


def section(day, facts, results, total):
    lines = [
        f"<!-- bench:{day} -->",
        f"## `make bench` of {day}",
        "",
        "Written by `python -m bench` (figures of one run; see the reading of each benchmark "
        "above for what they mean). Status 0: the benchmark's own checks held (no 5xx, no shift "
        "over capacity, no page over 50 KB).",
        "",
        "| Machine | |",
        "| --- | --- |",
        *[f"| {k} | {v} |" for k, v in facts.items()],
        f"| whole run | {total:.0f} s |",
        "",
    ]
    for name, status, seconds, output in results:
        lines += [
            f"### {name} (status {status}, {seconds:.0f} s)",
            "",
            "```",
            output.strip(),
            "```",
            "",
        ]
    lines.append(f"<!-- /bench:{day} -->")
    return "\n".join(lines) + "\n"


def write_report(text, day):
    current = REPORT.read_text() if REPORT.exists() else "# Performance\n"
    pattern = re.compile(
        rf"<!-- bench:{re.escape(day)} -->.*?<!-- /bench:{re.escape(day)} -->\n?", re.S
    )
    if pattern.search(current):
        updated = pattern.sub(lambda _m: text, current)
    else:
        updated = current.rstrip("\n") + "\n\n" + text
    REPORT.write_text(updated)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--no-report", action="store_true")
    parser.add_argument("--only", action="append", default=[])
    parser.add_argument("--rows", type=int)
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    selected = [
        (
            name,
            module,
            [*given, "--rows", str(args.rows)] if args.rows and module in SIZED else given,
        )
        for name, module, given in BENCHMARKS
        if not args.only or name.split()[0] in args.only
    ]
    began = time.monotonic()
    facts = machine()
    results = run(selected)
    total = time.monotonic() - began
    print(f"== all benchmarks in {total:.0f} s")
    for name, status, seconds, _output in results:
        print(f"   {name}: status {status}, {seconds:.0f} s")
    if not args.no_report:
        day = datetime.now(UTC).strftime("%Y-%m-%d")
        write_report(section(day, facts, results, total), day)
        print(f"== report: {REPORT.relative_to(ROOT)}, section of {day}")
    return max((status for _n, status, _s, _o in results), default=0)


if __name__ == "__main__":
    sys.exit(main())
