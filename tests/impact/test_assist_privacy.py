"""Residents' privacy (DESIGN.md): the assisted-submission log holds no name, ID number, phone or
address of a resident. These tests fail as soon as a column that could hold one appears."""

import re

from sqlalchemy import inspect

from app.extensions import db
from impact.assists.forms import AssistForm
from impact.assists.models import AssistedSubmission

#: the tables of the log: every table the assisted-submission log writes to
LOG_TABLES = {AssistedSubmission.__tablename__}
#: words that name personal data of a resident, in English and Vietnamese (without accents)
PERSONAL = re.compile(
    r"name|ten|id_?number|cccd|cmnd|identity|citizen|passport|phone|mobile|tel|sdt|address|"
    r"dia_?chi|street|email|mail|birth|dob|ngay_?sinh|gender|resident|contact|note|comment|text",
    re.IGNORECASE,
)
#: the log's own columns that name the volunteer, the place or a fact, never the resident
ALLOWED = {"volunteer_id", "late"}


def _personal(columns):
    return sorted(c for c in columns if PERSONAL.search(c) and c not in ALLOWED)


def test_no_column_of_the_log_could_hold_a_residents_personal_data(app):
    inspector = inspect(db.engine)
    for table in LOG_TABLES:
        columns = [c["name"] for c in inspector.get_columns(table)]
        assert columns, f"{table} is missing from the database"
        assert _personal(columns) == [], f"{table} has columns for personal data"


def test_the_model_declares_no_such_column_either():
    assert _personal(c.name for c in AssistedSubmission.__table__.columns) == []


def test_the_pattern_catches_the_columns_it_must(app):
    caught = ["resident_name", "full_name", "id_number", "cccd", "phone", "address", "email"]
    assert _personal(caught) == sorted(caught)


def test_the_log_screen_asks_for_none_of_it(app):
    with app.test_request_context():
        names = [field.name for field in AssistForm(meta={"csrf": False})]
    assert _personal(names) == []
