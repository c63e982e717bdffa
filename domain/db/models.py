"""The tables. Alembic migrations are the only way they reach a database."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
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
