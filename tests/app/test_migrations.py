"""The migrations build the models' schema from nothing, undo it completely and build it again.

Runs on a scratch SQLite file, and on PostgreSQL when TEST_DATABASE_URL names it (a scratch
database `<test database>_migrations`, created and dropped here, so the session's database is
untouched; the test database is this pytest-xdist worker's own, and so is the scratch one). A
model changed without its migration fails `test_..._match_the_models`.
"""

import json
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


def test_peoples_skills_move_from_the_json_list_to_rows_and_back(scratch_app):
    """Every code of a JSON list becomes a row; one the fixed list never had becomes an
    inactive skill named by its code; the downgrade writes the lists back, role grants kept."""
    flask_migrate.upgrade(revision="b7d3e1f05a92")
    now = datetime.now(UTC)
    with db.engine.begin() as conn:
        for email, skills in (
            ("a@example.test", '["it", "elderly"]'),
            ("b@example.test", '["old_code"]'),
            ("c@example.test", "[]"),
        ):
            conn.execute(
                text(
                    "INSERT INTO users (email, full_name, phone, organisation, class_name, "
                    "skills, locale, active, session_version, created_at) VALUES (:email, 'X', "
                    "'', '', '', :skills, 'vi', true, 'v', :now)"
                ),
                {"email": email, "skills": skills, "now": now},
            )
        conn.execute(
            text(
                "INSERT INTO role_grants (user_id, role, created_at) "
                "SELECT id, 'volunteer', :now FROM users"
            ),
            {"now": now},
        )

    flask_migrate.upgrade(revision="46d7b8a0bebf")
    with db.engine.connect() as conn:
        held = conn.execute(
            text(
                "SELECT u.email, s.skill_code FROM user_skills s JOIN users u ON u.id = s.user_id "
                "ORDER BY u.email, s.skill_code"
            )
        ).all()
        old = conn.execute(text("SELECT name_vi, active FROM skills WHERE code = 'old_code'")).one()
        signature = conn.execute(
            text("SELECT name_vi FROM skills WHERE code = 'digital_signature'")
        ).scalar_one()
        grants = conn.execute(text("SELECT count(*) FROM role_grants")).scalar_one()
    assert [tuple(row) for row in held] == [
        ("a@example.test", "elderly"),
        ("a@example.test", "it"),
        ("b@example.test", "old_code"),
    ]
    assert tuple(old) == ("old_code", False) and signature == "Chữ ký số" and grants == 3

    flask_migrate.downgrade(revision="b7d3e1f05a92")
    with db.engine.connect() as conn:
        back = conn.execute(text("SELECT email, skills FROM users ORDER BY email")).all()
    lists = [(email, json.loads(s) if isinstance(s, str) else s) for email, s in back]
    assert lists == [
        ("a@example.test", ["elderly", "it"]),
        ("b@example.test", ["old_code"]),
        ("c@example.test", []),
    ]
    assert "user_skills" not in _tables() and "skills" not in _tables()


def test_the_migration_seeds_the_skill_list_the_site_starts_with():
    from importlib.util import module_from_spec, spec_from_file_location

    from app.skills.services import STARTING_SKILLS

    path = ROOT / "migrations/versions/46d7b8a0bebf_skills_list_and_user_skills.py"
    spec = spec_from_file_location("skills_migration", path)
    migration = module_from_spec(spec)
    spec.loader.exec_module(migration)
    assert migration.SKILLS == STARTING_SKILLS
