"""write_apart: a small fact written while serving a read has its own short writer transaction."""

from sqlalchemy import select

from app.auth.models import User
from app.database import write_apart
from app.extensions import db


def _rename(user_id, name):
    def work(session):
        session.get(User, user_id).full_name = name

    return work


def test_in_a_get_the_fact_is_committed_at_once_beside_the_requests_read(app, volunteer):
    user_id = volunteer.id
    db.session.commit()
    with app.test_request_context("/", method="GET"):
        request_session = db.session()
        assert request_session.scalar(select(User.full_name).where(User.id == user_id))
        assert request_session.in_transaction()  # the request's read transaction is open

        write_apart(_rename(user_id, "Đã ghi riêng"))

        request_session.rollback()  # the request's transaction wrote nothing of it
    db.session.expire_all()
    assert db.session.get(User, user_id).full_name == "Đã ghi riêng"


def test_in_a_post_the_fact_joins_the_requests_own_writer_transaction(app, volunteer):
    user_id, name = volunteer.id, volunteer.full_name
    db.session.commit()
    with app.test_request_context("/", method="POST"):
        request_session = db.session()
        request_session.get(User, user_id)  # BEGIN IMMEDIATE: this request holds the write lock

        write_apart(_rename(user_id, "Cùng giao dịch"))  # no second writer waiting for the lock

        request_session.rollback()  # the request failed: the fact goes with it
    db.session.expire_all()
    assert db.session.get(User, user_id).full_name == name
