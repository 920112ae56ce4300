"""A scratch database filled in process, for the benches that time services or pages on large
generated data (the dashboard's and the country's figures): a temp SQLite file, or a PostgreSQL
database of the bench's own, created anew and dropped after. The schema comes from the migrations,
with the places and the procedure catalogue loaded, as `make run` would."""

import contextlib
import tempfile
from collections.abc import Iterator
from pathlib import Path

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


def pg_admin(statement: str) -> None:
    """Runs one statement outside a transaction (CREATE and DROP DATABASE need it)."""
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(statement)


@contextlib.contextmanager
def scratch_app(kind: str, name: str) -> Iterator[tuple[object, str]]:
    """The app on a new database called `name` (a file in a temp folder for SQLite), migrated,
    with places and procedures, inside its app context; yields the app and the database URL."""
    from flask_migrate import upgrade

    from app import create_app
    from app.extensions import db
    from app.places.services import import_places
    from impact.procedures.services import import_procedures

    with tempfile.TemporaryDirectory() as workdir:
        if kind == "sqlite":
            url = "sqlite:///" + str(Path(workdir) / f"{name}.sqlite3")
        else:
            pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            pg_admin(f"CREATE DATABASE {name}")
            url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
        app = create_app(
            {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "RATELIMIT_ENABLED": False}
        )
        try:
            with app.app_context():
                upgrade()
                import_places(db.session)
                import_procedures(db.session)
                yield app, url
                db.session.remove()
                db.engine.dispose()
        finally:
            if kind == "postgresql":
                pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
