"""A token's first use never answers 500 while others book: real gunicorn workers, one SQLite file.

A token's first use in each TOKEN_TOUCH_INTERVAL records last_used_at while serving a GET. Written
in the GET's own read transaction (a plain BEGIN), SQLite refuses the write with
SQLITE_BUSY_SNAPSHOT whenever another writer committed since that transaction began: 8 of 40
first-use GETs answered 500 while 10 threads were booking. The write now goes through
app.database.write_apart (a writer transaction of its own). This test starts gunicorn (4 workers)
on a free 127.0.0.1 port against a scratch SQLite file; BOOKERS volunteers book and cancel shifts
over and over through the JSON API while READERS volunteers each make the first GET with a fresh
token; no answer may be a 5xx. Bounded: a fixed number of requests, each with a 60 s timeout.
"""

import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import flask_migrate
import pytest
from sqlalchemy import select

from app import ROOT, create_app
from app.api.models import ApiToken
from app.extensions import db

if str(ROOT) not in sys.path:  # bench/ is not an installed package
    sys.path.insert(0, str(ROOT))
from bench.booking_rush import _environment, _free_port, _request, _start_gunicorn, _stop  # noqa: E402
from tests.harness import seed_scratch_site

BOOKERS = 10
READERS = 60
SHIFTS = 4
ROUNDS = 6  # each booker books and cancels every shift this many times
WORKERS = 4


@pytest.fixture
def site(tmp_path):
    """A scratch SQLite file: SHIFTS shifts, BOOKERS' and READERS' tokens (readers' never used)."""
    url = "sqlite:///" + str(tmp_path / "load.sqlite3")
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "load"})
    with app.app_context():
        flask_migrate.upgrade()
        tokens, shift_ids = seed_scratch_site("Load", SHIFTS, BOOKERS, BOOKERS + READERS)
    yield app, url, tokens[:BOOKERS], tokens[BOOKERS:], shift_ids


def test_first_use_gets_never_fail_while_others_book(site):
    app, url, booker_tokens, reader_tokens, shift_ids = site
    port = _free_port()
    server, log = _start_gunicorn(_environment(url), port, WORKERS)
    statuses, lock = [], threading.Lock()
    readers_done = threading.Event()

    def record(method, path, status):
        with lock:
            statuses.append((method, path, status))

    def book(token):
        for _round in range(ROUNDS):
            for shift_id in shift_ids:
                path = f"/api/v1/shifts/{shift_id}/bookings"
                status, body = _request(port, "POST", path, token=token)
                record("POST", path, status)
                if status in (200, 201):
                    cancel = f"/api/v1/bookings/{body['id']}"
                    record("DELETE", cancel, _request(port, "DELETE", cancel, token=token)[0])
            if readers_done.is_set():
                return

    def read(token):
        record(
            "GET",
            "/api/v1/me/bookings",
            _request(port, "GET", "/api/v1/me/bookings", token=token)[0],
        )

    try:
        with ThreadPoolExecutor(BOOKERS + 8) as pool:
            bookers = [pool.submit(book, token) for token in booker_tokens]
            readers = [pool.submit(read, token) for token in reader_tokens]
            for future in readers:
                future.result()
            readers_done.set()
            for future in bookers:
                future.result()
    finally:
        _stop(server)
        log.seek(0)
        server_log = log.read().decode(errors="replace")
        log.close()

    failures = [answer for answer in statuses if answer[2] >= 500]
    assert failures == [], f"{len(failures)} 5xx answers: {failures[:5]}\n{server_log[-3000:]}"
    reads = [status for method, _path, status in statuses if method == "GET"]
    assert reads == [200] * READERS
    assert any(method == "POST" for method, _path, _status in statuses), "the bookers booked"
    with app.app_context():
        used = db.session.scalars(select(ApiToken).where(ApiToken.last_used_at.is_not(None))).all()
        assert len(used) == BOOKERS + READERS, "every first use was recorded"
        db.session.remove()
        db.engine.dispose()
