"""attendance corrections: a coordinator's hours for a booking, with a reason, beside the scans

Revision ID: b3c8f2e71d45
Revises: a7d1e4c2b9f0
Create Date: 2026-12-05 20:55:00

"""

import sqlalchemy as sa
from alembic import op

revision = "b3c8f2e71d45"
down_revision = "a7d1e4c2b9f0"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "attendance_corrections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column("corrected_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "minutes >= 0", name=op.f("ck_attendance_corrections_minutes_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["booking_id"],
            ["bookings.id"],
            name=op.f("fk_attendance_corrections_booking_id_bookings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["corrected_by_id"],
            ["users.id"],
            name=op.f("fk_attendance_corrections_corrected_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendance_corrections")),
    )
    op.create_index(
        op.f("ix_attendance_corrections_booking_id"), "attendance_corrections", ["booking_id"]
    )


def downgrade():
    op.drop_table("attendance_corrections")
