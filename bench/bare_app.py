"""A bare Flask + SQLite endpoint, for the read ceiling (bench/read_ceiling.py) only: never part
of the site, never imported by it.

    BARE_DATABASE=/path/site.sqlite3 gunicorn -w 2 bench.bare_app:app

`GET /shifts?commune=<code>&date=<YYYY-MM-DD>` answers what `GET /api/v1/shifts` answers (the
active shifts of one commune starting on one local day, with their point, commune, capacity and
counts) from one plain SQL statement through the standard library's sqlite3, one connection per
request as Flask's tutorial opens it: no ORM, no authentication, no access rules, no validation
beyond the date's form, no translation, no security headers.
"""

import os
import sqlite3
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import Flask, g, jsonify, request

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
#: the site stores UTC moments as naive text, e.g. "2026-12-06 00:30:00.000000"
STORED = "%Y-%m-%d %H:%M:%S.%f"

SHIFTS = """
SELECT s.id, s.starts_at, s.ends_at, p.id, p.name, c.code, c.name, k.max_per_shift,
       (SELECT count(*) FROM bookings b WHERE b.shift_id = s.id AND b.status = 'confirmed'),
       (SELECT count(*) FROM bookings b WHERE b.shift_id = s.id AND b.status = 'waitlisted')
FROM shifts s
JOIN service_points p ON p.id = s.service_point_id
JOIN communes c ON c.id = p.commune_id
JOIN campaigns k ON k.id = s.campaign_id
WHERE c.code = ? AND s.status = 'active' AND s.starts_at >= ? AND s.starts_at < ?
ORDER BY s.starts_at, p.name, s.id
"""

app = Flask(__name__)


def _db():
    if "db" not in g:
        g.db = sqlite3.connect(os.environ["BARE_DATABASE"])
    return g.db


@app.teardown_appcontext
def _close(_error):
    connection = g.pop("db", None)
    if connection is not None:
        connection.close()


def _utc(day: date) -> str:
    moment = datetime.combine(day, time(), HANOI).astimezone(ZoneInfo("UTC"))
    return moment.strftime(STORED)


def _local(stored: str) -> str:
    moment = datetime.strptime(stored, STORED).replace(tzinfo=ZoneInfo("UTC"))
    return moment.astimezone(HANOI).isoformat()


@app.get("/shifts")
def shifts():
    try:
        day = date.fromisoformat(request.args.get("date", ""))
    except ValueError:
        return jsonify(error="bad_request"), 400
    rows = _db().execute(
        SHIFTS, (request.args.get("commune", ""), _utc(day), _utc(day + timedelta(days=1)))
    )
    return jsonify(
        [
            {
                "id": shift_id,
                "service_point": {"id": point_id, "name": point},
                "commune": {"code": code, "name": commune},
                "starts_at": _local(starts_at),
                "ends_at": _local(ends_at),
                "capacity": capacity,
                "booked": booked,
                "waitlisted": waitlisted,
            }
            for (
                shift_id,
                starts_at,
                ends_at,
                point_id,
                point,
                code,
                commune,
                capacity,
                booked,
                waitlisted,
            ) in rows
        ]
    )


@app.get("/healthz")
def health():
    return {"status": "ok"}
