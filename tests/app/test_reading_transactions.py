"""A request's transaction that only read is committed at its end (app.database.end_reading);
one that changed something without committing is still rolled back.

Each `with app.app_context()` below is what a request has: an app context of its own, with its
own session, torn down at its end (the test's own context stays outside).
"""

import pytest
from sqlalchemy import event, select, text, update

from app.auth.models import User
from app.extensions import db


def _name(user_id):
    db.session.expire_all()
    return db.session.scalar(select(User.full_name).where(User.id == user_id))


def test_a_change_flushed_but_not_committed_is_rolled_back_at_the_end(app, volunteer):
    user_id, name = volunteer.id, volunteer.full_name
    db.session.commit()
    with app.app_context():
        db.session.get(User, user_id).full_name = "Chưa lưu"
        db.session.flush()

    assert _name(user_id) == name


def test_a_statement_that_changed_rows_is_rolled_back_at_the_end(app, volunteer):
    user_id, name = volunteer.id, volunteer.full_name
    db.session.commit()
    with app.app_context():
        db.session.execute(update(User).where(User.id == user_id).values(full_name="Chưa lưu"))

    assert _name(user_id) == name


def test_a_change_made_but_not_flushed_is_never_written(app, volunteer):
    user_id, name = volunteer.id, volunteer.full_name
    db.session.commit()
    with app.app_context():
        db.session.get(User, user_id).full_name = "Chưa lưu"

    assert _name(user_id) == name


def test_a_request_that_failed_is_rolled_back_even_after_reads_alone(app, volunteer):
    commits = []

    def note(_conn):
        commits.append(True)

    user_id = volunteer.id
    db.session.commit()
    event.listen(db.engine, "commit", note)
    try:
        with pytest.raises(RuntimeError), app.app_context():
            db.session.get(User, user_id)
            raise RuntimeError("the view failed")
    finally:
        event.remove(db.engine, "commit", note)
    assert commits == []


def test_on_postgresql_reads_keep_the_connections_prepared_statements(app, volunteer):
    """psycopg prepares a statement run five times on a connection, and forgets them all at
    each ROLLBACK: requests that only read must not end with one, or nothing stays prepared
    and every statement is planned again."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("prepared statements are psycopg's, on PostgreSQL")
    user_id = volunteer.id
    db.session.commit()
    db.session.close()
    db.engine.dispose()  # one connection in the pool: every request below takes that one
    for _request in range(8):
        with app.app_context():
            db.session.scalar(select(User.full_name).where(User.id == user_id))
    with app.app_context():
        prepared = db.session.scalars(text("SELECT statement FROM pg_prepared_statements")).all()
    assert any("FROM users" in statement for statement in prepared)
