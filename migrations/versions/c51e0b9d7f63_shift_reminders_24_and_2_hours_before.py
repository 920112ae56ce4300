"""shift reminders 24 and 2 hours before: one row per booking and lead time

Revision ID: c51e0b9d7f63
Revises: a7d3c0e15b42
Create Date: 2026-12-05 20:35:00

A booking had one reminder, the day before; it now has two, so the lead time joins the primary
key (two scheduler runs at once still collide on it). Reminders sent before are the day-before
ones.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c51e0b9d7f63'
down_revision = 'a7d3c0e15b42'
branch_labels = None
depends_on = None


def _table(name, with_lead):
    columns = [
        sa.Column('booking_id', sa.Integer(), nullable=False),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['booking_id'], ['bookings.id'], name=op.f('fk_shift_reminders_booking_id_bookings'), ondelete='CASCADE'),
    ]
    if with_lead:
        columns.insert(1, sa.Column('hours_before', sa.Integer(), nullable=False))
        key = sa.PrimaryKeyConstraint('booking_id', 'hours_before', name=op.f('pk_shift_reminders'))
    else:
        key = sa.PrimaryKeyConstraint('booking_id', name=op.f('pk_shift_reminders'))
    op.create_table(name, *columns, key)


def upgrade():
    op.rename_table('shift_reminders', 'shift_reminders_old')
    _drop_constraints_of_old()
    _table('shift_reminders', with_lead=True)
    op.execute(
        "INSERT INTO shift_reminders (booking_id, hours_before, sent_at) "
        "SELECT booking_id, 24, sent_at FROM shift_reminders_old"
    )
    op.drop_table('shift_reminders_old')


def downgrade():
    op.rename_table('shift_reminders', 'shift_reminders_old')
    _drop_constraints_of_old()
    _table('shift_reminders', with_lead=False)
    # the old table holds one reminder per booking: the first one sent stands for it
    op.execute(
        "INSERT INTO shift_reminders (booking_id, sent_at) "
        "SELECT booking_id, MIN(sent_at) FROM shift_reminders_old GROUP BY booking_id"
    )
    op.drop_table('shift_reminders_old')


def _drop_constraints_of_old():
    """PostgreSQL names constraints per schema: free the names the new table takes."""
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.drop_constraint('fk_shift_reminders_booking_id_bookings', 'shift_reminders_old', type_='foreignkey')
    op.drop_constraint('pk_shift_reminders', 'shift_reminders_old', type_='primary')
