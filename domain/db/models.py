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
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
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
    """A person with a login; every other row belongs to one."""

    __tablename__ = "users"
    __table_args__ = (Index("uq_users_username_lower", func.lower(text("username")), unique=True),)

    username: Mapped[str] = mapped_column(String(USERNAME_MAX))
    display_name: Mapped[str] = mapped_column(String(120), server_default="")
    email: Mapped[str | None] = mapped_column(String(254))
    password_hash: Mapped[str] = mapped_column(String(100))
    is_active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    is_admin: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    currency: Mapped[str] = mapped_column(CurrencyColumn, server_default="ILS")
    timezone: Mapped[str] = mapped_column(String(64), server_default="Asia/Jerusalem")
    token_version: Mapped[int] = mapped_column(Integer, server_default=text("0"))


class RevokedToken(Timestamped, Base):
    """A token that must no longer be accepted, kept until it would have expired anyway."""

    __tablename__ = "revoked_tokens"

    jti: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    expires_at: Mapped[datetime] = mapped_column(index=True)


class LoginFailure(IdKey, Timestamped, Base):
    """A failed login, keyed by the normalised username whether or not it exists.

    Keyed by name rather than by user so that throttling answers the same for
    existing and unknown accounts and reveals nothing.
    """

    __tablename__ = "login_failures"
    __table_args__ = (Index("ix_login_failures_key_at", "username_key", "attempted_at"),)

    username_key: Mapped[str] = mapped_column(String(USERNAME_MAX))
    attempted_at: Mapped[datetime] = mapped_column()


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


class Category(IdKey, Timestamped, Base):
    """An income or expense category; archived rather than deleted."""

    __tablename__ = "categories"
    __table_args__ = (
        CheckConstraint("type IN ('income', 'expense')", name="type"),
        UniqueConstraint("user_id", "id", name="uq_categories_user_id_id"),
        ForeignKeyConstraint(
            ["user_id", "parent_id"],
            ["categories.user_id", "categories.id"],
            name="fk_categories_parent_same_user",
        ),
        Index(
            "uq_categories_active_name",
            "user_id",
            func.lower(text("name")),
            unique=True,
            postgresql_where=text("archived_at IS NULL"),
        ),
    )

    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), index=True
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
    """Money in or out on a date; the category, when set, is the same user's."""

    __tablename__ = "transactions"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("type IN ('income', 'expense')", name="type"),
        CheckConstraint("source IN ('manual', 'recurring', 'import')", name="source"),
        ForeignKeyConstraint(
            ["user_id", "category_id"],
            ["categories.user_id", "categories.id"],
            name="fk_transactions_category_same_user",
        ),
        Index("ix_transactions_user_date", "user_id", "date", "id"),
        Index("ix_transactions_user_category", "user_id", "category_id"),
    )

    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id", ondelete="CASCADE"))
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
