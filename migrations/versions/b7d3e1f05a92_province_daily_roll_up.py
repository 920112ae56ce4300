"""the provinces' daily roll-up of assisted submissions, filled from the communes' (issue 17)

The country's page summed about 1.2 million commune-days for a year at national scale; the
provinces' roll-up holds 34 rows a day, each the sum of its communes' rows of that day.

Revision ID: b7d3e1f05a92
Revises: c4f1a7e9d2b3
Create Date: 2026-12-05 22:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b7d3e1f05a92"
down_revision = "c4f1a7e9d2b3"
branch_labels = None
depends_on = None

#: the communes' roll-up's counters, as they stand at this revision
COUNTERS = (
    "total",
    "submitted",
    "submitted_online",
    "submitted_fully_online",
    "result_yes",
    "result_no",
    "result_not_yet",
    "self_service",
    "vulnerable",
    "at_home",
    "offline",
    "reason_network_down",
    "reason_system_error",
    "reason_missing_signature",
    "reason_missing_documents",
    "reason_no_account",
    "reason_other",
)


def upgrade():
    op.create_table(
        "assist_province_daily_counts",
        sa.Column("province_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        *(sa.Column(name, sa.Integer(), server_default="0", nullable=False) for name in COUNTERS),
        sa.ForeignKeyConstraint(
            ["province_id"],
            ["provinces.id"],
            name=op.f("fk_assist_province_daily_counts_province_id_provinces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("province_id", "day", name=op.f("pk_assist_province_daily_counts")),
    )
    with op.batch_alter_table("assist_province_daily_counts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_assist_province_daily_counts_day"), ["day"], unique=False
        )
    # each province's day: the sum of its communes' rows of that day, already kept
    columns = ", ".join(COUNTERS)
    sums = ", ".join(f"SUM(d.{name})" for name in COUNTERS)
    op.execute(
        f"INSERT INTO assist_province_daily_counts (province_id, day, {columns}) "
        f"SELECT c.province_id, d.day, {sums} FROM assist_daily_counts d "
        "JOIN communes c ON c.id = d.commune_id GROUP BY c.province_id, d.day"
    )


def downgrade():
    with op.batch_alter_table("assist_province_daily_counts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assist_province_daily_counts_day"))
    op.drop_table("assist_province_daily_counts")
