"""a campaign's skill requirements: at least N with a skill, campaign-wide, at a point or a shift

Revision ID: 70465cd0cd50
Revises: 46d7b8a0bebf
Create Date: 2026-12-05 23:35:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "70465cd0cd50"
down_revision = "46d7b8a0bebf"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "skill_requirements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("skill_code", sa.String(length=40), nullable=False),
        sa.Column("minimum", sa.Integer(), nullable=False),
        sa.Column("service_point_id", sa.Integer(), nullable=True),
        sa.Column("shift_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("minimum >= 1", name=op.f("ck_skill_requirements_minimum_positive")),
        sa.CheckConstraint(
            "service_point_id IS NULL OR shift_id IS NULL",
            name=op.f("ck_skill_requirements_one_place"),
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_skill_requirements_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["skill_code"],
            ["skills.code"],
            name=op.f("fk_skill_requirements_skill_code_skills"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["service_point_id"],
            ["service_points.id"],
            name=op.f("fk_skill_requirements_service_point_id_service_points"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["shift_id"],
            ["shifts.id"],
            name=op.f("fk_skill_requirements_shift_id_shifts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_skill_requirements")),
    )
    op.create_index(
        "ix_skill_requirements_campaign_skill",
        "skill_requirements",
        ["campaign_id", "skill_code"],
    )
    op.create_index(
        op.f("ix_skill_requirements_service_point_id"),
        "skill_requirements",
        ["service_point_id"],
    )
    op.create_index(op.f("ix_skill_requirements_shift_id"), "skill_requirements", ["shift_id"])


def downgrade():
    op.drop_index(op.f("ix_skill_requirements_shift_id"), table_name="skill_requirements")
    op.drop_index(op.f("ix_skill_requirements_service_point_id"), table_name="skill_requirements")
    op.drop_index("ix_skill_requirements_campaign_skill", table_name="skill_requirements")
    op.drop_table("skill_requirements")
