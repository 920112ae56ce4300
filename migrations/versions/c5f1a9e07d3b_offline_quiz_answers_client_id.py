"""quiz answers given offline carry the id the phone made for them (issue 18)

Revision ID: c5f1a9e07d3b
Revises: b7e2c4a91d05
Create Date: 2026-12-05 21:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c5f1a9e07d3b"
down_revision = "b7e2c4a91d05"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("quiz_answers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("client_id", sa.String(length=36), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_quiz_answers_client_id"), ["client_id"]
        )


def downgrade():
    with op.batch_alter_table("quiz_answers", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_quiz_answers_client_id"), type_="unique")
        batch_op.drop_column("client_id")
