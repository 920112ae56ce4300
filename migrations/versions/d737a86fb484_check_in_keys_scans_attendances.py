"""check-in: per-point key versions (poster rotation), the append-only scan log, attendance per booking

Revision ID: d737a86fb484
Revises: f60ee6c81986
Create Date: 2026-11-23 14:14:15.350637

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd737a86fb484'
down_revision = "f60ee6c81986"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('checkin_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('service_point_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('rotated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('rotated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['rotated_by_id'], ['users.id'], name=op.f('fk_checkin_keys_rotated_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['service_point_id'], ['service_points.id'], name=op.f('fk_checkin_keys_service_point_id_service_points'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checkin_keys')),
    sa.UniqueConstraint('service_point_id', name=op.f('uq_checkin_keys_service_point_id'))
    )
    op.create_table('attendances',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('booking_id', sa.Integer(), nullable=False),
    sa.Column('checked_in_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('checked_out_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_automatically', sa.Boolean(), nullable=False),
    sa.Column('walk_in', sa.Boolean(), nullable=False),
    sa.Column('checked_out_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('checked_out_at IS NULL OR checked_out_at >= checked_in_at', name=op.f('ck_attendances_out_after_in')),
    sa.ForeignKeyConstraint(['booking_id'], ['bookings.id'], name=op.f('fk_attendances_booking_id_bookings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['checked_out_by_id'], ['users.id'], name=op.f('fk_attendances_checked_out_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attendances')),
    sa.UniqueConstraint('booking_id', name=op.f('uq_attendances_booking_id'))
    )
    op.create_table('scans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('nonce', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('scanned_by_id', sa.Integer(), nullable=False),
    sa.Column('service_point_id', sa.Integer(), nullable=True),
    sa.Column('shift_id', sa.Integer(), nullable=True),
    sa.Column('attendance_id', sa.Integer(), nullable=True),
    sa.Column('method', sa.Enum('poster', 'live', 'badge', 'unknown', name='scanmethod', native_enum=False, length=20), nullable=False),
    sa.Column('result', sa.Enum('ok', 'already_checked_in', 'no_shift_now', 'expired_token', 'invalid_token', 'rotated_token', 'shift_full', name='scanresult', native_enum=False, length=30), nullable=False),
    sa.Column('scanned_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('offline', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['attendance_id'], ['attendances.id'], name=op.f('fk_scans_attendance_id_attendances'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['scanned_by_id'], ['users.id'], name=op.f('fk_scans_scanned_by_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['service_point_id'], ['service_points.id'], name=op.f('fk_scans_service_point_id_service_points'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['shift_id'], ['shifts.id'], name=op.f('fk_scans_shift_id_shifts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_scans_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scans')),
    sa.UniqueConstraint('nonce', name=op.f('uq_scans_nonce'))
    )
    with op.batch_alter_table('scans', schema=None) as batch_op:
        batch_op.create_index('ix_scans_point_received', ['service_point_id', 'received_at'], unique=False)
        batch_op.create_index('ix_scans_shift', ['shift_id'], unique=False)
        batch_op.create_index('ix_scans_user', ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('scans', schema=None) as batch_op:
        batch_op.drop_index('ix_scans_user')
        batch_op.drop_index('ix_scans_shift')
        batch_op.drop_index('ix_scans_point_received')

    op.drop_table('scans')
    op.drop_table('attendances')
    op.drop_table('checkin_keys')
