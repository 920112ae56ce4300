"""How cost grows: the booking rush and `/shifts` at 1x, 10x and 30x the demo's data.

    python -m bench.scale [--db sqlite|postgresql] [--factors 1 10 30]

The demo is one campaign ("45 ngày đêm", Hanoi's 126 communes, 11,340 shifts), 600 volunteers
and ~13,000 bookings. At N x the database holds N campaigns running at the same time, each in a
province of its own (the demo's copied onto the communes of another province, with service
points of its own), N x 600 volunteers and N x the demo's bookings: 30 campaigns, 18,000
volunteers, ~390,000 bookings at 30x. The copies are bulk-inserted (Core, explicit ids) between
two measurements, then the planner's statistics are refreshed (ANALYZE; VACUUM ANALYZE on
PostgreSQL), as after a real load.

At each size, on the same gunicorn (2 sync workers) and the same rush campaign (bench/
booking_rush.py's: 60 days ahead, Hanoi communes of its own): the matched rush (600 volunteers,
40 shifts of 20 places, 20 in flight, median of 3 runs) with the workers' CPU per booking, and
`/shifts` of volunteer1 (their home commune, a day of the demo campaign) and
`GET /api/v1/shifts` of one commune-day: median latency one at a time and the workers' CPU per
request. The CPU figures are the ones to compare across sizes on a shared machine: the rates move
with the load of whatever else runs. The per-request cost must stay flat.
"""

import argparse
import os
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta

from bench import booking_rush as rush
from bench import client, load
from bench.site import Site

DEMO_CAMPAIGN = "45 ngày đêm"
HANOI = "01"
RUSH = [("matched", 20, True)]
#: requests of each page, one at a time, at each size
PAGE_REQUESTS = 40


def _tables():
    from app.auth.models import RoleGrant, User
    from app.places.models import ServicePoint
    from scheduling.models import Booking, Campaign, Shift, campaign_communes

    return {
        "users": User.__table__,
        "role_grants": RoleGrant.__table__,
        "service_points": ServicePoint.__table__,
        "campaigns": Campaign.__table__,
        "campaign_communes": campaign_communes,
        "shifts": Shift.__table__,
        "bookings": Booking.__table__,
    }


def _next_ids(conn, tables):
    from sqlalchemy import func, select

    return {
        name: (conn.execute(select(func.max(t.c.id))).scalar() or 0) + 1
        for name, t in tables.items()
        if "id" in t.c
    }


def grow(app, have, want):
    """Add copies of the demo campaign, with their volunteers and bookings, from `have` to
    `want` campaigns in all. Returns (rows added, seconds)."""
    from sqlalchemy import select

    from app.extensions import db
    from app.places.models import Commune, Province

    began = time.monotonic()
    added = 0
    tables = _tables()
    with app.app_context():
        conn = db.session.connection()
        t = tables
        demo = conn.execute(select(t["campaigns"]).where(t["campaigns"].c.name == DEMO_CAMPAIGN))
        demo = demo.mappings().one()
        shifts = conn.execute(
            select(t["shifts"]).where(t["shifts"].c.campaign_id == demo["id"])
        ).mappings()
        shifts = list(shifts)
        point_ids = sorted({s["service_point_id"] for s in shifts})
        points = {
            p["id"]: p
            for p in conn.execute(
                select(t["service_points"]).where(t["service_points"].c.id.in_(point_ids))
            ).mappings()
        }
        bookings = list(
            conn.execute(
                select(t["bookings"]).where(t["bookings"].c.shift_id.in_([s["id"] for s in shifts]))
            ).mappings()
        )
        volunteers = sorted({b["user_id"] for b in bookings})
        volunteer1 = (
            conn.execute(select(t["users"]).where(t["users"].c.email == "volunteer1@demo.local"))
            .mappings()
            .one()
        )
        provinces = conn.execute(
            select(Province.id, Province.code, Province.name)
            .where(Province.code != HANOI)
            .order_by(Province.code)
        ).all()
        if want - 1 > len(provinces):
            raise SystemExit(f"{want} campaigns: only {len(provinces) + 1} provinces")
        now = datetime.now(UTC)
        for copy in range(have, want):
            province = provinces[copy - 1]
            communes = (
                conn.execute(
                    select(Commune.id)
                    .where(Commune.province_id == province.id)
                    .order_by(Commune.code)
                )
                .scalars()
                .all()[: len(point_ids)]
            )
            ids = _next_ids(conn, {k: v for k, v in t.items() if k != "campaign_communes"})
            campaign_id = ids["campaigns"]
            rows = {name: [] for name in t}
            rows["campaigns"].append(
                {
                    **{k: v for k, v in demo.items() if k != "id"},
                    "id": campaign_id,
                    "name": f"Scale {copy + 1}: {province.name}",
                    "province_id": province.id,
                }
            )
            rows["campaign_communes"] = [
                {"campaign_id": campaign_id, "commune_id": c} for c in communes
            ]
            point_of = {}
            for n, old in enumerate(point_ids):
                point_of[old] = ids["service_points"] + n
                rows["service_points"].append(
                    {
                        **{k: v for k, v in points[old].items()},
                        "id": point_of[old],
                        "commune_id": communes[n % len(communes)],
                    }
                )
            shift_of = {}
            for n, shift in enumerate(shifts):
                shift_of[shift["id"]] = ids["shifts"] + n
                rows["shifts"].append(
                    {
                        **shift,
                        "id": shift_of[shift["id"]],
                        "campaign_id": campaign_id,
                        "service_point_id": point_of[shift["service_point_id"]],
                    }
                )
            user_of = {}
            for n, old in enumerate(volunteers):
                user_of[old] = ids["users"] + n
                number = copy * len(volunteers) + n + 1
                rows["users"].append(
                    {
                        **volunteer1,
                        "id": user_of[old],
                        "email": f"volunteer{number}@scale.local",
                        "full_name": f"Tình nguyện viên {number:05d}",
                        "phone": f"09{number:08d}",
                        "home_commune_id": communes[n % len(communes)],
                        "created_at": now,
                        "session_version": secrets.token_urlsafe(16)[:22],
                    }
                )
                rows["role_grants"].append(
                    {
                        "id": ids["role_grants"] + n,
                        "user_id": user_of[old],
                        "role": "volunteer",
                        "province_id": None,
                        "commune_id": None,
                        "created_at": now,
                    }
                )
            for n, booking in enumerate(bookings):
                rows["bookings"].append(
                    {
                        **booking,
                        "id": ids["bookings"] + n,
                        "shift_id": shift_of[booking["shift_id"]],
                        "user_id": user_of[booking["user_id"]],
                    }
                )
            for name in (
                "campaigns",
                "campaign_communes",
                "service_points",
                "shifts",
                "users",
                "role_grants",
                "bookings",
            ):
                if rows[name]:
                    conn.execute(t[name].insert(), rows[name])
                    added += len(rows[name])
        db.session.commit()
        _analyze(db.engine, tables)
        db.session.remove()
        db.engine.dispose()
    return added, time.monotonic() - began


def _analyze(engine, tables):
    """Refresh the planner's statistics; on PostgreSQL, move the id sequences past the
    explicit ids."""
    from sqlalchemy import text

    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            for name, table in tables.items():
                if "id" in table.c:
                    conn.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                            f"(SELECT max(id) FROM {name}))"
                        )
                    )
            conn.commit()
            # VACUUM too: autovacuum would otherwise start on the new rows during the measurement
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))
        else:
            conn.execute(text("ANALYZE"))
            conn.commit()


def _counts(app):
    from sqlalchemy import func, select

    from app.extensions import db

    tables = _tables()
    with app.app_context():
        found = {
            name: db.session.scalar(select(func.count()).select_from(tables[name]))
            for name in ("campaigns", "shifts", "users", "bookings")
        }
        db.session.remove()
        db.engine.dispose()
    return found


def _page(port, server, request):
    """Median latency (ms) one at a time, and the workers' CPU (ms) per request."""
    client.run(port, [request] * 3, 1)  # warm
    cpu = load.server_cpu_seconds(server.pid)
    run = client.run(port, [request] * PAGE_REQUESTS, 1)
    cpu = (load.server_cpu_seconds(server.pid) - cpu) * 1000 / PAGE_REQUESTS
    bad = sum(n for status, n in run.statuses.items() if status != 200)
    return statistics.median(o.ms for o in run.outcomes), cpu, bad


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__)
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--factors", type=int, nargs="+", default=[1, 10, 30])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    began = time.monotonic()
    workdir = tempfile.mkdtemp(prefix="caunoi-scale-")
    server = log = None
    created = False
    failures = 0
    try:
        url = rush._create_database(args.db, workdir)
        created = True
        env = rush._environment(url, workdir)
        for command in (("db", "upgrade"), ("places", "import"), ("demo",)):
            rush._flask(env, *command)
        app = rush._in_app(url)
        (plan,), commune, day, _campaigns = rush._prepare(app, RUSH)
        _shape, targets = plan
        tokens = rush.issue_tokens(app, [f"volunteer{n}@demo.local" for n in range(1, 601)])
        port = rush._free_port()
        server, log = rush._start_gunicorn(env, port, rush.WORKERS)
        cookie = Site(port).sign_in("volunteer1@demo.local")
        demo_day = (datetime.now(UTC) + timedelta(days=7)).date().isoformat()
        pages = [
            ("/shifts", client.Request("GET", f"/shifts?day={demo_day}", cookie=cookie)),
            (
                "GET /api/v1/shifts",
                client.Request(
                    "GET", f"/api/v1/shifts?commune={commune}&date={day.isoformat()}", tokens[0]
                ),
            ),
        ]
        print(
            f"scale: db={args.db}, gunicorn {rush.WORKERS} sync workers; rush: matched, "
            f"600 volunteers, 20 in flight, median of {args.repeat}; pages one at a time",
            flush=True,
        )
        # a first rush, not counted: each token's first use is written, the workers warm up
        rush.repeated_rush(app, port, tokens, targets, 20, "spread", 1)
        have = 1
        for factor in args.factors:
            if factor > have:
                added, seconds = grow(app, have, factor)
                have = factor
                print(f"{factor}x: {added:,} rows bulk-inserted in {seconds:.0f} s", flush=True)
            counts = _counts(app)
            print(
                f"{factor}x: "
                + ", ".join(f"{n:,} {name}" for name, n in counts.items())
                + f" (load average {os.getloadavg()[0]:.1f})",
                flush=True,
            )
            rush._forget_bookings(app, targets)
            figures = rush.repeated_rush(
                app, port, tokens, targets, 20, "spread", args.repeat, server=server
            )
            failures += figures["5xx"] + figures["over"]
            print(
                f"  booking rush: {figures['rate']:.0f} bookings/s (runs: "
                + ", ".join(f"{r:.0f}" for r in figures["rates"])
                + f"), p95 {figures['p95']:.0f} ms, CPU per booking {figures['cpu_ms']:.2f} ms, "
                f"5xx {figures['5xx']}, over capacity {figures['over']}",
                flush=True,
            )
            for name, request in pages:
                median, cpu, bad = _page(port, server, request)
                failures += bad
                print(
                    f"  {name}: median {median:.1f} ms, CPU per request {cpu:.2f} ms"
                    + (f", {bad} not 200" if bad else ""),
                    flush=True,
                )
        print(f"total time {time.monotonic() - began:.0f} s")
        return 0 if failures == 0 else 1
    finally:
        if server is not None:
            rush._stop(server)
        if log is not None:
            log.close()
        if created:
            rush._drop_database(args.db)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
