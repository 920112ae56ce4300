"""The migrations build the models' schema from nothing, undo it completely and build it again.

Runs on a scratch SQLite file, and on PostgreSQL when TEST_DATABASE_URL names it (a scratch
database `<test database>_migrations`, created and dropped here, so the session's database is
untouched). A model changed without its migration fails `test_..._match_the_models`.
"""

import os

import flask_migrate
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from app import ROOT, create_app
from app.extensions import db


def _render_item(type_, obj, autogen_context):  # as migrations/env.py
    return False


def _postgresql_url():
    url = os.environ.get("TEST_DATABASE_URL", "")
    return url if url.startswith("postgresql") else None


@pytest.fixture(params=["sqlite", "postgresql"])
def scratch_url(request, tmp_path):
    if request.param == "sqlite":
        yield "sqlite:///" + str(tmp_path / "migrations.sqlite3")
        return
    base = _postgresql_url()
    if base is None:
        pytest.skip("TEST_DATABASE_URL is not PostgreSQL (CI runs this on PostgreSQL)")
    url = make_url(base)
    name = f"{url.database}_migrations"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


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
