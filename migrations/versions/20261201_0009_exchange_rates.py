"""exchange rates per owner, and the original amount and currency of a transaction

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 20:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "exchange_rates",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("currency", sa.CHAR(length=3), nullable=False),
        sa.Column("base", sa.CHAR(length=3), nullable=False),
        sa.Column("rate", sa.Numeric(precision=14, scale=6), nullable=False),
        sa.Column("source", sa.String(length=16), server_default="manual", nullable=False),
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("rate > 0", name=op.f("ck_exchange_rates_rate_positive")),
        sa.CheckConstraint("currency <> base", name=op.f("ck_exchange_rates_not_base")),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_exchange_rates_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_rates")),
        sa.UniqueConstraint("user_id", "base", "currency", "day", name="uq_exchange_rates_key"),
    )
    op.add_column("transactions", sa.Column("original_amount", sa.Numeric(precision=15, scale=2)))
    op.add_column("transactions", sa.Column("original_currency", sa.CHAR(length=3)))
    op.create_check_constraint(
        op.f("ck_transactions_original_pair"),
        "transactions",
        "(original_amount IS NULL) = (original_currency IS NULL)"
        " AND (original_amount IS NULL OR original_amount > 0)",
    )


def downgrade() -> None:
    op.drop_constraint(op.f("ck_transactions_original_pair"), "transactions", type_="check")
    op.drop_column("transactions", "original_currency")
    op.drop_column("transactions", "original_amount")
    op.drop_table("exchange_rates")
