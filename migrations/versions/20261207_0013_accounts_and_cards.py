"""accounts (bank, savings, cash, cards) hold the money; transfers move it between them

Every household gets a default bank account, "Main account", and every transaction,
recurring source and balance reading moves into it: a column is added and filled, no
amount changes, so every sum per household is what it was. A row written without an
account lands in its household's default account (one trigger, so that a caller that
does not know about accounts yet still writes a valid row). A transfer is one row with
two legs; the scheduler books a card statement's charge as a transfer, keyed like every
other booking by (source kind, source id, due date) with the card's statement close as
the due date.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 14:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Rows that now belong to an account.
ACCOUNT_TABLES = ("transactions", "fixed_items", "installment_plans", "loans", "balance_records")

KINDS = "('bank', 'savings', 'cash', 'credit_card', 'debit_card')"

DEFAULT_ACCOUNT_FUNCTION = r"""
CREATE FUNCTION cashflow_default_account() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT id INTO NEW.account_id FROM accounts
     WHERE household_id = NEW.household_id AND is_default;
    RETURN NEW;
END
$$;
"""

MAIN_ACCOUNT_FUNCTION = r"""
CREATE FUNCTION cashflow_main_account() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO accounts (household_id, name, kind, currency, is_default)
    VALUES (NEW.id, 'Main account', 'bank', NEW.currency, true);
    RETURN NULL;
END
$$;
"""

AUDITING = "current_setting('cashflow.audit', true) IS DISTINCT FROM 'off'"


def _timestamps() -> list[sa.Column[object]]:
    return [
        sa.Column(name, sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False)
        for name in ("created_at", "updated_at")
    ]


def _accounts() -> None:
    op.create_table(
        "accounts",
        sa.Column("household_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=11), nullable=False),
        sa.Column("institution", sa.String(length=120), server_default="", nullable=False),
        sa.Column("currency", sa.CHAR(length=3), nullable=False),
        sa.Column("sort_order", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("is_default", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("charged_to_id", sa.BigInteger(), nullable=True),
        sa.Column("close_day", sa.Integer(), nullable=True),
        sa.Column("charge_day", sa.Integer(), nullable=True),
        sa.Column("credit_limit", sa.Numeric(precision=15, scale=2), nullable=True),
        sa.Column("booked_through", sa.Date(), nullable=True),
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        *_timestamps(),
        sa.CheckConstraint(f"kind IN {KINDS}", name=op.f("ck_accounts_kind")),
        sa.CheckConstraint(
            "(kind = 'credit_card') = (close_day IS NOT NULL AND charge_day IS NOT NULL)",
            name=op.f("ck_accounts_card_cycle"),
        ),
        sa.CheckConstraint(
            "(kind IN ('credit_card', 'debit_card')) = (charged_to_id IS NOT NULL)",
            name=op.f("ck_accounts_card_charged_to"),
        ),
        sa.CheckConstraint(
            "close_day BETWEEN 1 AND 31 AND charge_day BETWEEN 1 AND 31",
            name=op.f("ck_accounts_days"),
        ),
        sa.CheckConstraint(
            "credit_limit IS NULL OR (kind = 'credit_card' AND credit_limit >= 0)",
            name=op.f("ck_accounts_credit_limit"),
        ),
        sa.CheckConstraint(
            "NOT is_default OR (kind = 'bank' AND archived_at IS NULL)",
            name=op.f("ck_accounts_default_bank"),
        ),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_accounts_household_id_households"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["household_id", "charged_to_id"],
            ["accounts.household_id", "accounts.id"],
            name="fk_accounts_charged_to_same_household",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounts")),
        sa.UniqueConstraint("household_id", "id", name="uq_accounts_household_id_id"),
    )
    op.create_index(
        "uq_accounts_one_default",
        "accounts",
        ["household_id"],
        unique=True,
        postgresql_where=sa.text("is_default"),
    )


def _transfers() -> None:
    op.create_table(
        "transfers",
        sa.Column("household_id", sa.BigInteger(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=15, scale=2), nullable=False),
        sa.Column("from_account_id", sa.BigInteger(), nullable=False),
        sa.Column("to_account_id", sa.BigInteger(), nullable=False),
        sa.Column("to_amount", sa.Numeric(precision=15, scale=2), nullable=True),
        sa.Column("description", sa.String(length=500), server_default="", nullable=False),
        sa.Column("notes", sa.Text(), server_default="", nullable=False),
        sa.Column("source", sa.String(length=14), server_default="manual", nullable=False),
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        *_timestamps(),
        sa.CheckConstraint("amount > 0", name=op.f("ck_transfers_amount_positive")),
        sa.CheckConstraint(
            "to_amount IS NULL OR to_amount > 0", name=op.f("ck_transfers_to_amount_positive")
        ),
        sa.CheckConstraint(
            "from_account_id <> to_account_id", name=op.f("ck_transfers_two_accounts")
        ),
        sa.CheckConstraint(
            "source IN ('manual', 'card_statement', 'import')", name=op.f("ck_transfers_source")
        ),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_transfers_household_id_households"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["household_id", "from_account_id"],
            ["accounts.household_id", "accounts.id"],
            name="fk_transfers_from_same_household",
        ),
        sa.ForeignKeyConstraint(
            ["household_id", "to_account_id"],
            ["accounts.household_id", "accounts.id"],
            name="fk_transfers_to_same_household",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transfers")),
    )
    op.create_index("ix_transfers_household_date", "transfers", ["household_id", "date", "id"])
    op.create_index("ix_transfers_from_account", "transfers", ["from_account_id", "date"])
    op.create_index("ix_transfers_to_account", "transfers", ["to_account_id", "date"])


def _bookings() -> None:
    op.alter_column(
        "recurring_bookings",
        "source_kind",
        type_=sa.String(length=14),
        existing_type=sa.String(length=11),
        existing_nullable=False,
    )
    op.drop_constraint(op.f("ck_recurring_bookings_source_kind"), "recurring_bookings")
    op.create_check_constraint(
        op.f("ck_recurring_bookings_source_kind"),
        "recurring_bookings",
        "source_kind IN ('fixed', 'installment', 'loan', 'card_statement')",
    )
    op.add_column("recurring_bookings", sa.Column("transfer_id", sa.BigInteger(), nullable=True))
    op.create_foreign_key(
        "fk_recurring_bookings_transfer",
        "recurring_bookings",
        "transfers",
        ["transfer_id"],
        ["id"],
        ondelete="SET NULL",
        deferrable=True,
        initially="DEFERRED",
    )
    op.create_index("ix_recurring_bookings_transfer", "recurring_bookings", ["transfer_id"])


def _move_rows() -> None:
    op.execute(
        "INSERT INTO accounts (household_id, name, kind, currency, is_default)"
        " SELECT id, 'Main account', 'bank', currency, true FROM households"
    )
    for table in ACCOUNT_TABLES:
        op.add_column(table, sa.Column("account_id", sa.BigInteger(), nullable=True))
        op.execute(
            f"UPDATE {table} t SET account_id = a.id FROM accounts a"  # noqa: S608 (constants)
            " WHERE a.household_id = t.household_id AND a.is_default"
        )
        op.alter_column(table, "account_id", nullable=False)
        op.create_foreign_key(
            f"fk_{table}_account_same_household",
            table,
            "accounts",
            ["household_id", "account_id"],
            ["household_id", "id"],
        )
        op.create_index(op.f(f"ix_{table}_account_id"), table, ["account_id"])
        op.execute(
            f"CREATE TRIGGER default_account BEFORE INSERT ON {table} FOR EACH ROW"
            " WHEN (NEW.account_id IS NULL) EXECUTE FUNCTION cashflow_default_account()"
        )


def upgrade() -> None:
    # Moving rows into their account is no one's change: the audit log stays quiet.
    op.execute("SELECT set_config('cashflow.audit', 'off', true)")
    _accounts()
    _transfers()
    _bookings()
    op.execute(DEFAULT_ACCOUNT_FUNCTION)
    op.execute(MAIN_ACCOUNT_FUNCTION)
    _move_rows()
    op.execute(
        "CREATE TRIGGER main_account AFTER INSERT ON households FOR EACH ROW"
        " EXECUTE FUNCTION cashflow_main_account()"
    )
    for table, entity in (("accounts", "account"), ("transfers", "transfer")):
        op.execute(
            f"CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON {table} FOR EACH ROW"
            f" WHEN ({AUDITING}) EXECUTE FUNCTION cashflow_audit('{entity}')"
        )
    op.execute("SELECT set_config('cashflow.audit', 'on', true)")


def downgrade() -> None:
    for table in ACCOUNT_TABLES:
        op.execute(f"DROP TRIGGER default_account ON {table}")
        op.drop_index(op.f(f"ix_{table}_account_id"), table_name=table)
        op.drop_constraint(f"fk_{table}_account_same_household", table)
        op.drop_column(table, "account_id")
    op.execute("DROP TRIGGER main_account ON households")
    op.execute("DELETE FROM recurring_bookings WHERE source_kind = 'card_statement'")
    op.drop_index("ix_recurring_bookings_transfer", table_name="recurring_bookings")
    op.drop_constraint("fk_recurring_bookings_transfer", "recurring_bookings")
    op.drop_column("recurring_bookings", "transfer_id")
    op.drop_constraint(op.f("ck_recurring_bookings_source_kind"), "recurring_bookings")
    op.create_check_constraint(
        op.f("ck_recurring_bookings_source_kind"),
        "recurring_bookings",
        "source_kind IN ('fixed', 'installment', 'loan')",
    )
    op.alter_column(
        "recurring_bookings",
        "source_kind",
        type_=sa.String(length=11),
        existing_type=sa.String(length=14),
        existing_nullable=False,
    )
    op.drop_table("transfers")
    op.drop_table("accounts")
    op.execute("DROP FUNCTION cashflow_main_account()")
    op.execute("DROP FUNCTION cashflow_default_account()")
