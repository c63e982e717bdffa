"""The tables. Alembic migrations are the only way they reach a database."""

from __future__ import annotations

import datetime as dt
import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    FetchedValue,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from domain.db.base import Base, CurrencyColumn, IdKey, Timestamped

USERNAME_MAX = 64


class User(IdKey, Timestamped, Base):
    """A person with a login: name, password, language and second factor; money is households'."""

    __tablename__ = "users"
    __table_args__ = (Index("uq_users_username_lower", func.lower(text("username")), unique=True),)

    username: Mapped[str] = mapped_column(String(USERNAME_MAX))
    display_name: Mapped[str] = mapped_column(String(120), server_default="")
    email: Mapped[str | None] = mapped_column(String(254))
    password_hash: Mapped[str] = mapped_column(String(100))
    is_active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    is_admin: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    language: Mapped[str] = mapped_column(String(2), server_default="en")
    # The household a login opens when the client names none (the last one switched to).
    default_household_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("households.id", ondelete="SET NULL", use_alter=True)
    )
    token_version: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    # Two-factor login (TOTP, RFC 6238): the shared secret once enrolment began, the instant
    # enrolment was confirmed, and the last time step accepted (a code is never accepted twice).
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled_at: Mapped[datetime | None] = mapped_column()
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)


class RecoveryCode(IdKey, Timestamped, Base):
    """A single-use two-factor recovery code, stored hashed; spent when `used_at` is set."""

    __tablename__ = "recovery_codes"

    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    code_hash: Mapped[str] = mapped_column(String(100))
    used_at: Mapped[datetime | None] = mapped_column()


class Household(IdKey, Timestamped, Base):
    """The owner of money: people share it through memberships with roles."""

    __tablename__ = "households"

    name: Mapped[str] = mapped_column(String(120))
    currency: Mapped[str] = mapped_column(CurrencyColumn, server_default="ILS")
    timezone: Mapped[str] = mapped_column(String(64), server_default="Asia/Jerusalem")
    require_two_factor: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))


ROLES = ("owner", "admin", "member", "viewer")


class Membership(Timestamped, Base):
    """A person's place in a household, with the role that says what they may do."""

    __tablename__ = "memberships"
    __table_args__ = (CheckConstraint(f"role IN {ROLES}", name="role"),)

    household_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("households.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    role: Mapped[str] = mapped_column(String(6))


class HouseholdInvitation(IdKey, Timestamped, Base):
    """An invitation into a household: to a named person, or by a single-use code.

    The code itself is never stored, only its SHA-256; `answer` ends the invitation.
    """

    __tablename__ = "household_invitations"
    __table_args__ = (
        CheckConstraint("role IN ('admin', 'member', 'viewer')", name="role"),
        CheckConstraint(
            "answer IS NULL OR answer IN ('accepted', 'declined', 'revoked')", name="answer"
        ),
        CheckConstraint("(invitee_id IS NULL) <> (code_hash IS NULL)", name="invitee_or_code"),
        Index("ix_household_invitations_household", "household_id", "answer"),
        Index("ix_household_invitations_invitee", "invitee_id", "answer"),
        Index("uq_household_invitations_code_hash", "code_hash", unique=True),
    )

    household_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("households.id", ondelete="CASCADE")
    )
    role: Mapped[str] = mapped_column(String(6))
    invitee_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE")
    )
    code_hash: Mapped[str | None] = mapped_column(String(64))
    invited_by_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="SET NULL")
    )
    expires_at: Mapped[datetime] = mapped_column()
    answer: Mapped[str | None] = mapped_column(String(8))
    answered_at: Mapped[datetime | None] = mapped_column()


class AuditEntry(IdKey, Base):
    """One change to a household's data: who, when, what, and the fields before and after.

    Written by the database's audit trigger in the same transaction as the change (see
    migration 0011), so a rolled-back change leaves none; the application only reads it,
    and the trigger refuses updates and deletes other than the retention prune.
    """

    __tablename__ = "audit_log"
    __table_args__ = (
        CheckConstraint("actor_kind IN ('user', 'scheduler', 'system')", name="actor_kind"),
        CheckConstraint("action IN ('create', 'update', 'delete', 'import')", name="action"),
        Index("ix_audit_log_household_at", "household_id", "at"),
        Index("ix_audit_log_household_actor", "household_id", "actor_id", "at"),
    )

    household_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("households.id", ondelete="CASCADE")
    )
    at: Mapped[datetime] = mapped_column(server_default=func.now(), index=True)
    actor_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="SET NULL")
    )
    actor_kind: Mapped[str] = mapped_column(String(9))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int | None] = mapped_column(BigInteger)
    action: Mapped[str] = mapped_column(String(6))
    before: Mapped[dict[str, object] | None] = mapped_column(JSONB)
    after: Mapped[dict[str, object] | None] = mapped_column(JSONB)


class RevokedToken(Timestamped, Base):
    """A token that must no longer be accepted, kept until it would have expired anyway."""

    __tablename__ = "revoked_tokens"

    jti: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    expires_at: Mapped[datetime] = mapped_column(index=True)


class LoginThrottle(Timestamped, Base):
    """Failed password checks counted for one scope: an account, or an account and a client.

    Keyed by the normalised username whether or not the account exists, so throttling
    answers the same for existing and unknown accounts and reveals nothing. The row is
    locked while an attempt is checked, so concurrent guesses are counted one by one.
    """

    __tablename__ = "login_throttles"

    scope_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    last_failure_at: Mapped[datetime | None] = mapped_column(index=True)


class JobRun(IdKey, Timestamped, Base):
    """One pass of a scheduled job: when, how it ended, what it did."""

    __tablename__ = "job_runs"
    __table_args__ = (Index("ix_job_runs_job_started", "job", "started_at"),)

    job: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column()
    finished_at: Mapped[datetime | None] = mapped_column()
    status: Mapped[str] = mapped_column(String(16))
    details: Mapped[dict[str, object]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    error: Mapped[str | None] = mapped_column(Text)


ACCOUNT_KINDS = ("bank", "savings", "cash", "credit_card", "debit_card")


def _account_column() -> Mapped[int]:
    """The account a row belongs to; left out, the database puts it in the default account."""
    return mapped_column(BigInteger, index=True, server_default=FetchedValue())


def _account_key(table: str) -> ForeignKeyConstraint:
    return ForeignKeyConstraint(
        ["household_id", "account_id"],
        ["accounts.household_id", "accounts.id"],
        name=f"fk_{table}_account_same_household",
    )


class Account(IdKey, Timestamped, Base):
    """A place money sits: a bank account, savings, cash, or a card charged to a bank account.

    A credit card closes a statement on `close_day` and its bank pays it on `charge_day`;
    `booked_through` is the last statement close whose charge the scheduler has processed.
    """

    __tablename__ = "accounts"
    __table_args__ = (
        CheckConstraint(f"kind IN {ACCOUNT_KINDS}", name="kind"),
        CheckConstraint(
            "(kind = 'credit_card') = (close_day IS NOT NULL AND charge_day IS NOT NULL)",
            name="card_cycle",
        ),
        CheckConstraint(
            "(kind IN ('credit_card', 'debit_card')) = (charged_to_id IS NOT NULL)",
            name="card_charged_to",
        ),
        CheckConstraint("close_day BETWEEN 1 AND 31 AND charge_day BETWEEN 1 AND 31", name="days"),
        CheckConstraint(
            "credit_limit IS NULL OR (kind = 'credit_card' AND credit_limit >= 0)",
            name="credit_limit",
        ),
        CheckConstraint(
            "NOT is_default OR (kind = 'bank' AND archived_at IS NULL)", name="default_bank"
        ),
        UniqueConstraint("household_id", "id", name="uq_accounts_household_id_id"),
        ForeignKeyConstraint(
            ["household_id", "charged_to_id"],
            ["accounts.household_id", "accounts.id"],
            name="fk_accounts_charged_to_same_household",
        ),
        Index(
            "uq_accounts_one_default",
            "household_id",
            unique=True,
            postgresql_where=text("is_default"),
        ),
    )

    household_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("households.id", ondelete="CASCADE")
    )
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(11))
    institution: Mapped[str] = mapped_column(String(120), server_default="")
    currency: Mapped[str] = mapped_column(CurrencyColumn)
    sort_order: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    is_default: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    archived_at: Mapped[datetime | None] = mapped_column()
    charged_to_id: Mapped[int | None] = mapped_column(BigInteger)
    close_day: Mapped[int | None] = mapped_column(Integer)
    charge_day: Mapped[int | None] = mapped_column(Integer)
    credit_limit: Mapped[Decimal | None] = mapped_column()
    booked_through: Mapped[dt.date | None] = mapped_column(Date)


class Transfer(IdKey, Timestamped, Base):
    """Money moved from one account to another: one record, two legs, never income or expense.

    `to_amount` is what arrived when the two accounts hold different currencies.
    """

    __tablename__ = "transfers"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("to_amount IS NULL OR to_amount > 0", name="to_amount_positive"),
        CheckConstraint("from_account_id <> to_account_id", name="two_accounts"),
        CheckConstraint("source IN ('manual', 'card_statement', 'import')", name="source"),
        ForeignKeyConstraint(
            ["household_id", "from_account_id"],
            ["accounts.household_id", "accounts.id"],
            name="fk_transfers_from_same_household",
        ),
        ForeignKeyConstraint(
            ["household_id", "to_account_id"],
            ["accounts.household_id", "accounts.id"],
            name="fk_transfers_to_same_household",
        ),
        Index("ix_transfers_household_date", "household_id", "date", "id"),
        Index("ix_transfers_from_account", "from_account_id", "date"),
        Index("ix_transfers_to_account", "to_account_id", "date"),
    )

    household_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("households.id", ondelete="CASCADE")
    )
    date: Mapped[dt.date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column()
    from_account_id: Mapped[int] = mapped_column(BigInteger)
    to_account_id: Mapped[int] = mapped_column(BigInteger)
    to_amount: Mapped[Decimal | None] = mapped_column()
    description: Mapped[str] = mapped_column(String(500), server_default="")
    notes: Mapped[str] = mapped_column(Text, server_default="")
    source: Mapped[str] = mapped_column(String(14), server_default="manual")


class Category(IdKey, Timestamped, Base):
    """An income or expense category; archived rather than deleted."""

    __tablename__ = "categories"
    __table_args__ = (
        CheckConstraint("type IN ('income', 'expense')", name="type"),
        UniqueConstraint("household_id", "id", name="uq_categories_household_id_id"),
        ForeignKeyConstraint(
            ["household_id", "parent_id"],
            ["categories.household_id", "categories.id"],
            name="fk_categories_parent_same_household",
        ),
        Index(
            "uq_categories_active_name",
            "household_id",
            func.lower(text("name")),
            unique=True,
            postgresql_where=text("archived_at IS NULL"),
        ),
    )

    household_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("households.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(60))
    name_he: Mapped[str | None] = mapped_column(String(60))
    type: Mapped[str] = mapped_column(String(7))
    color: Mapped[str] = mapped_column(String(7), server_default="#757575")
    icon: Mapped[str] = mapped_column(String(16), server_default="")
    parent_id: Mapped[int | None] = mapped_column(BigInteger)
    sort_order: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    archived_at: Mapped[datetime | None] = mapped_column()


class Transaction(IdKey, Timestamped, Base):
    """Money in or out on a date; the category, when set, is the same household's."""

    __tablename__ = "transactions"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("type IN ('income', 'expense')", name="type"),
        CheckConstraint("source IN ('manual', 'recurring', 'import')", name="source"),
        ForeignKeyConstraint(
            ["household_id", "category_id"],
            ["categories.household_id", "categories.id"],
            name="fk_transactions_category_same_household",
        ),
        Index("ix_transactions_household_date", "household_id", "date", "id"),
        Index("ix_transactions_household_category", "household_id", "category_id"),
        _account_key("transactions"),
        CheckConstraint(
            "(original_amount IS NULL) = (original_currency IS NULL)"
            " AND (original_amount IS NULL OR original_amount > 0)",
            name="original_pair",
        ),
    )

    household_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("households.id", ondelete="CASCADE")
    )
    account_id: Mapped[int] = _account_column()
    date: Mapped[dt.date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column()
    type: Mapped[str] = mapped_column(String(7))
    category_id: Mapped[int | None] = mapped_column(BigInteger)
    description: Mapped[str] = mapped_column(String(500), server_default="")
    notes: Mapped[str] = mapped_column(Text, server_default="")
    currency: Mapped[str] = mapped_column(CurrencyColumn)
    source: Mapped[str] = mapped_column(String(9), server_default="manual")
    source_kind: Mapped[str | None] = mapped_column(String(32))
    source_id: Mapped[int | None] = mapped_column(BigInteger)
    # A foreign purchase converted at the source: what was paid, beside what was charged.
    original_amount: Mapped[Decimal | None] = mapped_column()
    original_currency: Mapped[str | None] = mapped_column(CurrencyColumn)


class _Recurring:
    """Columns every recurring source shares: owner, money, category, booking watermark."""

    household_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("households.id", ondelete="CASCADE"), index=True
    )
    account_id: Mapped[int] = _account_column()
    name: Mapped[str] = mapped_column(String(120))
    type: Mapped[str] = mapped_column(String(7))
    category_id: Mapped[int | None] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(CurrencyColumn)
    notes: Mapped[str] = mapped_column(Text, server_default="")
    # The last due date the scheduler has processed; occurrences after it are still to book.
    booked_through: Mapped[dt.date | None] = mapped_column(Date)


def _recurring_args(table: str, *extra: object) -> tuple[object, ...]:
    return (
        CheckConstraint("type IN ('income', 'expense')", name="type"),
        ForeignKeyConstraint(
            ["household_id", "category_id"],
            ["categories.household_id", "categories.id"],
            name=f"fk_{table}_category_same_household",
        ),
        _account_key(table),
        *extra,
    )


class FixedItem(IdKey, Timestamped, _Recurring, Base):
    """Recurring income or expense: salary, rent, subscriptions."""

    __tablename__ = "fixed_items"
    __table_args__ = _recurring_args(
        "fixed_items",
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint(
            "frequency IN ('monthly', 'weekly', 'biweekly', 'quarterly', 'yearly')",
            name="frequency",
        ),
        CheckConstraint("day_of_month BETWEEN 1 AND 31", name="day_of_month"),
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="end_after_start"),
    )

    amount: Mapped[Decimal] = mapped_column()
    frequency: Mapped[str] = mapped_column(String(10))
    day_of_month: Mapped[int | None] = mapped_column(Integer)
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)


class FixedPause(IdKey, Timestamped, Base):
    """A pause of a fixed item, half-open [start_date, end_date); open while end_date is NULL."""

    __tablename__ = "fixed_pauses"
    __table_args__ = (
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="end_after_start"),
    )

    fixed_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("fixed_items.id", ondelete="CASCADE"), index=True
    )
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)


class InstallmentPlan(IdKey, Timestamped, _Recurring, Base):
    """A purchase (or income) split into monthly payments."""

    __tablename__ = "installment_plans"
    __table_args__ = _recurring_args(
        "installment_plans",
        CheckConstraint("total_amount > 0", name="total_positive"),
        CheckConstraint("payments_count BETWEEN 1 AND 360", name="payments_count"),
        CheckConstraint("day_of_month BETWEEN 1 AND 31", name="day_of_month"),
    )

    total_amount: Mapped[Decimal] = mapped_column()
    payments_count: Mapped[int] = mapped_column(Integer)
    first_payment_date: Mapped[dt.date] = mapped_column(Date)
    day_of_month: Mapped[int] = mapped_column(Integer)


class Loan(IdKey, Timestamped, _Recurring, Base):
    """A loan repaid monthly; its payment is computed from its terms."""

    __tablename__ = "loans"
    __table_args__ = _recurring_args(
        "loans",
        CheckConstraint("principal > 0", name="principal_positive"),
        CheckConstraint("annual_rate >= 0 AND annual_rate <= 100", name="annual_rate"),
        CheckConstraint("term_months BETWEEN 1 AND 600", name="term_months"),
        CheckConstraint("day_of_month BETWEEN 1 AND 31", name="day_of_month"),
        CheckConstraint("method IN ('spitzer', 'equal_principal')", name="method"),
    )

    principal: Mapped[Decimal] = mapped_column()
    annual_rate: Mapped[Decimal] = mapped_column(Numeric(7, 4))
    term_months: Mapped[int] = mapped_column(Integer)
    first_payment_date: Mapped[dt.date] = mapped_column(Date)
    day_of_month: Mapped[int] = mapped_column(Integer)
    method: Mapped[str] = mapped_column(String(16))


class LoanPrepayment(IdKey, Timestamped, Base):
    """An extra repayment of a loan."""

    __tablename__ = "loan_prepayments"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("mode IN ('shorten_term', 'lower_payment')", name="mode"),
    )

    loan_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("loans.id", ondelete="CASCADE"), index=True
    )
    date: Mapped[dt.date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column()
    mode: Mapped[str] = mapped_column(String(13))


class RecurringBooking(IdKey, Timestamped, Base):
    """The exactly-once key: one row per (source kind, source id, due date).

    Written in the same statement as the transaction it books. It outlives that
    transaction: a booking whose transaction the user deleted is not booked again.
    """

    __tablename__ = "recurring_bookings"
    __table_args__ = (
        UniqueConstraint("source_kind", "source_id", "due_date", name="uq_recurring_bookings_key"),
        CheckConstraint(
            "source_kind IN ('fixed', 'installment', 'loan', 'card_statement')", name="source_kind"
        ),
        ForeignKeyConstraint(
            ["transfer_id"],
            ["transfers.id"],
            name="fk_recurring_bookings_transfer",
            ondelete="SET NULL",
            deferrable=True,
            initially="DEFERRED",
        ),
        Index("ix_recurring_bookings_transfer", "transfer_id"),
        ForeignKeyConstraint(
            ["transaction_id"],
            ["transactions.id"],
            name="fk_recurring_bookings_transaction",
            ondelete="SET NULL",
            deferrable=True,
            initially="DEFERRED",
        ),
        Index("ix_recurring_bookings_household", "household_id", "due_date"),
        # Deleting a transaction sets its booking's link to NULL; without this index every
        # deleted row would scan all the bookings.
        Index("ix_recurring_bookings_transaction", "transaction_id"),
    )

    household_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("households.id", ondelete="CASCADE")
    )
    source_kind: Mapped[str] = mapped_column(String(14))
    source_id: Mapped[int] = mapped_column(BigInteger)
    due_date: Mapped[dt.date] = mapped_column(Date)
    transaction_id: Mapped[int | None] = mapped_column(BigInteger)
    # A card statement's charge is a transfer from the bank to the card.
    transfer_id: Mapped[int | None] = mapped_column(BigInteger)
    job_run_id: Mapped[int | None] = mapped_column(BigInteger)


class HouseholdSettings(Timestamped, Base):
    """How a household's money is forecast and watched (currency and timezone: on the household)."""

    __tablename__ = "household_settings"
    __table_args__ = (
        CheckConstraint("forecast_horizon_months BETWEEN 1 AND 36", name="horizon"),
        CheckConstraint("week_start IN ('sunday', 'monday')", name="week_start"),
        CheckConstraint("large_payment_share > 0 AND large_payment_share <= 10", name="share"),
    )

    household_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("households.id", ondelete="CASCADE"), primary_key=True
    )
    forecast_horizon_months: Mapped[int] = mapped_column(Integer, server_default=text("6"))
    warning_threshold: Mapped[Decimal] = mapped_column(server_default=text("1000.00"))
    critical_threshold: Mapped[Decimal] = mapped_column(server_default=text("0.00"))
    week_start: Mapped[str] = mapped_column(String(6), server_default="sunday")
    large_payment_share: Mapped[Decimal] = mapped_column(Numeric(5, 2), server_default=text("0.30"))
    include_history: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    notifications: Mapped[dict[str, object]] = mapped_column(
        JSONB, server_default=text("""'{"in_app": true, "email": false}'::jsonb""")
    )
    alerts_fingerprint: Mapped[str | None] = mapped_column(String(200))


class BalanceRecord(IdKey, Timestamped, Base):
    """The bank balance as the user read it at the end of a day."""

    __tablename__ = "balance_records"
    __table_args__ = (
        Index("ix_balance_records_household_date", "household_id", "as_of", "id"),
        _account_key("balance_records"),
    )

    household_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("households.id", ondelete="CASCADE")
    )
    account_id: Mapped[int] = _account_column()
    as_of: Mapped[dt.date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column()
    currency: Mapped[str] = mapped_column(CurrencyColumn)
    note: Mapped[str] = mapped_column(String(200), server_default="")


class Alert(IdKey, Timestamped, Base):
    """One condition worth a warning; one row while it lasts, resolved when it goes."""

    __tablename__ = "alerts"
    __table_args__ = (
        CheckConstraint("severity IN ('info', 'warning', 'critical')", name="severity"),
        Index(
            "uq_alerts_open_condition",
            "household_id",
            "key",
            unique=True,
            postgresql_where=text("resolved_at IS NULL"),
        ),
        Index("ix_alerts_household_open", "household_id", "resolved_at"),
    )

    household_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("households.id", ondelete="CASCADE")
    )
    kind: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(120))
    severity: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(200))
    message: Mapped[str] = mapped_column(Text)
    data: Mapped[dict[str, object]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    first_seen_at: Mapped[datetime] = mapped_column()
    last_seen_at: Mapped[datetime] = mapped_column()
    resolved_at: Mapped[datetime | None] = mapped_column()
    read_at: Mapped[datetime | None] = mapped_column()
    snoozed_until: Mapped[dt.date | None] = mapped_column(Date)
    dismissed_at: Mapped[datetime | None] = mapped_column()


class Scenario(IdKey, Timestamped, Base):
    """A named list of what-if operations applied on top of the real data."""

    __tablename__ = "scenarios"

    household_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("households.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(120))
    operations: Mapped[list[dict[str, object]]] = mapped_column(
        JSONB, server_default=text("'[]'::jsonb")
    )


class ImportProfile(IdKey, Timestamped, Base):
    """A column mapping remembered for files whose header has this signature."""

    __tablename__ = "import_profiles"
    __table_args__ = (
        UniqueConstraint(
            "household_id", "signature", name="uq_import_profiles_household_signature"
        ),
    )

    household_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("households.id", ondelete="CASCADE")
    )
    signature: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(60))
    columns: Mapped[list[str]] = mapped_column(JSONB, server_default=text("'[]'::jsonb"))
    mapping: Mapped[dict[str, object]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))


class CategoryRule(IdKey, Timestamped, Base):
    """A remembered rule: imported rows with this description key get this category."""

    __tablename__ = "category_rules"
    __table_args__ = (
        UniqueConstraint("household_id", "pattern", name="uq_category_rules_household_pattern"),
        ForeignKeyConstraint(
            ["household_id", "category_id"],
            ["categories.household_id", "categories.id"],
            name="fk_category_rules_category_same_household",
        ),
    )

    household_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("households.id", ondelete="CASCADE")
    )
    pattern: Mapped[str] = mapped_column(String(200))
    category_id: Mapped[int] = mapped_column(BigInteger)


class ImportBatch(IdKey, Timestamped, Base):
    """One committed import: which file, from which source, what it booked and skipped.

    Its transactions carry source 'import', source_kind 'import_batch' and its id.
    """

    __tablename__ = "import_batches"
    __table_args__ = (Index("ix_import_batches_household", "household_id", "id"),)

    household_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("households.id", ondelete="CASCADE")
    )
    source: Mapped[str] = mapped_column(String(60))
    filename: Mapped[str] = mapped_column(String(255), server_default="")
    row_count: Mapped[int] = mapped_column(Integer)
    imported_count: Mapped[int] = mapped_column(Integer)
    skipped_count: Mapped[int] = mapped_column(Integer)


class ImportKey(IdKey, Timestamped, Base):
    """The at-most-once key of an imported row: (household, source, fingerprint, ordinal).

    The fingerprint hashes the row's date, signed amount and description; the ordinal
    counts identical rows inside one file, so two real coffees on one day both import
    while the same file imported twice books nothing twice. Written in the same
    statement as the transaction, it outlives it: a row the user deleted is not brought
    back by importing an overlapping file. (No link to the transaction: that foreign key
    would cost a check per imported row for nothing the import needs.)
    """

    __tablename__ = "import_keys"
    __table_args__ = (
        UniqueConstraint(
            "household_id", "source", "fingerprint", "ordinal", name="uq_import_keys_row"
        ),
        CheckConstraint("ordinal >= 1", name="ordinal_positive"),
    )

    household_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("households.id", ondelete="CASCADE")
    )
    source: Mapped[str] = mapped_column(String(60))
    fingerprint: Mapped[str] = mapped_column(String(32))
    ordinal: Mapped[int] = mapped_column(Integer)
    batch_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("import_batches.id", ondelete="CASCADE"), index=True
    )


class Budget(IdKey, Timestamped, Base):
    """An expense category's budget: a standing amount from a month on, or one month's override.

    Owned by the household; `month` is the first day of the month.
    """

    __tablename__ = "budgets"
    __table_args__ = (
        CheckConstraint("amount >= 0", name="amount_not_negative"),
        CheckConstraint("kind IN ('standing', 'override')", name="kind"),
        CheckConstraint("EXTRACT(DAY FROM month) = 1", name="month_first_day"),
        UniqueConstraint("household_id", "category_id", "month", "kind", name="uq_budgets_key"),
        ForeignKeyConstraint(
            ["household_id", "category_id"],
            ["categories.household_id", "categories.id"],
            name="fk_budgets_category_same_household",
            ondelete="CASCADE",
        ),
        Index("ix_budgets_household_month", "household_id", "month"),
    )

    household_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("households.id", ondelete="CASCADE")
    )
    category_id: Mapped[int] = mapped_column(BigInteger)
    month: Mapped[dt.date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(8))
    amount: Mapped[Decimal] = mapped_column()


class CategoryBudgetSettings(Timestamped, Base):
    """How a category's budget behaves: rollover, and what the forecast uses for it."""

    __tablename__ = "category_budget_settings"
    __table_args__ = (
        CheckConstraint("forecast_mode IN ('history', 'budget', 'lower')", name="forecast_mode"),
        ForeignKeyConstraint(
            ["household_id", "category_id"],
            ["categories.household_id", "categories.id"],
            name="fk_category_budget_settings_category_same_household",
            ondelete="CASCADE",
        ),
    )

    household_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("households.id", ondelete="CASCADE"), primary_key=True
    )
    category_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    rollover: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    forecast_mode: Mapped[str] = mapped_column(String(7), server_default="history")


class ExchangeRate(IdKey, Timestamped, Base):
    """A rate to the owner's base currency on a day: one `currency` is worth `rate` of `base`.

    Owned by the household. `base` records which base currency the
    rate was given in, so changing the base never reuses a rate meant for another.
    """

    __tablename__ = "exchange_rates"
    __table_args__ = (
        CheckConstraint("rate > 0", name="rate_positive"),
        CheckConstraint("currency <> base", name="not_base"),
        UniqueConstraint("household_id", "base", "currency", "day", name="uq_exchange_rates_key"),
    )

    household_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("households.id", ondelete="CASCADE")
    )
    day: Mapped[dt.date] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(CurrencyColumn)
    base: Mapped[str] = mapped_column(CurrencyColumn)
    rate: Mapped[Decimal] = mapped_column(Numeric(14, 6))
    source: Mapped[str] = mapped_column(String(16), server_default="manual")


class UiSession(Base):
    """A browser's login to the UI: its cookie carries a random id, only the SHA-256 is kept.

    Logging out, a password change or a reused refresh token sets `revoked_at`; the
    scheduler deletes rows that are revoked or expired.
    """

    __tablename__ = "ui_sessions"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    last_seen_at: Mapped[datetime] = mapped_column(server_default=func.now())
    expires_at: Mapped[datetime] = mapped_column(index=True)
    revoked_at: Mapped[datetime | None] = mapped_column()
    client: Mapped[str] = mapped_column(String(64), server_default="")


class SignupCode(IdKey, Base):
    """A single-use code an installation admin gives to let one person sign up (stored hashed)."""

    __tablename__ = "signup_codes"

    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    expires_at: Mapped[datetime] = mapped_column()
    used_at: Mapped[datetime | None] = mapped_column()
    used_by_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="SET NULL")
    )
