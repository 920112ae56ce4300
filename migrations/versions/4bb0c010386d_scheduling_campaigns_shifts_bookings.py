"""scheduling: campaigns, shifts, bookings

Revision ID: 4bb0c010386d
Revises: 4691964ecb00
Create Date: 2026-11-23 11:25:11.886958

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '4bb0c010386d'
down_revision = '4691964ecb00'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('campaigns',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('province_id', sa.Integer(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('min_per_shift', sa.Integer(), nullable=False),
    sa.Column('max_per_shift', sa.Integer(), nullable=False),
    sa.Column('cancel_deadline_hours', sa.Integer(), nullable=False),
    sa.Column('weekly_limit', sa.Integer(), nullable=True),
    sa.Column('shift_pattern', sa.JSON(), nullable=False),
    sa.Column('weekdays', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('cancel_deadline_hours >= 0', name=op.f('ck_campaigns_deadline_not_negative')),
    sa.CheckConstraint('ends_on >= starts_on', name=op.f('ck_campaigns_ends_after_start')),
    sa.CheckConstraint('max_per_shift >= 1 AND max_per_shift >= min_per_shift', name=op.f('ck_campaigns_max_valid')),
    sa.CheckConstraint('min_per_shift >= 0', name=op.f('ck_campaigns_min_not_negative')),
    sa.CheckConstraint('weekly_limit IS NULL OR weekly_limit >= 1', name=op.f('ck_campaigns_weekly_limit_positive')),
    sa.ForeignKeyConstraint(['province_id'], ['provinces.id'], name=op.f('fk_campaigns_province_id_provinces'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaigns'))
    )
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_campaigns_province_id'), ['province_id'], unique=False)

    op.create_table('campaign_communes',
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('commune_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_campaign_communes_campaign_id_campaigns'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['commune_id'], ['communes.id'], name=op.f('fk_campaign_communes_commune_id_communes'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('campaign_id', 'commune_id', name=op.f('pk_campaign_communes'))
    )
    with op.batch_alter_table('campaign_communes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_campaign_communes_commune_id'), ['commune_id'], unique=False)

    op.create_table('shifts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('service_point_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.Enum('active', 'cancelled', name='shiftstatus', native_enum=False, length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_shifts_ends_after_start')),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_shifts_campaign_id_campaigns'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['service_point_id'], ['service_points.id'], name=op.f('fk_shifts_service_point_id_service_points'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shifts')),
    sa.UniqueConstraint('service_point_id', 'starts_at', 'ends_at', name=op.f('uq_shifts_service_point_id_starts_at_ends_at'))
    )
    with op.batch_alter_table('shifts', schema=None) as batch_op:
        batch_op.create_index('ix_shifts_campaign_starts', ['campaign_id', 'starts_at'], unique=False)
        batch_op.create_index('ix_shifts_starts_at', ['starts_at'], unique=False)

    op.create_table('bookings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shift_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('confirmed', 'waitlisted', 'cancelled', name='bookingstatus', native_enum=False, length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("(status = 'cancelled') = (cancelled_at IS NOT NULL)", name=op.f('ck_bookings_cancelled_has_time')),
    sa.ForeignKeyConstraint(['shift_id'], ['shifts.id'], name=op.f('fk_bookings_shift_id_shifts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_bookings_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bookings')),
    sa.UniqueConstraint('shift_id', 'user_id', name=op.f('uq_bookings_shift_id_user_id'))
    )
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.create_index('ix_bookings_shift_status_created', ['shift_id', 'status', 'created_at'], unique=False)
        batch_op.create_index('ix_bookings_user_status', ['user_id', 'status'], unique=False)



def downgrade():
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.drop_index('ix_bookings_user_status')
        batch_op.drop_index('ix_bookings_shift_status_created')

    op.drop_table('bookings')
    with op.batch_alter_table('shifts', schema=None) as batch_op:
        batch_op.drop_index('ix_shifts_starts_at')
        batch_op.drop_index('ix_shifts_campaign_starts')

    op.drop_table('shifts')
    with op.batch_alter_table('campaign_communes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_campaign_communes_commune_id'))

    op.drop_table('campaign_communes')
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_campaigns_province_id'))

    op.drop_table('campaigns')
