"""The impact dashboard on a million assisted submissions: how long the figures take.

    python -m bench.dashboard --db sqlite
    python -m bench.dashboard --db postgresql --rows 1000000

Builds a scratch database (a temp SQLite file, or a PostgreSQL database it creates and drops) by
the migrations, loads the places, a 45-day campaign over Hanoi's 126 communes with every shift and
about five confirmed bookings each, and `--rows` assisted submissions spread over those communes
and days (bulk-loaded: COPY on PostgreSQL). It rebuilds the daily roll-up, then times the
dashboard's figures (`impact_figures`) for the whole campaign, for the province over the same days
and for one commune, and prints p50/p95. Figures and their reading: docs/PERFORMANCE.md.
"""

import argparse
import random
import statistics
import sys
import time
import uuid
from datetime import UTC, date, datetime, timedelta

from bench.scratch import scratch_app

PG_DATABASE = "caunoi_bench_dashboard"
CAMPAIGN_DAYS = 45
VOLUNTEERS = 600
#: shares that make the figures look like a campaign's, not uniform noise
LEVELS = (("fully_online", 0.22), ("partly_online", 0.58), ("paper", 0.20))
CHANNELS_ONLINE = ("national_portal", "vneid", "provincial_portal")
REASONS = (
    "network_down",
    "system_error",
    "missing_signature",
    "missing_documents",
    "no_account",
    "other",
)
AGE_BANDS = ("under_18", "18_39", "40_59", "60_plus")
COLUMNS = (
    "id",
    "volunteer_id",
    "service_point_id",
    "commune_id",
    "province_id",
    "shift_id",
    "procedure_id",
    "channel",
    "level",
    "outcome",
    "reason",
    "result_electronic",
    "age_band",
    "vulnerable",
    "at_home",
    "self_service",
    "occurred_at",
    "occurred_on",
    "received_at",
    "offline",
    "late",
)


def _campaign(session, starts_on):
    """Hanoi's 126 communes, a service point each, 600 volunteers, the campaign and its shifts."""
    from sqlalchemy import insert, select

    from app.auth.models import User
    from app.places.models import Commune, Province, ServicePoint
    from scheduling.models import Booking, Campaign, Shift
    from scheduling.services import generate_shifts

    hanoi = session.scalar(select(Province).where(Province.code == "01"))
    communes = session.scalars(select(Commune).where(Commune.province_id == hanoi.id)).all()
    for commune in communes:
        session.add(
            ServicePoint(commune=commune, name=f"Trung tâm PVHCC {commune.name}", address="—")
        )
    session.execute(
        insert(User),
        [
            {"email": f"volunteer{n}@bench.local", "full_name": f"Tình nguyện viên {n}"}
            for n in range(1, VOLUNTEERS + 1)
        ],
    )
    campaign = Campaign(
        name="45 ngày đêm",
        province=hanoi,
        starts_on=starts_on,
        ends_on=starts_on + timedelta(days=CAMPAIGN_DAYS - 1),
        communes=list(communes),
    )
    session.add(campaign)
    session.flush()
    generate_shifts(session, campaign)
    users = session.scalars(select(User.id)).all()
    rng = random.Random(1)
    shifts = session.execute(select(Shift.id, Shift.service_point_id, Shift.starts_at)).all()
    session.execute(
        insert(Booking),
        [
            {"shift_id": shift_id, "user_id": user_id, "status": "confirmed"}
            for shift_id, _point, _start in shifts
            for user_id in rng.sample(users, rng.choice((3, 4, 5, 5, 6, 7, 8)))
        ],
    )
    return campaign, communes, shifts, users


def _submissions(rows, communes, points, shifts_by_point_day, users, procedures, starts_on, seed):
    """`rows` realistic assisted submissions, as tuples in COLUMNS order."""
    rng = random.Random(seed)
    received = datetime.now(UTC)
    levels, weights = zip(*LEVELS, strict=True)
    for _ in range(rows):
        commune = rng.choice(communes)
        day = starts_on + timedelta(days=rng.randrange(CAMPAIGN_DAYS))
        occurred = datetime(day.year, day.month, day.day, 1, tzinfo=UTC) + timedelta(
            minutes=rng.randrange(600)
        )
        level = rng.choices(levels, weights)[0]
        submitted = rng.random() < 0.9
        point = points[commune.id]
        yield (
            uuid.UUID(int=rng.getrandbits(128), version=4),
            rng.choice(users),
            point,
            commune.id,
            commune.province_id,
            rng.choice(shifts_by_point_day.get((point, day), [None])),
            rng.choice(procedures),
            "paper" if level == "paper" else rng.choice(CHANNELS_ONLINE),
            level,
            "submitted" if submitted else "not_submitted",
            None if submitted else rng.choice(REASONS),
            rng.choice(("yes", "yes", "yes", "no", "not_yet")),
            rng.choice(AGE_BANDS),
            rng.random() < 0.25,
            rng.random() < 0.03,
            rng.random() < 0.3,
            occurred,
            day,
            received,
            rng.random() < 0.05,
            False,
        )


def _load(session, batch):
    """Bulk-load submissions: COPY on PostgreSQL, executemany on SQLite."""
    raw = session.connection().connection.driver_connection
    if session.get_bind().dialect.name == "postgresql":
        with raw.cursor().copy(
            f"COPY assisted_submissions ({', '.join(COLUMNS)}) FROM STDIN"
        ) as copy:
            for row in batch:
                copy.write_row(row)
        return
    marks = ", ".join("?" for _ in COLUMNS)
    raw.executemany(
        f"INSERT INTO assisted_submissions ({', '.join(COLUMNS)}) VALUES ({marks})",
        (
            (
                r[0].hex,
                *r[1:16],
                r[16].isoformat(" "),
                r[17].isoformat(),
                r[18].isoformat(" "),
                *r[19:],
            )
            for r in batch
        ),
    )


def _time(function, runs):
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[max(0, round(0.95 * len(times)) - 1)]


def run(kind, rows, runs) -> dict:
    from sqlalchemy import select

    from app.extensions import db
    from app.localtime import LOCAL_ZONE
    from impact.assists.models import Procedure
    from impact.dashboard import services

    with scratch_app(kind, PG_DATABASE):
        session = db.session
        starts_on = date(2025, 7, 1)
        started = time.perf_counter()
        campaign, communes, shifts, users = _campaign(session, starts_on)
        points = {p.commune_id: p.id for c in communes for p in c.service_points}
        by_point_day = {}
        for shift_id, point, start in shifts:
            day = start.astimezone(LOCAL_ZONE).date()
            by_point_day.setdefault((point, day), []).append(shift_id)
        procedures = session.scalars(select(Procedure.id)).all()
        session.commit()
        setup = time.perf_counter() - started
        started = time.perf_counter()
        generated = _submissions(
            rows, communes, points, by_point_day, users, procedures, starts_on, seed=2
        )
        while batch := [row for _, row in zip(range(50_000), generated, strict=False)]:
            _load(session, batch)
            session.commit()
        loaded = time.perf_counter() - started
        started = time.perf_counter()
        days = services.rebuild_counts(session)
        session.commit()
        rolled = time.perf_counter() - started
        if kind == "postgresql":
            # what autovacuum does on a live database; right after a bulk load it would
            # otherwise run during the timings (and index-only scans would visit the heap)
            session.commit()
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(db.text("VACUUM ANALYZE"))
        scopes = {
            "campaign (126 communes, 45 days)": services.campaign_scope(campaign),
            "province, same days": services.Scope(
                start=campaign.starts_on, end=campaign.ends_on, province_id=campaign.province_id
            ),
            "one commune, same days": services.campaign_scope(
                campaign, commune_ids={communes[0].id}
            ),
        }
        timings = {
            name: _time(lambda scope=scope: services.impact_figures(session, scope), runs)
            for name, scope in scopes.items()
        }
        figures = services.impact_figures(session, scopes["province, same days"])
    return {
        "setup_s": setup,
        "load_s": loaded,
        "rollup_s": rolled,
        "rollup_rows": days,
        "total": figures.totals["total"],
        "shifts": figures.shifts["total"],
        "timings": timings,
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args(argv)
    kinds = ("sqlite", "postgresql") if args.db == "both" else (args.db,)
    for kind in kinds:
        result = run(kind, args.rows, args.runs)
        print(
            f"{kind}: {result['total']:,} submissions loaded in {result['load_s']:.0f} s, "
            f"roll-up {result['rollup_rows']:,} commune-days in {result['rollup_s']:.1f} s, "
            f"{result['shifts']:,} shifts"
        )
        for name, (p50, p95) in result["timings"].items():
            print(f"  {name}: p50 {p50:.0f} ms, p95 {p95:.0f} ms ({args.runs} runs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
