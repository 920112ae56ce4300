"""the "vi" collation: Vietnamese alphabetical order in SQL (ORDER BY name COLLATE vi)

On PostgreSQL it is ICU's Vietnamese collation when the server has ICU; a server built without
ICU gets a "vi" made from its default collation, so the queries still run, in its own order.
SQLite needs nothing here: app/database.py registers "vi" on every connection.

Revision ID: 5b1e0c7d2a94
Revises: e4b5d1de6367
Create Date: 2026-12-05 20:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5b1e0c7d2a94'
down_revision = "e4b5d1de6367"
branch_labels = None
depends_on = None


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    has_icu = bind.execute(sa.text("SELECT 1 FROM pg_collation WHERE collprovider = 'i' LIMIT 1"))
    if has_icu.first() is not None:
        op.execute("CREATE COLLATION IF NOT EXISTS vi (provider = icu, locale = 'vi')")
    else:
        op.execute('CREATE COLLATION IF NOT EXISTS vi FROM "default"')


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP COLLATION IF EXISTS vi")
