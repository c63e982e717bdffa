"""index recurring_bookings by transaction_id (deleting transactions no longer scans them)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 18:10:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_recurring_bookings_transaction",
        "recurring_bookings",
        ["transaction_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_recurring_bookings_transaction", table_name="recurring_bookings")
