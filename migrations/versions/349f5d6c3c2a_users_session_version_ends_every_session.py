"""users.session_version: a random value in every session and remember cookie; replacing it ends them

Revision ID: 349f5d6c3c2a
Revises: 57da20668a11
Create Date: 2026-12-04 19:55:00

Existing accounts each get their own random value, so every session signed before the upgrade
(its cookie names the bare user id) is refused once: everybody signs in again.
"""

import secrets

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "349f5d6c3c2a"
down_revision = "57da20668a11"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("session_version", sa.String(length=32), nullable=True))
    users = sa.table("users", sa.column("id", sa.Integer), sa.column("session_version"))
    connection = op.get_bind()
    for (user_id,) in connection.execute(sa.select(users.c.id)).all():
        connection.execute(
            users.update()
            .where(users.c.id == user_id)
            .values(session_version=secrets.token_urlsafe(16))
        )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.alter_column("session_version", existing_type=sa.String(length=32), nullable=False)


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("session_version")
