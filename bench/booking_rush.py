"""Booking rush: many volunteers book shifts at once through the JSON API, under gunicorn.

    python -m bench.booking_rush --db sqlite
    python -m bench.booking_rush --db postgresql

Prepares a scratch database (a temp SQLite file, or a PostgreSQL database it creates and drops),
loads the places and the demo accounts, creates two campaigns, starts gunicorn on 127.0.0.1 (with
bench/lock_timing.py, which records how long each write transaction holds its lock), takes a
token per volunteer (setup, not timed), then runs four rushes, each on a local day of its own so
no volunteer's bookings overlap: **contended** (30 shifts of 5 places, each volunteer picks one at
random) and **matched** (40 shifts of 20 places, the volunteers spread evenly: every booking finds
room), each at 20 and at 50 in flight. Each prints bookings/s, its ratio to GET /healthz of the
same server in the same run, p50/p95, the answers, 5xx, and the lock hold p50/p95/max; capacity is
checked in the database. On SQLite the contended rush at 50 runs again with the writers' lock file
turned off (bench only), to show what SQLite's busy handler alone does. Then GET /api/v1/shifts
against /healthz. Only loopback addresses are used. Figures and their reading:
docs/PERFORMANCE.md.
"""

import argparse
import http.client
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

from bench import client, load

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_DATABASE = "caunoi_bench"
PASSWORD = "demo-pass"
COMMUNES = 20
DAYS = 7
#: the bench's campaign starts after the demo's "45 ngày đêm" (45 days from today) has ended, so
#: its shifts are new at the same service points and no volunteer holds a booking on those days
START_AFTER_DAYS = 60
#: (name, places per shift, shifts rushed, how volunteers choose): the two shapes of demand
SHAPES = {
    "contended": (5, 30, "random"),
    "matched": (20, 40, "spread"),
}
#: the rushes, in order: (shape, in flight, writers' lock file on)
RUSHES = [
    ("contended", 20, True),
    ("contended", 50, True),
    ("matched", 20, True),
    ("matched", 50, True),
]
#: gunicorn worker processes for the rushes (the bench's default; DEPLOY.md says what to run)
WORKERS = 2
#: on SQLite, once more without the writers' queue, to show its effect
WITHOUT_QUEUE = ("contended", 50, False)


def _bin(name):
    candidate = Path(sys.executable).parent / name
    return str(candidate) if candidate.exists() else name


def _free_port():
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _environment(url, workdir=None):
    """The site's environment for a bench: its database, no rate limits, and (given a scratch
    directory) a task queue of its own there, so the tasks nobody consumes go with it."""
    env = dict(os.environ)
    if workdir is not None:
        env["TASK_QUEUE_URL"] = "sqlite:///" + str(Path(workdir) / "tasks.sqlite3")
    env.update(
        DATABASE_URL=url,
        FLASK_APP="wsgi",
        SECRET_KEY="bench",
        FLASK_RATELIMIT_ENABLED="false",
        CAUNOI_ENV="development",
    )
    return env


# -- database ---------------------------------------------------------------------------------


def _pg_admin(statement):
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(statement)


def _create_database(kind, workdir):
    if kind == "sqlite":
        return "sqlite:///" + str(Path(workdir) / "bench.sqlite3")
    _pg_admin(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
    _pg_admin(f"CREATE DATABASE {PG_DATABASE}")
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{PG_DATABASE}"


def _drop_database(kind):
    if kind == "postgresql":
        _pg_admin(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")


def _flask(env, *args):
    subprocess.run([_bin("flask"), *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def _in_app(url):
    """An app on the bench database, for setup and the final check (in-process)."""
    os.environ["DATABASE_URL"] = url
    from app import create_app

    return create_app({"SECRET_KEY": "bench", "RATELIMIT_ENABLED": False})


def _prepare(app, rushes):
    """Two campaigns over distinct Hanoi communes, one per shape; each rush gets the shifts of a
    local day of its own. Return ([(shape, target shift ids)] per rush, a commune code and day
    for the read test, the campaign ids)."""
    from sqlalchemy import select

    from app.extensions import db
    from app.localtime import local_date, local_today
    from app.places.models import Commune, Province
    from scheduling.models import Campaign, Shift
    from scheduling.services import generate_shifts

    with app.app_context():
        session = db.session
        hanoi = session.scalar(select(Province).where(Province.code == "01"))
        communes = session.scalars(
            select(Commune)
            .where(Commune.province_id == hanoi.id)
            .order_by(Commune.code)
            .limit(COMMUNES * len(SHAPES))
        ).all()
        first_day = local_today() + timedelta(days=START_AFTER_DAYS)
        campaigns, by_day = {}, {}
        for n, (shape, (places, _count, _choice)) in enumerate(SHAPES.items()):
            campaign = Campaign(
                name=f"Bench: booking rush, {shape}",
                province=hanoi,
                starts_on=first_day,
                ends_on=first_day + timedelta(days=DAYS - 1),
                min_per_shift=1,
                max_per_shift=places,
                weekly_limit=None,
                communes=list(communes[n * COMMUNES : (n + 1) * COMMUNES]),
            )
            session.add(campaign)
            session.flush()
            generate_shifts(session, campaign)
            campaigns[shape] = campaign.id
            for shift_id, starts_at in session.execute(
                select(Shift.id, Shift.starts_at)
                .where(Shift.campaign_id == campaign.id)
                .order_by(Shift.starts_at, Shift.id)
            ):
                by_day.setdefault((shape, local_date(starts_at)), []).append(shift_id)
        session.commit()
        plans, day = [], first_day
        for shape, _flight, _queue in rushes:
            _places, count, _choice = SHAPES[shape]
            targets = by_day.get((shape, day), [])[:count]
            if len(targets) < count:
                raise SystemExit(f"setup: {len(targets)} {shape} shifts on {day}; need {count}")
            plans.append((shape, targets))
            day += timedelta(days=1)
        shapes = ", ".join(f"{s}: {c} shifts of {p} places" for s, (p, c, _) in SHAPES.items())
        print(f"setup: {shapes} per rush, each rush on a day of its own", flush=True)
        return plans, communes[0].code, first_day, list(campaigns.values())


def _over_capacity(app, campaign_ids):
    """(shifts with more confirmed bookings than max_per_shift, confirmed, waitlisted)."""
    totals = [0, 0, 0]
    for campaign_id in campaign_ids:
        for n, figure in enumerate(_campaign_capacity(app, campaign_id)):
            totals[n] += figure
    return tuple(totals)


def _campaign_capacity(app, campaign_id):
    from sqlalchemy import func, select

    from app.extensions import db
    from scheduling.models import Booking, BookingStatus, Campaign, Shift

    with app.app_context():
        session = db.session
        campaign = session.get(Campaign, campaign_id)
        confirmed = (
            select(Booking.shift_id, func.count().label("n"))
            .join(Shift, Shift.id == Booking.shift_id)
            .where(Shift.campaign_id == campaign_id, Booking.status == BookingStatus.CONFIRMED)
            .group_by(Booking.shift_id)
            .subquery()
        )
        over = session.scalar(
            select(func.count())
            .select_from(confirmed)
            .where(confirmed.c.n > campaign.max_per_shift)
        )

        def count(status):
            return session.scalar(
                select(func.count())
                .select_from(Booking)
                .join(Shift, Shift.id == Booking.shift_id)
                .where(Shift.campaign_id == campaign_id, Booking.status == status)
            )

        result = over, count(BookingStatus.CONFIRMED), count(BookingStatus.WAITLISTED)
        db.session.remove()
        db.engine.dispose()
        return result


# -- server and HTTP --------------------------------------------------------------------------


def _start_gunicorn(env, port, workers, *, app="wsgi:app", worker_class="sync", threads=1):
    """gunicorn with bench/lock_timing.py on a loopback port: (process, its log file)."""
    log = tempfile.TemporaryFile()  # noqa: SIM115 (closed by main, after the server)
    server = subprocess.Popen(
        [
            _bin("gunicorn"),
            "-c",
            str(ROOT / "bench" / "lock_timing.py"),
            "-w",
            str(workers),
            "-k",
            worker_class,
            "--threads",
            str(threads),
            "-b",
            f"{HOST}:{port}",
            "--timeout",
            "60",
            app,
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            break
        try:
            if _request(port, "GET", "/healthz")[0] == 200:
                return server, log
        except OSError:
            time.sleep(0.2)
    _stop(server)
    log.seek(0)
    sys.stderr.write(log.read().decode(errors="replace")[-4000:])
    raise RuntimeError("gunicorn did not answer /healthz within 30 s")


def _stop(server):
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _request(port, method, path, body=None, token=None):
    """One request on its own connection: (status, parsed JSON or None)."""
    headers = {"Accept-Language": "en"}
    payload = None
    if body is not None:
        payload = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if token:
        headers["Authorization"] = f"Bearer {token}"
    conn = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        conn.request(method, path, body=payload, headers=headers)
        response = conn.getresponse()
        data = response.read()
    finally:
        conn.close()
    try:
        return response.status, json.loads(data) if data else None
    except ValueError:
        return response.status, None


def _tokens(port, volunteers, concurrency):
    """A token for each of volunteer1..N through the API (each sign-in checks a scrypt hash)."""

    def one(n):
        status, answer = _request(
            port,
            "POST",
            "/api/v1/tokens",
            {"email": f"volunteer{n}@demo.local", "password": PASSWORD},
        )
        if status != 201:
            raise RuntimeError(f"token for volunteer{n}: HTTP {status} {answer}")
        return answer["token"]

    with ThreadPoolExecutor(concurrency) as pool:
        return list(pool.map(one, range(1, volunteers + 1)))


def issue_tokens(app, emails):
    """A token for each of these accounts, issued in-process in one transaction (setup: the
    API's sign-in checks a scrypt hash each, a minute for 600 on 2 cores, and is not what the
    rush measures). Like a token just issued by the API, none has been used yet."""
    from sqlalchemy import select

    from app.api.services import issue_token
    from app.auth.models import User
    from app.extensions import db

    with app.app_context():
        users = {u.email: u for u in db.session.scalars(select(User).where(User.email.in_(emails)))}
        tokens = [issue_token(db.session, users[email]) for email in emails]
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return tokens


def _percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def _median(values):
    return statistics.median(values)


def _rush(port, tokens, targets, concurrency, choice, server=None):
    """One booking per volunteer through the light client: figures as a dict."""
    rng = random.Random(2026)
    if choice == "spread":
        plan = [(token, targets[n % len(targets)]) for n, token in enumerate(tokens)]
    else:
        plan = [(token, rng.choice(targets)) for token in tokens]
    cpu = load.server_cpu_seconds(server.pid) if server is not None else 0.0
    run = client.run(
        port,
        [client.Request("POST", f"/api/v1/shifts/{s}/bookings", token) for token, s in plan],
        concurrency,
    )
    cpu = load.server_cpu_seconds(server.pid) - cpu if server is not None else float("nan")
    outcomes = {}
    for outcome in run.outcomes:
        if outcome.status in (200, 201) and isinstance(outcome.answer, dict):
            status = outcome.answer["status"]
            outcomes[status] = outcomes.get(status, 0) + 1
    return {
        "rate": run.rate,
        "p50": run.percentile(0.50),
        "p95": run.percentile(0.95),
        "answers": f"{dict(sorted(run.statuses.items()))} -> {dict(sorted(outcomes.items()))}",
        "5xx": sum(n for status, n in run.statuses.items() if status >= 500 or status == 0),
        "client": run.client_share,
        "cpu_ms": cpu * 1000 / len(plan),
    }


def _lock_holds(path):
    """p50, p95 and max of the lock holds recorded since the file was emptied, and their number."""
    with open(path) as log:
        holds = [float(line) for line in log if line.strip()]
    if not holds:
        return None
    return (
        _percentile(holds, 0.5),
        _percentile(holds, 0.95),
        max(holds),
        len(holds),
    )


def _healthz_rate(port, args):
    return client.rate_for(
        port,
        client.Request("GET", "/healthz"),
        args.read_concurrency,
        args.read_seconds / 4,
        args.read_requests,
    ).rate


def _forget_bookings(app, targets):
    """Delete the bookings of these shifts, so the same rush can run again on them."""
    from sqlalchemy import delete

    from app.extensions import db
    from scheduling.models import Booking

    with app.app_context():
        db.session.execute(delete(Booking).where(Booking.shift_id.in_(targets)))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


def _over_targets(app, targets):
    """Shifts among these with more confirmed bookings than their campaign allows."""
    from sqlalchemy import func, select

    from app.extensions import db
    from scheduling.models import Booking, BookingStatus, Campaign, Shift

    with app.app_context():
        confirmed = (
            select(Booking.shift_id, func.count().label("n"))
            .where(Booking.shift_id.in_(targets), Booking.status == BookingStatus.CONFIRMED)
            .group_by(Booking.shift_id)
            .subquery()
        )
        over = db.session.scalar(
            select(func.count())
            .select_from(confirmed)
            .join(Shift, Shift.id == confirmed.c.shift_id)
            .join(Campaign, Campaign.id == Shift.campaign_id)
            .where(confirmed.c.n > Campaign.max_per_shift)
        )
        db.session.remove()
        db.engine.dispose()
    return over


def repeated_rush(
    app, port, tokens, targets, concurrency, choice, repeat, lock_log=None, server=None
):
    """The rush `repeat` times on the same shifts (their bookings deleted in between): the
    median of each figure, every run's rate, the most 5xx and shifts over capacity of any run."""
    runs, holds, over = [], [], 0
    for n in range(repeat):
        if n:
            _forget_bookings(app, targets)
        if lock_log is not None:
            lock_log.write_text("")
        runs.append(_rush(port, tokens, targets, concurrency, choice, server))
        over = max(over, _over_targets(app, targets))
        if lock_log is not None:
            found = _lock_holds(lock_log)
            if found:
                holds.append(found)
    figures = {
        key: _median([r[key] for r in runs]) for key in ("rate", "p50", "p95", "client", "cpu_ms")
    }
    figures["rates"] = [r["rate"] for r in runs]
    figures["5xx"] = max(r["5xx"] for r in runs)
    figures["answers"] = runs[-1]["answers"]
    figures["over"] = over
    figures["holds"] = (
        tuple(_median([h[i] for h in holds]) for i in range(3)) + (holds[-1][3],) if holds else None
    )
    return figures


def _report(shape, concurrency, queue, figures, healthz, ceiling, db_kind):
    places, count, _choice = SHAPES[shape]
    name = f"{shape} ({count} shifts x {places}) at {concurrency} in flight"
    if db_kind == "sqlite":
        name += ", writers' lock file " + ("on" if queue else "OFF (busy handler only)")
    runs = len(figures["rates"])
    print(f"rush {name} (median of {runs} runs):")
    print(
        f"  {figures['rate']:.0f} bookings/s (runs: "
        + ", ".join(f"{r:.0f}" for r in figures["rates"])
        + f") = {figures['rate'] / healthz:.3f} x /healthz ({healthz:.0f} req/s just before)"
        + (f" = {figures['rate'] / ceiling:.2f} x the bare insert" if ceiling else "")
    )
    print(
        f"  p50 {figures['p50']:.0f} ms, p95 {figures['p95']:.0f} ms; 5xx {figures['5xx']}; "
        f"over capacity {figures['over']}"
    )
    print(
        f"  CPU per booking in the gunicorn workers {figures['cpu_ms']:.2f} ms; "
        f"the client used {figures['client']:.0%} of a core"
    )
    print(f"  answers {figures['answers']}")
    holds = figures["holds"]
    if holds:
        print(
            f"  lock held per write transaction: p50 {holds[0]:.2f} ms, p95 {holds[1]:.2f} ms, "
            f"max {holds[2]:.1f} ms ({holds[3]} transactions a run)",
            flush=True,
        )


def _write_ceiling(env, kind, url, args, workdir):
    """The bare insert's rate at each concurrency the rushes use: {in flight: rows/s}."""
    from bench import bare_insert

    target = bare_insert.prepare(kind, url, workdir)
    port = _free_port()
    server, log = _start_gunicorn(
        {**env, "BARE_INSERT_URL": target},
        port,
        args.workers,
        app="bench.bare_insert:app",
        worker_class=args.worker_class,
        threads=args.threads,
    )
    try:
        rates = {}
        for flight in sorted({c for _s, c, _q in RUSHES}):
            run = client.run(
                port,
                [client.Request("POST", "/insert") for _ in range(args.volunteers)],
                flight,
            )
            runs = [run.rate]
            for _ in range(args.repeat - 1):
                runs.append(
                    client.run(
                        port,
                        [client.Request("POST", "/insert") for _ in range(args.volunteers)],
                        flight,
                    ).rate
                )
            rates[flight] = _median(runs)
            print(
                f"write ceiling: bare Flask + {kind} insert at {flight} in flight: "
                f"{rates[flight]:.0f} rows/s (median of {len(runs)}; "
                + ", ".join(f"{r:.0f}" for r in runs)
                + f"), {dict(sorted(run.statuses.items()))}",
                flush=True,
            )
        return rates
    finally:
        _stop(server)
        log.close()
        bare_insert.drop(kind, target)


# -- main -------------------------------------------------------------------------------------


def parse(argv):
    parser = argparse.ArgumentParser(prog="python -m bench.booking_rush", description=__doc__)
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--volunteers", type=int, default=600)
    parser.add_argument("--workers", type=int, default=WORKERS, help="gunicorn worker processes")
    parser.add_argument("--worker-class", default="sync", choices=("sync", "gthread"))
    parser.add_argument("--threads", type=int, default=1, help="threads per gthread worker")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each rush (medians)")
    parser.add_argument("--read-seconds", type=float, default=6.0)
    parser.add_argument("--read-requests", type=int, default=2000)
    parser.add_argument("--read-concurrency", type=int, default=20)
    parser.add_argument("--only", choices=("contended", "matched"), help="one shape of rush")
    parser.add_argument("--profile", metavar="DIR", help="cProfile each worker into DIR")
    parser.add_argument("--no-ceiling", action="store_true", help="skip the bare insert")
    parser.add_argument("--no-busy-handler", action="store_true", help="no rush without queue")
    args = parser.parse_args(argv)
    if not 1 <= args.volunteers <= 600:
        parser.error("--volunteers: the demo has volunteer1..600")
    return args


def main(argv=None) -> int:
    args = parse(sys.argv[1:] if argv is None else argv)
    began = time.monotonic()
    workdir = tempfile.mkdtemp(prefix="caunoi-bench-")
    server = log = None
    created = False
    print(
        f"booking_rush: db={args.db} volunteers={args.volunteers} gunicorn "
        f"{args.workers} x {args.worker_class}"
        + (f" ({args.threads} threads)" if args.worker_class == "gthread" else "")
        + f", {args.repeat} runs of each rush, load average {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    without_queue = args.db == "sqlite" and not args.no_busy_handler
    rushes = RUSHES + ([WITHOUT_QUEUE] if without_queue else [])
    if args.only:
        rushes = [rush for rush in rushes if rush[0] == args.only and rush[2]]
    gunicorn_options = {"worker_class": args.worker_class, "threads": args.threads}
    try:
        url = _create_database(args.db, workdir)
        created = True
        env = _environment(url, workdir)
        lock_log = Path(workdir) / "lock-holds.txt"
        env["BENCH_LOCK_LOG"] = str(lock_log)
        if args.profile:
            env["BENCH_PROFILE"] = str(Path(args.profile).resolve())
        step = time.monotonic()
        for command in (("db", "upgrade"), ("places", "import"), ("demo",)):
            _flask(env, *command)
        app = _in_app(url)
        plans, commune, day, campaign_ids = _prepare(app, rushes)
        emails = [f"volunteer{n}@demo.local" for n in range(1, args.volunteers + 1)]
        tokens = issue_tokens(app, emails)
        print(
            f"setup: database and {len(tokens)} tokens ready in {time.monotonic() - step:.1f} s",
            flush=True,
        )

        ceiling = {} if args.no_ceiling else _write_ceiling(env, args.db, url, args, workdir)

        port = _free_port()
        server, log = _start_gunicorn(env, port, args.workers, **gunicorn_options)
        fivexx = over = 0
        for (shape, concurrency, queue), (_shape, targets) in zip(rushes, plans, strict=True):
            if not queue:
                _stop(server)
                log.close()
                server = log = None
                port = _free_port()
                server, log = _start_gunicorn(
                    {**env, "BENCH_NO_WRITER_QUEUE": "1"}, port, args.workers, **gunicorn_options
                )
            # a profile shows the bookings alone
            healthz = float("nan") if args.profile else _healthz_rate(port, args)
            figures = repeated_rush(
                app,
                port,
                tokens,
                targets,
                concurrency,
                SHAPES[shape][2],
                args.repeat,
                lock_log,
                server,
            )
            fivexx += figures["5xx"]
            over += figures["over"]
            _report(shape, concurrency, queue, figures, healthz, ceiling.get(concurrency), args.db)

        over_all, confirmed, waitlisted = _over_capacity(app, campaign_ids)
        over += over_all
        print(
            f"check: {confirmed} confirmed, {waitlisted} waitlisted in the database after the "
            f"last runs; shifts over capacity in any run: {over} (must be 0)"
        )

        if args.profile:
            return 0 if over == 0 and fivexx == 0 else 1
        token = tokens[0]
        shifts_path = f"/api/v1/shifts?commune={commune}&date={day.isoformat()}"
        status, listed = _request(port, "GET", shifts_path, token=token)
        assert status == 200 and listed, (status, listed)
        figures = {}
        for name, path in (("healthz", "/healthz"), ("shifts", shifts_path)):
            run = client.rate_for(
                port,
                client.Request("GET", path, token),
                args.read_concurrency,
                args.read_seconds,
                args.read_requests,
            )
            figures[name] = run.rate
            bad = sum(n for status, n in run.statuses.items() if status != 200)
            print(
                f"read: GET {path}: {run.rate:.0f} req/s ({len(run.outcomes)} in "
                f"{run.elapsed:.1f} s, {bad} not 200, concurrency {args.read_concurrency})",
                flush=True,
            )
        print(f"read: shifts / healthz = {figures['shifts'] / figures['healthz']:.2f}")
        print(
            f"total time {time.monotonic() - began:.0f} s (load average {os.getloadavg()[0]:.1f})"
        )
        return 0 if over == 0 and fivexx == 0 else 1
    finally:
        if server is not None:
            _stop(server)
        if log is not None:
            log.close()
        if created:
            _drop_database(args.db)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
