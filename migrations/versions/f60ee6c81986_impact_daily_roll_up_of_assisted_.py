"""impact: daily roll-up of assisted submissions

Revision ID: f60ee6c81986
Revises: 68e82e80e1b9
Create Date: 2026-11-23 14:13:32.975069

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f60ee6c81986'
down_revision = "68e82e80e1b9"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('assist_daily_counts',
    sa.Column('commune_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('total', sa.Integer(), server_default='0', nullable=False),
    sa.Column('submitted', sa.Integer(), server_default='0', nullable=False),
    sa.Column('submitted_online', sa.Integer(), server_default='0', nullable=False),
    sa.Column('submitted_fully_online', sa.Integer(), server_default='0', nullable=False),
    sa.Column('result_yes', sa.Integer(), server_default='0', nullable=False),
    sa.Column('result_no', sa.Integer(), server_default='0', nullable=False),
    sa.Column('result_not_yet', sa.Integer(), server_default='0', nullable=False),
    sa.Column('self_service', sa.Integer(), server_default='0', nullable=False),
    sa.Column('vulnerable', sa.Integer(), server_default='0', nullable=False),
    sa.Column('at_home', sa.Integer(), server_default='0', nullable=False),
    sa.Column('offline', sa.Integer(), server_default='0', nullable=False),
    sa.Column('reason_network_down', sa.Integer(), server_default='0', nullable=False),
    sa.Column('reason_system_error', sa.Integer(), server_default='0', nullable=False),
    sa.Column('reason_missing_signature', sa.Integer(), server_default='0', nullable=False),
    sa.Column('reason_missing_documents', sa.Integer(), server_default='0', nullable=False),
    sa.Column('reason_no_account', sa.Integer(), server_default='0', nullable=False),
    sa.Column('reason_other', sa.Integer(), server_default='0', nullable=False),
    sa.ForeignKeyConstraint(['commune_id'], ['communes.id'], name=op.f('fk_assist_daily_counts_commune_id_communes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('commune_id', 'day', name=op.f('pk_assist_daily_counts'))
    )
    with op.batch_alter_table('assist_daily_counts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assist_daily_counts_day'), ['day'], unique=False)



def downgrade():
    with op.batch_alter_table('assist_daily_counts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assist_daily_counts_day'))

    op.drop_table('assist_daily_counts')
