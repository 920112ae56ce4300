"""Residents' privacy (DESIGN.md): the assisted-submission log holds no name, ID number, phone or
address of a resident. These tests fail as soon as a column that could hold one appears.

Resident cards (impact/cards) link entries to a pseudonymous resident: no table holds a card's
code, only its keyed digest, which cannot be computed without RESIDENT_CARD_KEY."""

import hashlib
import hmac
import re

from sqlalchemy import inspect, select, text

from app.extensions import db
from impact.assists.forms import AssistForm
from impact.assists.models import AssistedSubmission
from impact.cards import services as cards
from impact.cards.models import Resident, ResidentCard
from impact.dashboard.models import ResidentDailyCount

#: the tables of the log: every table the assisted-submission log writes to, and the cards'
LOG_TABLES = {
    AssistedSubmission.__tablename__,
    Resident.__tablename__,
    ResidentCard.__tablename__,
    ResidentDailyCount.__tablename__,
}
#: words that name personal data of a resident, in English and Vietnamese (without accents)
PERSONAL = re.compile(
    r"name|ten|id_?number|cccd|cmnd|identity|citizen|passport|phone|mobile|tel|sdt|address|"
    r"dia_?chi|street|email|mail|birth|dob|ngay_?sinh|gender|resident|contact|note|comment|text",
    re.IGNORECASE,
)
#: the log's own columns that name the volunteer, the place or a fact, never the resident; and
#: the pseudonymous resident, an opaque id (impact/cards/models.py)
ALLOWED = {"volunteer_id", "late", "resident_id"}
#: the log screen's card field: a code read to find the resident, never stored (see below)
ALLOWED_FIELDS = {"resident_card"}


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
    assert _personal(n for n in names if n not in ALLOWED_FIELDS) == []


def _every_text_in_the_database() -> str:
    """Every value of every table, as text: what a copy of the database would show."""
    values = []
    with db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            for row in conn.execute(select(table)):
                values.extend(str(v) for v in row)
    return "\n".join(values).upper()


def test_no_table_holds_a_card_code(client, volunteer, on_duty, bearer, assist_entry):
    on_duty(volunteer)
    headers = bearer(volunteer)
    issued = client.post("/api/v1/resident-cards", json={}, headers=headers).get_json()["code"]
    replaced = client.post(
        "/api/v1/resident-cards", json={"replaces": issued}, headers=headers
    ).get_json()["code"]
    entry = assist_entry(resident_card=replaced, self_service=True)
    assert client.post("/api/v1/assists", json=entry, headers=headers).status_code == 201
    db.session.commit()

    everything = _every_text_in_the_database()
    for code in (issued, replaced):
        assert code not in everything and code.replace("-", "") not in everything


def test_the_digest_is_not_derivable_without_the_key(app, client, volunteer, bearer):
    code = (
        client.post("/api/v1/resident-cards", json={}, headers=bearer(volunteer))
        .get_json()["code"]
        .replace("-", "")
    )
    stored = db.session.execute(text("SELECT digest FROM resident_cards")).scalar_one()

    key = app.config["RESIDENT_CARD_KEY"]
    assert stored == hmac.new(key.encode(), code.encode(), hashlib.sha256).hexdigest()
    # nothing a reader of the database alone could compute gives it
    unkeyed = [hashlib.sha256(code.encode()).hexdigest(), hashlib.sha512(code.encode()).hexdigest()]
    assert stored not in unkeyed
    assert stored != cards.card_digest(code, key="another deployment's key")
    assert stored != cards.card_digest(code, key=app.config["SECRET_KEY"])
    assert key.upper() not in _every_text_in_the_database()
