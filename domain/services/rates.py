"""Exchange rates: enter, list, delete, import the Bank of Israel's file, and load the table.

Rates belong to the money's owner. Today that is the household, and the owner's base currency
is the household's `currency` setting; when households land, only `_owner` and `base_currency`
change: every rate query below is scoped through them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from domain.db.models import ExchangeRate, Household
from domain.errors import InvalidInputError, NotFoundError
from domain.rules.boi_rates import BOI_BASE, parse_boi_rates
from domain.rules.currency import Rate, RateTable, build_rate_table, check_rate
from domain.services.households import open_scope
from domain.services.users import find_user_by_username


def _owner(household: Household) -> int:
    """Whose rates these are: the one place that scopes every rate query."""
    return household.id


def base_currency(household: Household) -> str:
    """The owner's base currency: every total, report and forecast is in it."""
    return household.currency


@dataclass(frozen=True)
class RateDraft:
    """A rate to store: one `currency` is worth `rate` base units on `day`."""

    day: date
    currency: str
    rate: Decimal


@dataclass(frozen=True)
class RatesImported:
    """What an import stored: how many rates, which currencies, and the skipped lines."""

    stored: int
    currencies: tuple[str, ...]
    first_day: date
    last_day: date
    skipped: tuple[str, ...]


def rate_table(session: Session, household: Household) -> RateTable:
    """Every rate the owner holds to the current base currency, ready for the converter."""
    base = base_currency(household)
    rows = session.execute(
        select(ExchangeRate.day, ExchangeRate.currency, ExchangeRate.rate).where(
            ExchangeRate.household_id == _owner(household), ExchangeRate.base == base
        )
    )
    return build_rate_table(base, (Rate(r.day, r.currency, r.rate) for r in rows))


def _upsert(session: Session, household: Household, rates: list[Rate], source: str) -> list[int]:
    base = base_currency(household)
    values = [
        {
            "household_id": _owner(household),
            "base": base,
            "day": r.day,
            "currency": r.currency,
            "rate": r.rate,
            "source": source,
        }
        for r in rates
    ]
    upsert = pg_insert(ExchangeRate).values(values)
    done = upsert.on_conflict_do_update(
        constraint="uq_exchange_rates_key",
        set_={"rate": upsert.excluded.rate, "source": upsert.excluded.source},
    ).returning(ExchangeRate.id)
    ids = list(session.scalars(done))
    session.expire_all()
    return ids


def set_rate(session: Session, household: Household, draft: RateDraft) -> ExchangeRate:
    """Store a rate by hand, replacing the one of the same currency and day."""
    check_rate(draft.currency, draft.rate, base_currency(household))
    [rate_id] = _upsert(session, household, [Rate(draft.day, draft.currency, draft.rate)], "manual")
    return get_rate(session, household, rate_id)


def get_rate(session: Session, household: Household, rate_id: int) -> ExchangeRate:
    """One of the owner's rates; anyone else's answers as not found."""
    rate = session.scalars(
        select(ExchangeRate).where(
            ExchangeRate.id == rate_id, ExchangeRate.household_id == _owner(household)
        )
    ).one_or_none()
    if rate is None:
        raise NotFoundError("rate not found")
    return rate


def list_rates(
    session: Session, household: Household, *, currency: str | None = None, limit: int = 1000
) -> list[ExchangeRate]:
    """The owner's rates to the current base, newest first, optionally of one currency."""
    query = select(ExchangeRate).where(
        ExchangeRate.household_id == _owner(household),
        ExchangeRate.base == base_currency(household),
    )
    if currency:
        query = query.where(ExchangeRate.currency == currency)
    order = query.order_by(ExchangeRate.day.desc(), ExchangeRate.currency).limit(limit)
    return list(session.scalars(order))


def delete_rate(session: Session, household: Household, rate_id: int) -> None:
    """Remove one of the owner's rates."""
    session.delete(get_rate(session, household, rate_id))
    session.flush()


def import_boi_rates(session: Session, household: Household, content: bytes) -> RatesImported:
    """Store every rate of a Bank of Israel file (rates to ILS), replacing same-day rates."""
    if base_currency(household) != BOI_BASE:
        raise InvalidInputError(
            "file", f"Bank of Israel rates are to ILS; your base currency is {household.currency}"
        )
    found = parse_boi_rates(content)
    rates = list({(r.currency, r.day): r for r in found.rates}.values())
    stored = 0
    for start in range(0, len(rates), 5000):
        stored += len(_upsert(session, household, rates[start : start + 5000], "boi"))
    days = [r.day for r in rates]
    currencies = tuple(sorted({r.currency for r in rates}))
    return RatesImported(stored, currencies, min(days), max(days), found.skipped)


def import_rates_for(session: Session, username: str, content: bytes) -> RatesImported:
    """The command line's import: a Bank of Israel file into the named person's household."""
    user = find_user_by_username(session, username)
    if user is None:
        raise InvalidInputError("username", f"no user named {username!r}")
    return import_boi_rates(session, open_scope(session, user).household, content)
