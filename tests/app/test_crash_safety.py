"""Kill the server with SIGKILL in the middle of a booking rush: every booking stays whole.

Starts gunicorn (2 workers) on a free 127.0.0.1 port against a scratch database (a temp SQLite
file; on PostgreSQL when TEST_DATABASE_URL says so, a scratch database `<test db>_crash`, named
after this pytest-xdist worker's own test database),
sends bookings and cancellations from many threads through the JSON API (as
bench/booking_rush.py does), SIGKILLs the master and its workers once a third of the answers are
in, restarts the server, finishes the rush and checks the database:

- it opens, and on SQLite `PRAGMA integrity_check` is ok;
- no shift has more confirmed bookings than its capacity;
- no booking lacks its person or its shift;
- waitlists are consistent: no shift has someone waiting while a confirmed place is free (so a
  promotion run finds nothing to do), and a cancelled booking has its cancellation time;
- every booking the server acknowledged (201/200 with an id) before the kill exists afterwards.
"""

import http.client
import os
import random
import signal
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import flask_migrate
import pytest
from sqlalchemy import func, select, text

from app import ROOT, create_app
from app.auth.models import User
from app.extensions import db
from scheduling.booking.services import promote_waitlist
from scheduling.models import Booking, BookingStatus, Shift
from tests.harness import scratch_postgresql, seed_scratch_site

if str(ROOT) not in sys.path:  # bench/ is not an installed package
    sys.path.insert(0, str(ROOT))
from bench.booking_rush import _environment, _free_port, _request, _start_gunicorn  # noqa: E402

VOLUNTEERS = 120
SHIFTS = 6
CAPACITY = 5
CONCURRENCY = 16
KILL_AFTER = VOLUNTEERS // 3


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path, database_url):
    if request.param == "sqlite":
        yield "sqlite:///" + str(tmp_path / "crash.sqlite3")
        return
    if not database_url.startswith("postgresql"):
        pytest.skip("TEST_DATABASE_URL is not PostgreSQL (CI runs this on PostgreSQL)")
    with scratch_postgresql(database_url, "crash") as url:
        yield url


@pytest.fixture
def site(database):
    """The scratch database with SHIFTS contended shifts and VOLUNTEERS volunteers' tokens."""
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": database, "SECRET_KEY": "crash", "RATELIMIT_ENABLED": False}
    )
    with app.app_context():
        flask_migrate.upgrade()
        tokens, shift_ids = seed_scratch_site("Crash", SHIFTS, CAPACITY, VOLUNTEERS)
    yield app, database, tokens, shift_ids


def _kill_server(server):
    """SIGKILL the master and every worker (gunicorn runs in its own process group)."""
    os.killpg(server.pid, signal.SIGKILL)
    server.wait(timeout=10)


def _rush(port_of, tokens, shift_ids, answered, kill):
    """Each volunteer books a random shift, then one in four cancels it. Records acknowledged
    bookings; calls kill() once KILL_AFTER volunteers are done."""
    rng = random.Random(6)
    plan = [(n, token, rng.choice(shift_ids), n % 4 == 0) for n, token in enumerate(tokens)]
    lock = threading.Lock()
    done = {"n": 0}

    def one(item):
        n, token, shift_id, cancel = item
        try:
            status, body = _request(port_of(), "POST", f"/api/v1/shifts/{shift_id}/bookings",
                                    token=token)  # fmt: skip
            if status in (200, 201):
                answered[n] = body["id"]
                if cancel:
                    _request(port_of(), "DELETE", f"/api/v1/bookings/{body['id']}", token=token)
        except (OSError, http.client.HTTPException):
            pass  # the server died (maybe mid-answer); the volunteer tries again after the restart
        with lock:
            done["n"] += 1
            if done["n"] == KILL_AFTER:
                kill()

    with ThreadPoolExecutor(CONCURRENCY) as pool:
        list(pool.map(one, plan))
    return plan


def test_sigkill_mid_rush_leaves_every_booking_whole(site):
    app, url, tokens, shift_ids = site
    env = _environment(url)
    port = {"now": _free_port()}
    server, log = _start_gunicorn(env, port["now"], 2)
    killed = threading.Event()
    answered_before_kill = {}
    try:

        def kill():
            _kill_server(server)
            killed.set()

        answered = {}
        _rush(lambda: port["now"], tokens, shift_ids, answered, kill)
        assert killed.is_set()
        answered_before_kill = dict(answered)
        print(f"crash: {len(answered)} of {VOLUNTEERS} bookings acknowledged before the kill")
        log.close()

        # The restart, and the volunteers whose requests died with the server try again.
        port["now"] = _free_port()
        server, log = _start_gunicorn(env, port["now"], 2)
        retry = {}
        _rush(lambda: port["now"], tokens, shift_ids, retry, lambda: None)
        assert len(retry) == VOLUNTEERS, "after the restart every volunteer got an answer"
    finally:
        if server.poll() is None:
            server.terminate()
            server.wait(timeout=15)
        log.close()

    with app.app_context():
        session = db.session
        if session.get_bind().dialect.name == "sqlite":
            assert session.execute(text("PRAGMA integrity_check")).scalar() == "ok"

        confirmed = func.count().filter(Booking.status == BookingStatus.CONFIRMED)
        waiting = func.count().filter(Booking.status == BookingStatus.WAITLISTED)
        per_shift = session.execute(
            select(Booking.shift_id, confirmed, waiting).group_by(Booking.shift_id)
        ).all()
        assert per_shift, "the rush made bookings"
        for shift_id, n_confirmed, n_waiting in per_shift:
            assert n_confirmed <= CAPACITY, f"shift {shift_id} over capacity"
            assert n_waiting == 0 or n_confirmed == CAPACITY, (
                f"shift {shift_id}: {n_waiting} waiting while {CAPACITY - n_confirmed} free"
            )
        for shift in session.scalars(select(Shift)):
            assert promote_waitlist(session, shift) == []
        session.rollback()

        orphans = session.scalar(
            select(func.count())
            .select_from(Booking)
            .outerjoin(User, User.id == Booking.user_id)
            .outerjoin(Shift, Shift.id == Booking.shift_id)
            .where((User.id.is_(None)) | (Shift.id.is_(None)))
        )
        assert orphans == 0
        assert (
            session.scalar(
                select(func.count()).where(
                    (Booking.status == BookingStatus.CANCELLED) != Booking.cancelled_at.isnot(None)
                )
            )
            == 0
        )
        stored = set(session.scalars(select(Booking.id)))
        lost = set(answered_before_kill.values()) - stored
        assert not lost, f"acknowledged bookings lost in the crash: {sorted(lost)}"
        assert len(stored) == VOLUNTEERS  # one booking (row) per volunteer, whatever its status
        db.session.remove()
        db.engine.dispose()
