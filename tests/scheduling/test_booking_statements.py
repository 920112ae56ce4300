"""What one booking asks of the database: few statements, one write transaction, the reads first.

A booking is the busiest write of a campaign's opening hour; every statement inside the write
transaction lengthens the time the shift (or, on SQLite, the whole file) is locked. Counted with
SQLAlchemy's cursor events; the delivery the worker sends afterwards is left out (the task queue
is held, as in production where the worker is another process).
"""

from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event, select

from app import tasks
from app.api.models import ApiToken
from app.database import utcnow
from app.extensions import db
from scheduling.models import Booking, BookingStatus

WRITES = ("INSERT", "UPDATE", "DELETE")


@contextmanager
def recorded():
    """Every statement sent to the database meanwhile, and each transaction's statements."""
    log = {"statements": [], "transactions": []}

    def begin(conn):
        log["transactions"].append([])

    def before(conn, cursor, statement, parameters, context, executemany):
        verb = statement.lstrip().split(None, 1)[0].upper()
        if verb in ("BEGIN", "SAVEPOINT", "RELEASE"):
            log["statements"].append(verb if verb != "BEGIN" else statement.strip())
            return
        log["statements"].append(verb)
        if log["transactions"]:
            log["transactions"][-1].append(verb)

    event.listen(db.engine, "begin", begin)
    event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield log
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
        event.remove(db.engine, "begin", begin)


@pytest.fixture
def held_queue(monkeypatch):
    """The task queue's hand-overs, kept instead of run: the worker is not the request."""
    handed = []
    monkeypatch.setattr(tasks, "enqueue", lambda name, *args, **kw: handed.append(name))
    return handed


def statements(log):
    return [s for s in log["statements"] if not s.startswith(("BEGIN", "SAVEPOINT", "RELEASE"))]


def write_transactions(log):
    return [t for t in log["transactions"] if any(verb in WRITES for verb in t)]


def _token_used_just_now(user):
    token = db.session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    token.last_used_at = utcnow() - timedelta(minutes=1)


def test_a_booking_takes_at_most_eight_statements_in_one_write_transaction(
    client, volunteer, shift, bearer, held_queue
):
    headers, url = bearer(volunteer), f"/api/v1/shifts/{shift.id}/bookings"
    _token_used_just_now(volunteer)
    db.session.commit()

    with recorded() as log:
        response = client.post(url, headers=headers)

    assert response.status_code == 201
    assert response.get_json()["status"] == "confirmed"
    assert len(statements(log)) <= 8, log["statements"]
    assert len(write_transactions(log)) == 1, log["transactions"]
    assert held_queue == ["send_delivery"]  # the confirmation is worded by the worker


def test_the_tokens_first_use_in_five_minutes_is_recorded_in_the_same_transaction(
    client, volunteer, shift, bearer, held_queue
):
    headers, url = bearer(volunteer), f"/api/v1/shifts/{shift.id}/bookings"
    db.session.commit()

    with recorded() as log:
        first = client.post(url, headers=headers)
    with recorded() as again:
        client.post(url, headers=headers)

    assert first.status_code == 201
    (writer,) = write_transactions(log)
    assert writer.count("UPDATE") == 1 and writer.count("INSERT") == 3  # booking, notice, mail
    token = db.session.scalar(select(ApiToken).where(ApiToken.user_id == volunteer.id))
    assert token.last_used_at is not None
    assert "UPDATE" not in statements(again)  # used a moment ago: nothing to record


def test_the_answer_is_worded_from_the_booking_in_hand(
    client, volunteer, shift, bearer, held_queue
):
    headers, url = bearer(volunteer), f"/api/v1/shifts/{shift.id}/bookings"
    db.session.commit()

    with recorded() as log:
        body = client.post(url, headers=headers).get_json()

    booking = db.session.get(Booking, body["id"])
    assert booking.status == BookingStatus.CONFIRMED
    # nothing is read once the write transaction has committed: it is the last one
    assert log["transactions"][-1][-1] in WRITES


def test_on_sqlite_the_token_shift_and_notice_choices_are_read_before_the_write_lock(
    client, volunteer, shift, bearer, held_queue
):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's single write lock: PostgreSQL locks the shift's row alone")
    headers, url = bearer(volunteer), f"/api/v1/shifts/{shift.id}/bookings"
    db.session.commit()

    with recorded() as log:
        client.post(url, headers=headers)

    order = log["statements"]
    # the token, user and roles; the shift and its campaign; the person's notice choices
    assert order[:5] == ["BEGIN", "SELECT", "SELECT", "SELECT", "BEGIN IMMEDIATE"]
    assert order.count("BEGIN IMMEDIATE") == 1


def test_under_the_lock_a_booking_reads_only_what_decides_it(
    client, volunteer, shift, bearer, held_queue
):
    """The shift's lock (on SQLite, the file's) is held from the statement that takes it to the
    commit: the person's notice choices, which the confirmation needs, are read before it."""
    headers, url = bearer(volunteer), f"/api/v1/shifts/{shift.id}/bookings"
    db.session.commit()
    sent = []

    def listen(conn, cursor, statement, *rest):
        sent.append(" ".join(statement.split()))

    event.listen(db.engine, "before_cursor_execute", listen)
    try:
        response = client.post(url, headers=headers)
    finally:
        event.remove(db.engine, "before_cursor_execute", listen)

    assert response.status_code == 201
    takes_lock = (
        (lambda s: s.startswith("BEGIN IMMEDIATE"))
        if db.engine.dialect.name == "sqlite"
        else (lambda s: "FOR UPDATE OF shifts" in s)
    )
    locked_from = next(i for i, s in enumerate(sent) if takes_lock(s))
    under_lock = sent[locked_from:]
    assert not [s for s in under_lock if "notification_preferences" in s], under_lock
    assert any("notification_preferences" in s for s in sent[:locked_from])
    assert any(s.startswith("INSERT INTO deliveries") for s in under_lock)


def test_an_unknown_shift_writes_nothing(client, volunteer, bearer, held_queue):
    headers = bearer(volunteer)
    _token_used_just_now(volunteer)
    db.session.commit()

    with recorded() as log:
        response = client.post("/api/v1/shifts/999999/bookings", headers=headers)

    assert response.status_code == 404
    assert write_transactions(log) == []
