"""The bank balance: recorded readings and the current balance derived from them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from domain.db.currency import in_base, require_rates
from domain.db.models import BalanceRecord, Household, Transaction
from domain.errors import ConflictError, InvalidInputError
from domain.rules.currency import convert
from domain.rules.money import MAX_INTEGER_DIGITS, ZERO
from domain.services.rates import base_currency, rate_table


@dataclass(frozen=True)
class CurrentBalance:
    """The latest reading plus the transactions after it, up to today."""

    amount: Decimal
    as_of: date | None
    recorded: Decimal
    movements: Decimal


def _signed_sum(
    session: Session, household: Household, after: date | None, through: date
) -> Decimal:
    base = base_currency(household)
    amount = in_base(base)
    signed = case((Transaction.type == "income", amount), else_=-amount)
    where = [Transaction.household_id == household.id, Transaction.date <= through]
    if after is not None:
        where.append(Transaction.date > after)
    require_rates(session, base, *where)
    query = select(func.coalesce(func.sum(signed), ZERO)).where(*where)
    return Decimal(session.scalar(query) or ZERO)


def _reading_in_base(session: Session, household: Household, record: BalanceRecord) -> Decimal:
    """A reading taken in another currency (before the base changed), converted on its day."""
    if record.currency == base_currency(household):
        return record.amount
    table = rate_table(session, household)
    return convert(record.amount, record.currency, record.as_of, table).base_amount


def latest_record(
    session: Session, household: Household, *, through: date | None = None
) -> BalanceRecord | None:
    """The newest reading (on or before a day, when given)."""
    query = select(BalanceRecord).where(BalanceRecord.household_id == household.id)
    if through is not None:
        query = query.where(BalanceRecord.as_of <= through)
    return session.scalars(
        query.order_by(BalanceRecord.as_of.desc(), BalanceRecord.id.desc()).limit(1)
    ).one_or_none()


def current_balance(session: Session, household: Household, today: date) -> CurrentBalance:
    """The balance at the end of today: the latest reading plus what moved after it.

    With no reading yet, every transaction up to today counts from zero.
    """
    record = latest_record(session, household, through=today)
    after = record.as_of if record else None
    movements = _signed_sum(session, household, after, today)
    recorded = _reading_in_base(session, household, record) if record else ZERO
    return CurrentBalance(recorded + movements, after, recorded, movements)


def _check(amount: Decimal) -> None:
    if abs(amount) >= Decimal(10) ** MAX_INTEGER_DIGITS:
        raise InvalidInputError("amount", f"at most {MAX_INTEGER_DIGITS} integer digits")


def record_balance(
    session: Session,
    household: Household,
    *,
    amount: Decimal,
    as_of: date,
    today: date,
    note: str = "",
) -> BalanceRecord:
    """Record the bank balance at the end of a day (not in the future)."""
    _check(amount)
    if as_of > today:
        raise InvalidInputError("as_of", "a balance cannot be recorded for a future day")
    record = BalanceRecord(
        household_id=household.id,
        as_of=as_of,
        amount=amount,
        currency=household.currency,
        note=note,
    )
    session.add(record)
    session.flush()
    return record


def correct_current(
    session: Session, household: Household, *, amount: Decimal, today: date, note: str | None = None
) -> BalanceRecord:
    """Correct the latest reading's amount."""
    _check(amount)
    record = latest_record(session, household, through=today)
    if record is None:
        raise ConflictError("no balance recorded yet: record one first")
    record.amount = amount
    if note is not None:
        record.note = note
    session.flush()
    return record


def balance_history(
    session: Session, household: Household, *, limit: int = 100
) -> list[BalanceRecord]:
    """The readings, newest first."""
    return list(
        session.scalars(
            select(BalanceRecord)
            .where(BalanceRecord.household_id == household.id)
            .order_by(BalanceRecord.as_of.desc(), BalanceRecord.id.desc())
            .limit(limit)
        )
    )
