"""attendance: the time the server received a check-in, late syncs and their confirmation

Revision ID: 879c374ead08
Revises: 349f5d6c3c2a
Create Date: 2026-12-04 19:46:40.942226

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '879c374ead08'
down_revision = "349f5d6c3c2a"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('attendances', schema=None) as batch_op:
        batch_op.add_column(sa.Column('received_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('late_sync', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('confirmed_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_attendances_confirmed_by_id_users'), 'users', ['confirmed_by_id'], ['id'], ondelete='SET NULL')
    # check-ins made before this revision were credited from their check-in time: keep them so
    op.execute("UPDATE attendances SET received_at = checked_in_at")
    with op.batch_alter_table('attendances', schema=None) as batch_op:
        batch_op.alter_column('received_at', existing_type=sa.DateTime(timezone=True), nullable=False)
        batch_op.alter_column('late_sync', existing_type=sa.Boolean(), server_default=None)


def downgrade():
    with op.batch_alter_table('attendances', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_attendances_confirmed_by_id_users'), type_='foreignkey')
        batch_op.drop_column('confirmed_by_id')
        batch_op.drop_column('confirmed_at')
        batch_op.drop_column('late_sync')
        batch_op.drop_column('received_at')
