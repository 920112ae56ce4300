"""shift swaps: offers of a held shift, and a campaign's choice to approve each swap (issue 16)

Revision ID: c4f1a7e9d2b3
Revises: c5f1a9e07d3b
Create Date: 2026-12-05 21:20:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c4f1a7e9d2b3"
down_revision = 'c5f1a9e07d3b'
branch_labels = None
depends_on = None

LIVE = sa.text("status IN ('open', 'pending')")


def upgrade():
    with op.batch_alter_table("campaigns") as batch_op:
        batch_op.add_column(
            sa.Column(
                "swaps_need_approval", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
    op.create_table(
        "shift_offers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=False),
        sa.Column("shift_id", sa.Integer(), nullable=False),
        sa.Column("offered_by_id", sa.Integer(), nullable=False),
        sa.Column("offered_to_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("taken_by_id", sa.Integer(), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('open', 'pending', 'taken', 'withdrawn', 'refused')",
            name=op.f("ck_shift_offers_offer_status"),
        ),
        sa.CheckConstraint(
            "offered_to_id IS NULL OR offered_to_id <> offered_by_id",
            name=op.f("ck_shift_offers_not_self"),
        ),
        sa.CheckConstraint(
            "(status IN ('pending', 'taken')) = (taken_by_id IS NOT NULL)",
            name=op.f("ck_shift_offers_taken_has_taker"),
        ),
        sa.ForeignKeyConstraint(
            ["booking_id"],
            ["bookings.id"],
            name=op.f("fk_shift_offers_booking_id_bookings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["shift_id"],
            ["shifts.id"],
            name=op.f("fk_shift_offers_shift_id_shifts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["offered_by_id"],
            ["users.id"],
            name=op.f("fk_shift_offers_offered_by_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["offered_to_id"],
            ["users.id"],
            name=op.f("fk_shift_offers_offered_to_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["taken_by_id"],
            ["users.id"],
            name=op.f("fk_shift_offers_taken_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shift_offers")),
        sa.UniqueConstraint("client_id", name=op.f("uq_shift_offers_client_id")),
    )
    op.create_index(
        "uq_shift_offers_live_booking",
        "shift_offers",
        ["booking_id"],
        unique=True,
        sqlite_where=LIVE,
        postgresql_where=LIVE,
    )
    op.create_index("ix_shift_offers_status_expires", "shift_offers", ["status", "expires_at"])
    op.create_index(op.f("ix_shift_offers_shift_id"), "shift_offers", ["shift_id"])
    op.create_index(op.f("ix_shift_offers_offered_to_id"), "shift_offers", ["offered_to_id"])


def downgrade():
    op.drop_index(op.f("ix_shift_offers_offered_to_id"), table_name="shift_offers")
    op.drop_index(op.f("ix_shift_offers_shift_id"), table_name="shift_offers")
    op.drop_index("ix_shift_offers_status_expires", table_name="shift_offers")
    op.drop_index("uq_shift_offers_live_booking", table_name="shift_offers")
    op.drop_table("shift_offers")
    with op.batch_alter_table("campaigns") as batch_op:
        batch_op.drop_column("swaps_need_approval")
