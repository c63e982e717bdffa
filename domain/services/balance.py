"""Balances: readings per account, each account's current balance, the household's cash.

An account's balance is its latest reading plus what moved in it after the reading: its
transactions (income +, expense -) and the legs of its transfers (in +, out -; what
arrived, `to_amount`, when the two currencies differ). It is in the account's currency.
The household's current balance is the sum over the accounts that hold its own money
(bank, savings, cash, and debit cards, whose purchases leave the bank on the day) in the
base currency; credit cards are liabilities beside it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import ColumnElement, case, func, literal, select, union_all
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.orm import Session

from domain.db.cards import household_accounts
from domain.db.currency import in_base, require_rates
from domain.db.models import Account, BalanceRecord, Household, Transaction, Transfer
from domain.errors import ConflictError, InvalidInputError
from domain.rules.card_routing import OWN_MONEY_KINDS
from domain.rules.currency import RateTable, convert
from domain.rules.money import CENT, MAX_INTEGER_DIGITS, ZERO
from domain.services.accounts import check_account_for
from domain.services.rates import base_currency, rate_table


@dataclass(frozen=True)
class CurrentBalance:
    """The latest reading plus the transactions after it, up to today."""

    amount: Decimal
    as_of: date | None
    recorded: Decimal
    movements: Decimal


@dataclass(frozen=True)
class AccountBalance:
    """One account's balance at the end of a day, in its own currency and in the base.

    `amount` = `recorded` (its latest reading, `as_of`) + `movements`; `in_base` and
    `recorded_in_base` are the amount and the reading in the base currency at the day's
    rate (equal to them for an account in the base currency).
    """

    account_id: int
    currency: str
    amount: Decimal
    as_of: date | None
    recorded: Decimal
    movements: Decimal
    in_base: Decimal
    recorded_in_base: Decimal


@dataclass
class _Tally:
    """An account's money in its own currency, and what is held in others (in the base)."""

    native: Decimal = ZERO
    foreign_base: Decimal = ZERO
    recorded_native: Decimal = ZERO
    recorded_base: Decimal = ZERO


def _latest_readings(
    session: Session, household_ids: list[int], ids: list[int], through: date
) -> dict[int, BalanceRecord]:
    """Each account's newest reading on or before a day (one query)."""
    rows = session.scalars(
        select(BalanceRecord)
        .where(
            BalanceRecord.household_id.in_(household_ids),
            BalanceRecord.account_id.in_(ids),
            BalanceRecord.as_of <= through,
        )
        .ext(distinct_on(BalanceRecord.account_id))
        .order_by(BalanceRecord.account_id, BalanceRecord.as_of.desc(), BalanceRecord.id.desc())
    )
    return {r.account_id: r for r in rows}


def _by_account(column: Any, values: Mapping[int, Any], default: Any) -> ColumnElement[Any]:
    """A value per account as SQL (a CASE over the household's few accounts)."""
    if not values:
        return literal(default)
    return case(dict(values), value=column, else_=literal(default))


def _earliest(after: Mapping[int, date], ids: Iterable[int]) -> date:
    """The earliest reading day among the accounts (the first day of all for one without)."""
    return min((after.get(i, date.min) for i in ids), default=date.min)


def _transaction_sums(
    session: Session,
    household_ids: list[int],
    accounts: Iterable[Account],
    after: Mapping[int, date],
    through: date,
    *,
    base: str,
) -> list[Any]:
    """Per (account, currency): the signed sum after the account's reading, natively and in base.

    A row in neither its account's currency nor the base needs its own day's rate.
    """
    currencies = {a.id: a.currency for a in accounts}
    where = [
        Transaction.household_id.in_(household_ids),
        Transaction.account_id.in_(list(currencies)),
        Transaction.date <= through,
        Transaction.date > _earliest(after, currencies),  # the index's range; the CASE sorts
        Transaction.date > _by_account(Transaction.account_id, after, date.min),
    ]
    foreign = Transaction.currency != _by_account(Transaction.account_id, currencies, base)
    require_rates(session, base, *where, foreign)
    sign = case((Transaction.type == "income", 1), else_=-1)
    return list(
        session.execute(
            select(
                Transaction.account_id,
                Transaction.currency,
                func.sum(sign * Transaction.amount).label("native"),
                func.sum(sign * in_base(base)).label("base"),
            )
            .where(*where)
            .group_by(Transaction.account_id, Transaction.currency)
        )
    )


def _transfer_legs(
    session: Session,
    household_ids: list[int],
    ids: list[int],
    after: Mapping[int, date],
    through: date,
) -> dict[int, Decimal]:
    """Per account: what its transfers brought in minus what they took out, after its reading."""
    legs = []
    for account, signed in (
        (Transfer.from_account_id, -Transfer.amount),
        (Transfer.to_account_id, func.coalesce(Transfer.to_amount, Transfer.amount)),
    ):
        legs.append(
            select(account.label("account_id"), signed.label("amount")).where(
                Transfer.household_id.in_(household_ids),
                account.in_(ids),
                Transfer.date <= through,
                Transfer.date > _earliest(after, ids),
                Transfer.date > _by_account(account, after, date.min),
            )
        )
    moved = union_all(*legs).subquery()
    rows = session.execute(
        select(moved.c.account_id, func.sum(moved.c.amount)).group_by(moved.c.account_id)
    )
    return {account_id: Decimal(total) for account_id, total in rows}


def _to_base(amount: Decimal, currency: str, day: date, table: RateTable) -> Decimal:
    if currency == table.base or not amount:
        return amount
    return convert(amount, currency, day, table).base_amount


def _from_base(amount: Decimal, currency: str, day: date, table: RateTable) -> Decimal:
    """A base-currency amount in an account's currency at the day's rate (half up)."""
    if currency == table.base or not amount:
        return amount
    rate = table.rate_on(currency, day).rate
    return (amount / rate).quantize(CENT, rounding=ROUND_HALF_UP)


def _balance_of(
    account: Account, tally: _Tally, record: BalanceRecord | None, day: date, table: RateTable
) -> AccountBalance:
    currency = account.currency
    amount = tally.native + _from_base(tally.foreign_base, currency, day, table)
    recorded = tally.recorded_native + _from_base(tally.recorded_base, currency, day, table)
    return AccountBalance(
        account_id=account.id,
        currency=currency,
        amount=amount,
        as_of=record.as_of if record else None,
        recorded=recorded,
        movements=amount - recorded,
        in_base=_to_base(tally.native, currency, day, table) + tally.foreign_base,
        recorded_in_base=_to_base(tally.recorded_native, currency, day, table)
        + tally.recorded_base,
    )


def balances_of(
    session: Session,
    household: Household,
    accounts: list[Account],
    day: date,
    *,
    table: RateTable | None = None,
) -> dict[int, AccountBalance]:
    """`account_balances` of the given accounts, already loaded (with the rates, when at hand)."""
    tables = {household.id: table} if table is not None else {}
    return balances_for(session, [household], {household.id: accounts}, day, tables=tables)[
        household.id
    ]


def balances_for(
    session: Session,
    homes: Sequence[Household],
    accounts: Mapping[int, list[Account]],
    day: date,
    *,
    tables: Mapping[int, RateTable],
) -> dict[int, dict[int, AccountBalance]]:
    """`balances_of` for households of one base currency, three queries for all of them.

    `tables` holds the rates at hand; a household needing rates without them has its
    rates read.
    """
    base = base_currency(homes[0])
    household_ids = [home.id for home in homes]
    held = [a for home in homes for a in accounts[home.id]]
    ids = [a.id for a in held]
    records = _latest_readings(session, household_ids, ids, day)
    after = {account_id: r.as_of for account_id, r in records.items()}
    tallies: dict[int, _Tally] = defaultdict(_Tally)
    currency = {a.id: a.currency for a in held}
    owner = {a.id: a.household_id for a in held}
    known = dict(tables)

    def table_of(household_id: int) -> RateTable:
        if household_id not in known:
            home = next(h for h in homes if h.id == household_id)
            known[household_id] = rate_table(session, home)
        return known[household_id]

    for account_id, record in records.items():
        tally = tallies[account_id]
        if record.currency == currency.get(account_id):
            tally.recorded_native = tally.native = record.amount
        else:  # read before the base changed: converted on its own day
            table = table_of(owner[account_id])
            converted = convert(record.amount, record.currency, record.as_of, table).base_amount
            tally.recorded_base = tally.foreign_base = converted
    for row in _transaction_sums(session, household_ids, held, after, day, base=base):
        tally = tallies[row.account_id]
        if row.currency == currency.get(row.account_id):
            tally.native += Decimal(row.native)
        else:
            tally.foreign_base += Decimal(row.base)
    for account_id, moved in _transfer_legs(session, household_ids, ids, after, day).items():
        tallies[account_id].native += moved
    return {
        home.id: {
            a.id: _balance_of(
                a,
                tallies[a.id],
                records.get(a.id),
                day,
                table_of(home.id) if a.currency != base else known.get(home.id, RateTable(base)),
            )
            for a in accounts[home.id]
        }
        for home in homes
    }


def account_balances(
    session: Session, household: Household, today: date
) -> dict[int, AccountBalance]:
    """Every account's balance at the end of a day (archived ones too), by account id.

    Four queries whatever the number of accounts. Each balance is in its account's
    currency, with its value in the base currency at the day's rate (`in_base`); a
    missing rate is a MissingRateError, never 1:1. A credit card's balance is what it
    owes, negative, until its statements are charged to the bank.
    """
    return balances_of(session, household, household_accounts(session, household.id), today)


def cash_total(
    balances: Mapping[int, AccountBalance], accounts: Iterable[Account]
) -> CurrentBalance:
    """The household's own money: its bank, savings, cash and debit card accounts, in the base."""
    held = [balances[a.id] for a in accounts if a.kind in OWN_MONEY_KINDS and a.id in balances]
    amount = sum((b.in_base for b in held), ZERO)
    recorded = sum((b.recorded_in_base for b in held), ZERO)
    as_of = max((b.as_of for b in held if b.as_of), default=None)
    return CurrentBalance(amount, as_of, recorded, amount - recorded)


def latest_record(
    session: Session,
    household: Household,
    *,
    through: date | None = None,
    account_id: int | None = None,
) -> BalanceRecord | None:
    """The newest reading (on or before a day, when given), of one account or of any."""
    query = select(BalanceRecord).where(BalanceRecord.household_id == household.id)
    if through is not None:
        query = query.where(BalanceRecord.as_of <= through)
    if account_id is not None:
        query = query.where(BalanceRecord.account_id == account_id)
    return session.scalars(
        query.order_by(BalanceRecord.as_of.desc(), BalanceRecord.id.desc()).limit(1)
    ).one_or_none()


def current_balance(session: Session, household: Household, today: date) -> CurrentBalance:
    """The household's cash at the end of a day: each account's reading plus what moved after.

    An account with no reading yet counts its movements from zero. `as_of` is the newest
    reading among the accounts summed.
    """
    held = [a for a in household_accounts(session, household.id) if a.kind in OWN_MONEY_KINDS]
    return cash_total(balances_of(session, household, held, today), held)


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
    account_id: int | None = None,
) -> BalanceRecord:
    """Record an account's balance at the end of a day (not in the future); default account."""
    _check(amount)
    if as_of > today:
        raise InvalidInputError("as_of", "a balance cannot be recorded for a future day")
    account = check_account_for(session, household, account_id)
    record = BalanceRecord(
        household_id=household.id,
        account_id=account.id,
        as_of=as_of,
        amount=amount,
        currency=account.currency,
        note=note,
    )
    session.add(record)
    session.flush()
    return record


def correct_current(
    session: Session,
    household: Household,
    *,
    amount: Decimal,
    today: date,
    note: str | None = None,
    account_id: int | None = None,
) -> BalanceRecord:
    """Correct the latest reading's amount of an account (default: the default account)."""
    _check(amount)
    account = check_account_for(session, household, account_id)
    record = latest_record(session, household, through=today, account_id=account.id)
    if record is None:
        raise ConflictError("no balance recorded yet: record one first")
    record.amount = amount
    if note is not None:
        record.note = note
    session.flush()
    return record


def balance_history(
    session: Session, household: Household, *, limit: int = 100, account_id: int | None = None
) -> list[BalanceRecord]:
    """The readings, newest first (of one account when given)."""
    query = select(BalanceRecord).where(BalanceRecord.household_id == household.id)
    if account_id is not None:
        query = query.where(BalanceRecord.account_id == account_id)
    return list(
        session.scalars(
            query.order_by(BalanceRecord.as_of.desc(), BalanceRecord.id.desc()).limit(limit)
        )
    )


def daily_movements(
    session: Session,
    household: Household,
    start: date,
    end: date,
    *,
    accounts: Collection[int] | None = None,
) -> dict[date, Decimal]:
    """What moved the household's own money each day in [start, end), in the base currency.

    The transactions of its bank, savings, cash and debit card accounts, and the transfers
    between them and the rest (a card's statement charge leaving the bank); a purchase on
    a credit card moves it only when its statement is charged, and a transfer between two
    of its own accounts not at all. `accounts`: the same over those accounts instead (one
    account's view: a bank with its debit cards, or a card alone, whose purchases move it).
    """
    held = {
        a.id: a
        for a in household_accounts(session, household.id)
        if (a.kind in OWN_MONEY_KINDS if accounts is None else a.id in accounts)
    }
    base = base_currency(household)
    amount = in_base(base)
    signed = case((Transaction.type == "income", amount), else_=-amount)
    where = (
        Transaction.household_id == household.id,
        Transaction.account_id.in_(list(held)),
        Transaction.date >= start,
        Transaction.date < end,
    )
    require_rates(session, base, *where)
    rows = session.execute(
        select(Transaction.date, func.sum(signed)).where(*where).group_by(Transaction.date)
    )
    moved: dict[date, Decimal] = defaultdict(Decimal, {day: Decimal(net) for day, net in rows})
    crossing = session.execute(
        select(Transfer).where(
            Transfer.household_id == household.id,
            Transfer.date >= start,
            Transfer.date < end,
            Transfer.from_account_id.in_(list(held)) != Transfer.to_account_id.in_(list(held)),
        )
    ).scalars()
    table: RateTable | None = None
    for transfer in crossing:
        leaving = transfer.from_account_id in held
        account = held[transfer.from_account_id if leaving else transfer.to_account_id]
        value = transfer.amount if leaving else transfer.to_amount or transfer.amount
        if account.currency != base:
            table = table or rate_table(session, household)
        in_base_value = _to_base(value, account.currency, transfer.date, table or RateTable(base))
        moved[transfer.date] += -in_base_value if leaving else in_base_value
    return dict(moved)
