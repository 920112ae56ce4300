"""the delivery log replaces the outbox: one row per notice per channel, with its state

Revision ID: a7d3c0e15b42
Revises: 5b1e0c7d2a94
Create Date: 2026-12-05 20:30:00

The outbox's rows move over as mail deliveries: a sent one stays sent; one never sent goes back
to the queue if it is less than a day old (the give-up time) and is marked given up otherwise,
so an upgrade does not mail out stale password-reset links.
"""
from datetime import UTC, datetime, timedelta

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7d3c0e15b42'
down_revision = '5b1e0c7d2a94'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('address', sa.Text(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('notification_id', sa.Integer(), nullable=True),
    sa.Column('subject', sa.String(length=200), nullable=True),
    sa.Column('body', sa.Text(), nullable=True),
    sa.Column('state', sa.String(length=8), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.String(length=500), nullable=True),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('claimed_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("state IN ('queued', 'sent', 'failed', 'gave_up')", name=op.f('ck_deliveries_delivery_state')),
    sa.ForeignKeyConstraint(['notification_id'], ['notifications.id'], name=op.f('fk_deliveries_notification_id_notifications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_deliveries_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deliveries'))
    )
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.create_index('ix_deliveries_state_next_attempt', ['state', 'next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_deliveries_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_deliveries_notification_id'), ['notification_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_deliveries_user_id'), ['user_id'], unique=False)

    cutoff = datetime.now(UTC) - timedelta(days=1)
    op.get_bind().execute(
        sa.text(
            "INSERT INTO deliveries (channel, address, subject, body, state, attempts, "
            "next_attempt_at, sent_at, created_at) "
            "SELECT 'mail', recipient, subject, body, "
            "CASE WHEN sent_at IS NOT NULL THEN 'sent' "
            "WHEN created_at > :cutoff THEN 'queued' ELSE 'gave_up' END, "
            "CASE WHEN sent_at IS NOT NULL THEN 1 ELSE 0 END, created_at, sent_at, created_at "
            "FROM outbox ORDER BY id"
        ).bindparams(sa.bindparam("cutoff", type_=sa.DateTime(timezone=True))),
        {"cutoff": cutoff},
    )

    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_sent_at'))
    op.drop_table('outbox')


def downgrade():
    op.create_table('outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recipient', sa.String(length=254), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox'))
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_sent_at'), ['sent_at'], unique=False)
    # the outbox held mail only, worded in advance; a notice not yet worded has no text to keep
    op.execute(
        "INSERT INTO outbox (recipient, subject, body, created_at, sent_at) "
        "SELECT substr(address, 1, 254), subject, body, created_at, sent_at FROM deliveries "
        "WHERE channel = 'mail' AND subject IS NOT NULL AND body IS NOT NULL ORDER BY id"
    )

    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deliveries_user_id'))
        batch_op.drop_index(batch_op.f('ix_deliveries_notification_id'))
        batch_op.drop_index(batch_op.f('ix_deliveries_created_at'))
        batch_op.drop_index('ix_deliveries_state_next_attempt')
    op.drop_table('deliveries')
