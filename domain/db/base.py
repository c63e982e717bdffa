"""Declarative base with the columns every table carries."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import CHAR, BigInteger, DateTime, MetaData, Numeric, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

MoneyColumn = Numeric(15, 2, asdecimal=True)
CurrencyColumn = CHAR(3)


class Base(DeclarativeBase):
    """Base of every table: an identity key and creation and update timestamps."""

    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {Decimal: MoneyColumn, datetime: DateTime(timezone=True)}


class Timestamped:
    """Mixin: `created_at` and `updated_at`, set by the database."""

    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now(), onupdate=func.now())


class IdKey:
    """Mixin: a bigint identity primary key."""

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
