"""impact: pseudonymous residents and their cards' keyed digests, the residents' and the service
points' daily roll-ups, the resident an assisted submission names; scheduling: each campaign's
targets

Revision ID: a17c4d2e9b01
Revises: b3c8f2e71d45
Create Date: 2026-12-05 20:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a17c4d2e9b01'
down_revision = 'b3c8f2e71d45'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('residents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('learner_digest', sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_residents'))
    )
    with op.batch_alter_table('residents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_residents_learner_digest'), ['learner_digest'], unique=False)
    op.create_table('resident_cards',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('learner_code', sa.Boolean(), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('issued_by_id', sa.Integer(), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['issued_by_id'], ['users.id'], name=op.f('fk_resident_cards_issued_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['resident_id'], ['residents.id'], name=op.f('fk_resident_cards_resident_id_residents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resident_cards')),
    sa.UniqueConstraint('digest', name=op.f('uq_resident_cards_digest'))
    )
    with op.batch_alter_table('resident_cards', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_resident_cards_resident_id'), ['resident_id'], unique=False)

    op.create_table('resident_daily_counts',
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('commune_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('total', sa.Integer(), server_default='0', nullable=False),
    sa.Column('self_done', sa.Integer(), server_default='0', nullable=False),
    sa.ForeignKeyConstraint(['commune_id'], ['communes.id'], name=op.f('fk_resident_daily_counts_commune_id_communes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['resident_id'], ['residents.id'], name=op.f('fk_resident_daily_counts_resident_id_residents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('resident_id', 'commune_id', 'day', name=op.f('pk_resident_daily_counts'))
    )
    with op.batch_alter_table('resident_daily_counts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_resident_daily_counts_commune_id'), ['commune_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_resident_daily_counts_day'), ['day'], unique=False)

    op.create_table('assist_point_daily_counts',
    sa.Column('service_point_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('commune_id', sa.Integer(), nullable=False),
    sa.Column('total', sa.Integer(), server_default='0', nullable=False),
    sa.Column('submitted', sa.Integer(), server_default='0', nullable=False),
    sa.Column('submitted_online', sa.Integer(), server_default='0', nullable=False),
    sa.Column('submitted_fully_online', sa.Integer(), server_default='0', nullable=False),
    sa.Column('result_yes', sa.Integer(), server_default='0', nullable=False),
    sa.Column('self_service', sa.Integer(), server_default='0', nullable=False),
    sa.ForeignKeyConstraint(['commune_id'], ['communes.id'], name=op.f('fk_assist_point_daily_counts_commune_id_communes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['service_point_id'], ['service_points.id'], name=op.f('fk_assist_point_daily_counts_service_point_id_service_points'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('service_point_id', 'day', name=op.f('pk_assist_point_daily_counts'))
    )
    with op.batch_alter_table('assist_point_daily_counts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assist_point_daily_counts_commune_id'), ['commune_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assist_point_daily_counts_day'), ['day'], unique=False)
    # the service points' roll-up of the log already written (the residents' starts empty: no
    # entry named a resident before this revision)
    op.execute(
        "INSERT INTO assist_point_daily_counts (service_point_id, day, commune_id, total, "
        "submitted, submitted_online, submitted_fully_online, result_yes, self_service) "
        "SELECT service_point_id, occurred_on, MIN(commune_id), COUNT(*), "
        "SUM(CASE WHEN outcome = 'submitted' THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN outcome = 'submitted' AND level IN ('partly_online', 'fully_online') "
        "THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN outcome = 'submitted' AND level = 'fully_online' THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN outcome = 'submitted' AND result_electronic = 'yes' THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN self_service THEN 1 ELSE 0 END) "
        "FROM assisted_submissions WHERE voided_at IS NULL GROUP BY service_point_id, occurred_on"
    )

    with op.batch_alter_table('assisted_submissions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('resident_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_assisted_submissions_resident_id'), ['resident_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_assisted_submissions_resident_id_residents'), 'residents', ['resident_id'], ['id'], ondelete='SET NULL')

    # every campaign made before this revision keeps Hanoi's targets, which it was read against
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.add_column(sa.Column('target_online', sa.Integer(), server_default='80', nullable=False))
        batch_op.add_column(sa.Column('target_fully_online', sa.Integer(), server_default='20', nullable=False))
        batch_op.add_column(sa.Column('target_result_electronic', sa.Integer(), server_default='100', nullable=False))
        batch_op.add_column(sa.Column('target_self_done', sa.Integer(), server_default='2', nullable=False))
        batch_op.create_check_constraint(
            op.f('ck_campaigns_target_percentages'),
            "target_online BETWEEN 0 AND 100 AND target_fully_online BETWEEN 0 AND 100 "
            "AND target_result_electronic BETWEEN 0 AND 100",
        )
        batch_op.create_check_constraint(
            op.f('ck_campaigns_target_self_done_positive'), "target_self_done >= 1"
        )


def downgrade():
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_campaigns_target_self_done_positive'), type_='check')
        batch_op.drop_constraint(op.f('ck_campaigns_target_percentages'), type_='check')
        batch_op.drop_column('target_self_done')
        batch_op.drop_column('target_result_electronic')
        batch_op.drop_column('target_fully_online')
        batch_op.drop_column('target_online')

    with op.batch_alter_table('assisted_submissions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_assisted_submissions_resident_id_residents'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_assisted_submissions_resident_id'))
        batch_op.drop_column('resident_id')

    with op.batch_alter_table('assist_point_daily_counts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assist_point_daily_counts_day'))
        batch_op.drop_index(batch_op.f('ix_assist_point_daily_counts_commune_id'))
    op.drop_table('assist_point_daily_counts')

    with op.batch_alter_table('resident_daily_counts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_resident_daily_counts_day'))
        batch_op.drop_index(batch_op.f('ix_resident_daily_counts_commune_id'))
    op.drop_table('resident_daily_counts')

    with op.batch_alter_table('resident_cards', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_resident_cards_resident_id'))
    op.drop_table('resident_cards')
    with op.batch_alter_table('residents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_residents_learner_digest'))
    op.drop_table('residents')
