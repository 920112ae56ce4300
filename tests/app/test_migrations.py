"""The migrations build the models' schema from nothing, undo it completely and build it again.

Runs on a scratch SQLite file, and on PostgreSQL when TEST_DATABASE_URL names it (a scratch
database `<test database>_migrations`, created and dropped here, so the session's database is
untouched; the test database is this pytest-xdist worker's own, and so is the scratch one). A
model changed without its migration fails `test_..._match_the_models`.
"""

from datetime import UTC, datetime, timedelta

import flask_migrate
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from app import ROOT, create_app
from app.extensions import db
from tests.harness import scratch_postgresql


def _render_item(type_, obj, autogen_context):  # as migrations/env.py
    return False


@pytest.fixture(params=["sqlite", "postgresql"])
def scratch_url(request, tmp_path, database_url):
    if request.param == "sqlite":
        yield "sqlite:///" + str(tmp_path / "migrations.sqlite3")
        return
    if not database_url.startswith("postgresql"):
        pytest.skip("TEST_DATABASE_URL is not PostgreSQL (CI runs this on PostgreSQL)")
    with scratch_postgresql(database_url, "migrations") as url:
        yield url


@pytest.fixture
def scratch_app(scratch_url):
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": scratch_url,
            "SECRET_KEY": "migrations",
            "RATELIMIT_ENABLED": False,  # the limiter is shared by every app
        }
    )
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def _tables():
    return set(inspect(db.engine).get_table_names()) - {"alembic_version"}


def _differences():
    with db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "render_item": _render_item}
        )
        return compare_metadata(context, db.metadata)


def test_the_migrations_have_a_single_head(app):
    with app.app_context():
        config = app.extensions["migrate"].migrate.get_config(str(ROOT / "migrations"))
    heads = ScriptDirectory.from_config(config).get_heads()
    assert len(heads) == 1, f"several heads {heads}: chain the migrations (down_revision)"


def test_upgrade_downgrade_upgrade_round_trip_and_the_schema_matches_the_models(scratch_app):
    models = {table.name for table in db.metadata.sorted_tables}

    flask_migrate.upgrade()
    assert _tables() == models
    assert _differences() == [], "a model changed without its migration"

    flask_migrate.downgrade(revision="base")
    assert _tables() == set()

    flask_migrate.upgrade()
    assert _tables() == models
    assert _differences() == [], "a model changed without its migration"


def test_the_outbox_moves_into_the_delivery_log_and_back(scratch_app):
    """Sent mail stays sent; unsent mail under a day old is queued again, older is given up,
    so an upgrade mails no stale reset link. The downgrade puts the mail back in the outbox."""
    flask_migrate.upgrade(revision="879c374ead08")
    now = datetime.now(UTC)
    rows = [
        ("sent@example.test", now - timedelta(days=3), now - timedelta(days=3)),
        ("fresh@example.test", now - timedelta(hours=1), None),
        ("stale@example.test", now - timedelta(days=2), None),
    ]
    with db.engine.begin() as conn:
        for recipient, created_at, sent_at in rows:
            conn.execute(
                text(
                    "INSERT INTO outbox (recipient, subject, body, created_at, sent_at) "
                    "VALUES (:recipient, 'Subject', 'Body', :created_at, :sent_at)"
                ),
                {"recipient": recipient, "created_at": created_at, "sent_at": sent_at},
            )

    flask_migrate.upgrade(revision="a7d3c0e15b42")
    with db.engine.connect() as conn:
        moved = conn.execute(
            text("SELECT address, channel, state, subject FROM deliveries ORDER BY id")
        ).all()
    assert "outbox" not in _tables()
    assert [tuple(row) for row in moved] == [
        ("sent@example.test", "mail", "sent", "Subject"),
        ("fresh@example.test", "mail", "queued", "Subject"),
        ("stale@example.test", "mail", "gave_up", "Subject"),
    ]

    flask_migrate.downgrade(revision="879c374ead08")
    with db.engine.connect() as conn:
        back = conn.execute(text("SELECT recipient, sent_at IS NOT NULL FROM outbox ORDER BY id"))
        assert [tuple(row) for row in back] == [
            ("sent@example.test", True),
            ("fresh@example.test", False),
            ("stale@example.test", False),
        ]
    assert "deliveries" not in _tables()
