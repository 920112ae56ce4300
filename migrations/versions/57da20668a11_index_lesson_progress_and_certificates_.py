"""index lesson progress and certificates by time: the impact dashboard counts them per range of days

Revision ID: 57da20668a11
Revises: 7e338efea9ea
Create Date: 2026-11-23 17:22:27.160087

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '57da20668a11'
down_revision = '7e338efea9ea'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certificates_issued_at'), ['issued_at'], unique=False)

    with op.batch_alter_table('lesson_progress', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lesson_progress_completed_at'), ['completed_at'], unique=False)


def downgrade():
    with op.batch_alter_table('lesson_progress', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lesson_progress_completed_at'))

    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_certificates_issued_at'))
