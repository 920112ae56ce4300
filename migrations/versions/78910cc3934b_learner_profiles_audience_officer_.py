"""learner profiles: audience, officer position, personal code hash

Revision ID: 78910cc3934b
Revises: 04acad8bc82e
Create Date: 2026-11-23 14:12:55.192125

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '78910cc3934b'
down_revision = "04acad8bc82e"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('learner_profiles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('audience', sa.String(length=20), nullable=False),
    sa.Column('position', sa.String(length=200), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=True),
    sa.Column('code_issued_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("audience IN ('resident', 'officer', 'volunteer')", name=op.f('ck_learner_profiles_audience_valid')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_learner_profiles_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_learner_profiles')),
    sa.UniqueConstraint('code_hash', name=op.f('uq_learner_profiles_code_hash')),
    sa.UniqueConstraint('user_id', name=op.f('uq_learner_profiles_user_id'))
    )


def downgrade():
    op.drop_table('learner_profiles')
