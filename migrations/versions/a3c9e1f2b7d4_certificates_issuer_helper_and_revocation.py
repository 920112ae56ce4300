"""certificates: the helper of an assisted session, and revocation (issue 18)

Revision ID: a3c9e1f2b7d4
Revises: c51e0b9d7f63
Create Date: 2026-12-05 20:30:00

"""

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "a3c9e1f2b7d4"
down_revision = 'c51e0b9d7f63'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.add_column(sa.Column("helper_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("helper_name", sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("revoked_reason", sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column("revoked_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_certificates_helper_id_users"),
            "users",
            ["helper_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_certificates_revoked_by_id_users"),
            "users",
            ["revoked_by_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade():
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_certificates_revoked_by_id_users"), type_="foreignkey"
        )
        batch_op.drop_constraint(batch_op.f("fk_certificates_helper_id_users"), type_="foreignkey")
        batch_op.drop_column("revoked_by_id")
        batch_op.drop_column("revoked_reason")
        batch_op.drop_column("revoked_at")
        batch_op.drop_column("helper_name")
        batch_op.drop_column("helper_id")
