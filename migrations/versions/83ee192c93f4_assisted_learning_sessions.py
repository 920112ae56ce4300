"""assisted learning sessions

Revision ID: 83ee192c93f4
Revises: 78910cc3934b
Create Date: 2026-11-23 14:23:20.907611

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '83ee192c93f4'
down_revision = "78910cc3934b"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('assisted_learning_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('helper_id', sa.Integer(), nullable=True),
    sa.Column('learner_id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('lesson_ids', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_assisted_learning_sessions_course_id_courses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['helper_id'], ['users.id'], name=op.f('fk_assisted_learning_sessions_helper_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['learner_id'], ['users.id'], name=op.f('fk_assisted_learning_sessions_learner_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assisted_learning_sessions'))
    )
    with op.batch_alter_table('assisted_learning_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assisted_learning_sessions_helper_id'), ['helper_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assisted_learning_sessions_learner_id'), ['learner_id'], unique=False)



def downgrade():
    with op.batch_alter_table('assisted_learning_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assisted_learning_sessions_learner_id'))
        batch_op.drop_index(batch_op.f('ix_assisted_learning_sessions_helper_id'))

    op.drop_table('assisted_learning_sessions')
