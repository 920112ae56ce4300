"""The country level on ten million assisted submissions: bulk-load time, database size, pages.

    python -m bench.national --db sqlite --rows 1000000
    python -m bench.national --db postgresql            (10,000,000 rows by default)

Builds a scratch database (a temp SQLite file, or a PostgreSQL database of its own that it creates
and drops) by the migrations, with every province and all 3,321 communes, a service point in each
and 1,000 volunteers; then bulk-loads `--rows` assisted submissions spread evenly over every
commune and every day of a year. The roll-ups the pages read (communes', provinces' and service
points' days) are generated directly beside the log rows, not rebuilt from them; the log rows go in
by COPY on PostgreSQL and one executemany transaction on SQLite, with the log's secondary indexes
dropped during the load and built again after it, and foreign-key checks off (the rows are made to
be valid). A check compares one commune's and one province's generated roll-up with the roll-ups'
own SQL definitions over their log rows (status 1 when they differ). Then it times, through the
test client, the country's page, a province's, a commune's and the country's weekly report (p50 of
`--runs` requests each, after one warm-up) and prints the bulk-load time and the database's size.
Carded residents are not generated (their roll-up stays empty).
"""

import argparse
import contextlib
import os
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bench.scratch import scratch_app

PG_DATABASE = "caunoi_bench_national"
FIRST_DAY = date(2025, 7, 1)
DAYS = 365
VOLUNTEERS = 1000
ROWS = 10_000_000
#: rows sent to the database at once
CHUNK = 100_000
#: the submissions' shapes, repeated in turn over every commune-day: 22% fully online, 58% partly
#: online, 20% on paper; one in ten not submitted; results returned electronically for most
#: (channel, level, outcome, reason, result_electronic, age_band, vulnerable, at_home,
#: self_service, offline)
SHAPES = [
    ("vneid", "fully_online", "submitted", None, "yes", "60_plus", True, False, False, False),
    ("national_portal", "partly_online", "submitted", None, "yes", "40_59", False, False, True, 0),
    ("vneid", "partly_online", "submitted", None, "not_yet", "18_39", False, False, True, False),
    ("paper", "paper", "submitted", None, "no", "60_plus", True, False, False, False),
    ("provincial_portal", "partly_online", "submitted", None, "yes", "40_59", False, False, 0, 1),
    ("vneid", "fully_online", "submitted", None, "yes", "18_39", False, False, True, False),
    ("national_portal", "partly_online", "not_submitted", "network_down", "no", "60_plus", True,
     False, False, False),
    ("vneid", "partly_online", "submitted", None, "yes", "under_18", False, False, False, False),
    ("paper", "paper", "submitted", None, "no", "60_plus", True, True, False, False),
    ("national_portal", "partly_online", "submitted", None, "yes", "40_59", False, False, 1, 0),
]  # fmt: skip
SHAPES = [(*shape[:6], *(bool(flag) for flag in shape[6:])) for shape in SHAPES]  # type: ignore[misc]
#: the log's columns this bench fills, in the order of each row
COLUMNS = (
    "id",
    "volunteer_id",
    "service_point_id",
    "commune_id",
    "province_id",
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
    "offline",
    "occurred_at",
    "occurred_on",
    "received_at",
    "late",
)


def _shape_counts():
    """Each shape's contribution to the communes' roll-up counters, by the counters' meaning
    (impact/dashboard/services.py `_conditions`); the load's check holds them to that definition."""
    from impact.dashboard.models import COUNTERS

    counts = []
    for _channel, level, outcome, reason, result, _age, vulnerable, home, self_, offline in SHAPES:
        submitted = outcome == "submitted"
        row = dict.fromkeys(COUNTERS, 0)
        row.update(
            total=1,
            submitted=int(submitted),
            submitted_online=int(submitted and level != "paper"),
            submitted_fully_online=int(submitted and level == "fully_online"),
            result_yes=int(submitted and result == "yes"),
            result_no=int(submitted and result == "no"),
            result_not_yet=int(submitted and result == "not_yet"),
            self_service=int(self_),
            vulnerable=int(vulnerable),
            at_home=int(home),
            offline=int(offline),
        )
        if not submitted:
            row[f"reason_{reason}"] = 1
        counts.append([row[name] for name in COUNTERS])
    return counts


def _cells(rows, communes):
    """(commune id, point id, province id, day, rows in this commune-day, first shape), with
    `rows` spread evenly over every commune and day of the year."""
    cells = len(communes) * DAYS
    k = 0
    for commune_id, point_id, province_id in communes:
        for offset in range(DAYS):
            n = (k + 1) * rows // cells - k * rows // cells
            if n:
                yield commune_id, point_id, province_id, FIRST_DAY + timedelta(offset), n, k
            k += 1


def _generate(rows, communes, volunteers, procedures):
    """The log's rows (as tuples in COLUMNS order) and the communes' and points' roll-ups' rows,
    chunk by chunk; then, once every commune is summed, the provinces' roll-up's rows."""
    from impact.dashboard.models import COUNTERS, POINT_COUNTERS

    counts = _shape_counts()
    point_index = [COUNTERS.index(name) for name in POINT_COUNTERS]
    sums: dict[tuple[int, int], list[int]] = {}
    received = datetime(2026, 7, 1, tzinfo=UTC).isoformat(" ")
    clock = [f" {1 + m // 60:02d}:{m % 60:02d}:00+00:00" for m in range(0, 10 * 60, 2)]
    log, communes_days, points_days = [], [], []
    provinces_days: dict[tuple[int, date], list[int]] = {}
    number = 0
    for commune_id, point_id, province_id, day, n, k in _cells(rows, communes):
        on = day.isoformat()
        first = k % len(SHAPES)
        for j in range(n):
            number += 1
            shape = SHAPES[(first + j) % len(SHAPES)]
            log.append(
                (
                    f"{number:032x}",
                    volunteers[(k + j) % len(volunteers)],
                    point_id,
                    commune_id,
                    province_id,
                    procedures[(k + j) % len(procedures)],
                    *shape,
                    on + clock[j % len(clock)],
                    on,
                    received,
                    False,
                )
            )
        total = sums.get((first, n))
        if total is None:
            shapes = [counts[(first + j) % len(SHAPES)] for j in range(n)]
            total = [sum(column) for column in zip(*shapes, strict=True)]
            sums[(first, n)] = total
        communes_days.append((commune_id, day, *total))
        province_day = provinces_days.setdefault((province_id, day), [0] * len(total))
        for i, count in enumerate(total):
            province_day[i] += count
        points_days.append((point_id, day, commune_id, *(total[i] for i in point_index)))
        if len(log) >= CHUNK:
            yield log, communes_days, points_days, []
            log, communes_days, points_days = [], [], []
    yield log, communes_days, points_days, [(*key, *row) for key, row in provinces_days.items()]


def _text(value):
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    return str(value)


def _copy(cursor, table, columns, rows):
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        copy.write("".join("\t".join(map(_text, row)) + "\n" for row in rows))


def _bulk_load(engine, kind, rows, communes, volunteers, procedures) -> dict[str, float]:
    """Load the log and the roll-ups in one transaction, the log's secondary indexes built after;
    returns the seconds spent on each phase (the rest is making the rows in Python)."""
    from impact.assists.models import AssistedSubmission
    from impact.dashboard.models import COUNTERS, POINT_COUNTERS

    indexes = list(AssistedSubmission.__table__.indexes)
    phases: dict[str, float] = {}

    @contextlib.contextmanager
    def spent(phase):
        started = time.perf_counter()
        yield
        phases[phase] = phases.get(phase, 0.0) + time.perf_counter() - started

    commune_columns = ("commune_id", "day", *COUNTERS)
    point_columns = ("service_point_id", "day", "commune_id", *POINT_COUNTERS)
    province_columns = ("province_id", "day", *COUNTERS)
    with engine.begin() as connection:
        for index in indexes:
            index.drop(connection)
    pooled = engine.raw_connection()
    raw = pooled.driver_connection
    chunks = _generate(rows, communes, volunteers, procedures)
    if kind == "postgresql":
        cursor = raw.cursor()
        cursor.execute("SET session_replication_role = replica")  # no foreign-key triggers
        for log, communes_days, points_days, provinces_days in chunks:
            with spent("log"):
                _copy(cursor, "assisted_submissions", COLUMNS, log)
            with spent("roll-ups"):
                _copy(cursor, "assist_daily_counts", commune_columns, communes_days)
                _copy(cursor, "assist_point_daily_counts", point_columns, points_days)
                _copy(cursor, "assist_province_daily_counts", province_columns, provinces_days)
        cursor.execute("SET session_replication_role = DEFAULT")
        raw.commit()
    else:
        raw.execute("PRAGMA foreign_keys=OFF")
        raw.execute("PRAGMA synchronous=OFF")
        raw.execute("BEGIN")
        for log, communes_days, points_days, provinces_days in chunks:
            with spent("log"):
                raw.executemany(_insert("assisted_submissions", COLUMNS), log)
            with spent("roll-ups"):
                raw.executemany(_insert("assist_daily_counts", commune_columns), communes_days)
                raw.executemany(_insert("assist_point_daily_counts", point_columns), points_days)
                raw.executemany(
                    _insert("assist_province_daily_counts", province_columns), provinces_days
                )
        with spent("log"):
            raw.execute("COMMIT")
        raw.execute("PRAGMA foreign_keys=ON")
        raw.execute("PRAGMA synchronous=NORMAL")
    pooled.close()
    with spent("log's indexes"), engine.begin() as connection:
        for index in indexes:
            index.create(connection)
    return phases


def _insert(table, columns):
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})"


def _agrees(session, commune_id, province_id):
    """Whether one commune's and one province's generated roll-ups are what the roll-ups' SQL
    makes of their log rows."""
    from sqlalchemy import select

    from app.places.models import Commune
    from impact.assists.models import AssistedSubmission
    from impact.dashboard import services
    from impact.dashboard.models import COUNTERS, AssistDailyCount, ProvinceDailyCount

    made = {
        tuple(row[1:])
        for row in session.execute(
            services._counter_sums(AssistedSubmission.commune_id == commune_id)
        )
    }
    stored = {
        (row.day, *(getattr(row, name) for name in COUNTERS))
        for row in session.scalars(
            select(AssistDailyCount).where(AssistDailyCount.commune_id == commune_id)
        )
    }
    made_province = {
        tuple(row[1:])
        for row in session.execute(services._province_sums(Commune.province_id == province_id))
    }
    stored_province = {
        (row.day, *(getattr(row, name) for name in COUNTERS))
        for row in session.scalars(
            select(ProvinceDailyCount).where(ProvinceDailyCount.province_id == province_id)
        )
    }
    return made == stored and made_province == stored_province


def _size(session, kind, url):
    from sqlalchemy import text

    if kind == "postgresql":
        return session.execute(text("SELECT pg_database_size(current_database())")).scalar_one()
    path = Path(url.removeprefix("sqlite:///"))
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))


def _p50(client, url, runs):
    assert client.get(url).status_code == 200, url  # warm-up, and the page answers
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, url
    return statistics.median(times)


def run(kind, rows, runs) -> dict:
    from sqlalchemy import insert, select

    from app.auth.models import User
    from app.extensions import db
    from app.places.models import Commune, Province, ServicePoint
    from impact.assists.models import Procedure

    with scratch_app(kind, PG_DATABASE) as (app, url):
        session = db.session
        session.execute(
            insert(ServicePoint),
            [
                {"commune_id": c, "name": f"Trung tâm PVHCC {name}", "address": "—"}
                for c, name in session.execute(select(Commune.id, Commune.name))
            ],
        )
        session.execute(
            insert(User),
            [
                {"email": f"volunteer{n}@bench.local", "full_name": f"Tình nguyện viên {n}"}
                for n in range(1, VOLUNTEERS + 1)
            ],
        )
        session.commit()
        communes = session.execute(
            select(Commune.id, ServicePoint.id, Commune.province_id)
            .join(ServicePoint, ServicePoint.commune_id == Commune.id)
            .order_by(Commune.id)
        ).all()
        volunteers = session.scalars(select(User.id)).all()
        procedures = session.scalars(select(Procedure.id)).all()
        session.commit()
        started = time.perf_counter()
        phases = _bulk_load(db.engine, kind, rows, communes, volunteers, procedures)
        loaded = time.perf_counter() - started
        phases["making the rows"] = loaded - sum(phases.values())
        started = time.perf_counter()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(db.text("VACUUM ANALYZE" if kind == "postgresql" else "ANALYZE"))
        analysed = time.perf_counter() - started
        size = _size(session, kind, url)
        agrees = _agrees(session, communes[0][0], communes[0][2])
        province = session.get_one(Province, communes[0][2])
        commune = session.get_one(Commune, communes[0][0])
        year = f"start={FIRST_DAY}&end={FIRST_DAY + timedelta(DAYS - 1)}"
        month = f"start={FIRST_DAY + timedelta(DAYS - 30)}&end={FIRST_DAY + timedelta(DAYS - 1)}"
        pages = {
            "country, the year": f"/impact/national?{year}",
            "country, 30 days": f"/impact/national?{month}",
            f"province {province.code}, the year": f"/provinces/{province.code}/impact?{year}",
            f"commune {commune.code}, the year": f"/communes/{commune.code}/impact?{year}",
            "country's weekly report": f"/impact/national/weekly?week={FIRST_DAY}",
        }
        client = app.test_client()
        timings = {name: _p50(client, page, runs) for name, page in pages.items()}
    return {
        "load_s": loaded,
        "phases": phases,
        "analyse_s": analysed,
        "size": size,
        "agrees": agrees,
        "communes": len(communes),
        "timings": timings,
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--rows", type=int, default=ROWS)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)
    kinds = ("sqlite", "postgresql") if args.db == "both" else (args.db,)
    status = 0
    for kind in kinds:
        result = run(kind, args.rows, args.runs)
        print(
            f"{kind}: {args.rows:,} submissions over {result['communes']:,} communes and "
            f"{DAYS} days bulk-loaded with their roll-ups in {result['load_s']:.0f} s "
            f"(then {'VACUUM ANALYZE' if kind == 'postgresql' else 'ANALYZE'} "
            f"{result['analyse_s']:.0f} s); database {result['size'] / 1e9:.2f} GB; "
            f"roll-up {'agrees' if result['agrees'] else 'DISAGREES'} with the log"
        )
        print(
            "  of which: "
            + ", ".join(f"{phase} {seconds:.0f} s" for phase, seconds in result["phases"].items())
        )
        for name, p50 in result["timings"].items():
            print(f"  {name}: p50 {p50:.0f} ms ({args.runs} requests)")
        if not result["agrees"]:
            status = 1
    print(f"(on {os.cpu_count()} cores)")
    return status


if __name__ == "__main__":
    sys.exit(main())
