"""Forecast use cases: gather the inputs, compute, summarise, compare, afford."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select, union_all
from sqlalchemy.orm import Session

from domain.db.cards import cycle_of, household_accounts
from domain.db.forecast_inputs import (
    booked_keys,
    booked_keys_of,
    card_past_lines,
    future_moves,
    future_moves_of,
    future_transactions,
    future_transactions_of,
    spending_histories,
    spending_history,
)
from domain.db.models import (
    Account,
    CategoryBudgetSettings,
    ExchangeRate,
    Household,
    HouseholdSettings,
)
from domain.db.recurring import any_of, load_specs
from domain.errors import DomainError, InvalidInputError
from domain.rules.affordability import Affordability, afford, inputs_end
from domain.rules.card_routing import (
    AccountRef,
    Book,
    Move,
    UnknownAccountError,
    View,
    compose,
    view_of,
)
from domain.rules.cards import CardLine, last_charged_close
from domain.rules.currency import RateTable, build_rate_table
from domain.rules.forecast import (
    CategoryHistory,
    Event,
    Forecast,
    ForecastInputs,
    SpendingPlan,
    build_forecast,
    horizon_end,
)
from domain.rules.forecast_views import Summary, summarize
from domain.rules.money import ZERO
from domain.rules.occurrences import SourceSpec, first_due
from domain.rules.scenarios import apply_operations
from domain.services import budgets
from domain.services.accounts import check_account_for
from domain.services.balance import AccountBalance, balances_for, balances_of
from domain.services.household_settings import get_household_settings
from domain.services.rates import base_currency, rate_table

MAX_HORIZON = 36


def _refs(accounts: list[Account], today: date) -> tuple[AccountRef, ...]:
    """The accounts as the forecast sees them; a card without a watermark: its charged past."""
    refs = []
    for a in accounts:
        cycle = cycle_of(a) if a.kind == "credit_card" else None
        booked = (a.booked_through or last_charged_close(cycle, today)) if cycle else None
        refs.append(AccountRef(a.id, a.kind, a.name, a.charged_to_id, cycle, booked, a.is_default))
    return tuple(refs)


def _merged(
    history: Sequence[CategoryHistory], key: Callable[[CategoryHistory], Hashable]
) -> tuple[CategoryHistory, ...]:
    """Histories with the same key added month by month (the first one's name and account)."""
    merged: dict[Hashable, CategoryHistory] = {}
    for h in history:
        found = merged.get(key(h))
        if found is None:
            merged[key(h)] = h
        else:
            months = tuple(a + b for a, b in zip(found.monthly, h.monthly, strict=True))
            merged[key(h)] = replace(found, monthly=months)
    return tuple(merged.values())


def _by_category(history: Sequence[CategoryHistory]) -> tuple[CategoryHistory, ...]:
    """Each category's history over every account (what budgets compare with)."""
    return tuple(replace(h, account_id=None) for h in _merged(history, key=lambda h: h.category_id))


def _history(
    raw: Sequence[CategoryHistory], accounts: list[Account]
) -> tuple[CategoryHistory, ...]:
    """Spending history per (account, category); an archived account's counts on the default.

    Spending does not stop when its card is put away: it moves, most likely to the
    default account, until the new place has a history of its own.
    """
    default = next(a.id for a in accounts if a.is_default)
    archived = {a.id for a in accounts if a.archived_at is not None}
    history = [replace(h, account_id=default) if h.account_id in archived else h for h in raw]
    return _merged(history, key=lambda h: (h.account_id, h.category_id))


def _unbooked_from(specs: list[SourceSpec], refs: tuple[AccountRef, ...], today: date) -> date:
    """The earliest due date (or statement close) a source or card may still have to book."""
    days = [
        s.info.booked_through + timedelta(days=1) if s.info.booked_through else first_due(s)
        for s in specs
    ]
    days += [r.booked_through + timedelta(days=1) for r in refs if r.booked_through]
    return min(days, default=today)


@dataclass(frozen=True)
class _Reads:
    """What a household's forecast reads from the database (one household's, or a chunk's)."""

    accounts: list[Account]
    refs: tuple[AccountRef, ...]
    specs: list[SourceSpec]
    table: RateTable
    balances: Mapping[int, AccountBalance]
    history: tuple[CategoryHistory, ...]
    plans: tuple[SpendingPlan, ...]
    transactions: list[Event]
    keys: frozenset[tuple[str, int, date]]
    moves: list[Move]
    card_past: Mapping[int, tuple[CardLine, ...]]


def _book_of(
    household: Household,
    today: date,
    end: date,
    prefs: HouseholdSettings,
    reads: _Reads,
    *,
    include_history: bool | None,
) -> Book:
    """The household's book from what was read: the one place its inputs are composed."""
    inputs = ForecastInputs(
        today=today,
        end=end,
        opening=sum((b.in_base for b in reads.balances.values()), ZERO),
        transactions=tuple(reads.transactions),
        specs=tuple(reads.specs),
        booked_keys=reads.keys,
        history=reads.history,
        warning=prefs.warning_threshold,
        include_history=prefs.include_history if include_history is None else include_history,
        plans=reads.plans,
        seed=household.id * 100_003 + today.toordinal(),
        rates=reads.table,
    )
    return Book(
        inputs,
        reads.refs,
        balances={a: b.in_base for a, b in reads.balances.items()},
        moves=tuple(reads.moves),
        card_past=dict(reads.card_past),
    )


def gather_book(
    session: Session,
    household: Household,
    today: date,
    *,
    months: int | None = None,
    include_history: bool | None = None,
    end: date | None = None,
    account_id: int | None = None,
) -> tuple[Book, View]:
    """The household's money on its accounts, read from the database, and the view asked for.

    The horizon is `months` (default: the household's setting), unless an exclusive `end` is
    given. Only the balances the view starts from are read (a card's whole past is not).
    """
    prefs = get_household_settings(session, household)
    horizon = months or prefs.forecast_horizon_months
    if not 1 <= horizon <= MAX_HORIZON:
        raise InvalidInputError("months", f"must be 1 to {MAX_HORIZON}")
    end = end or horizon_end(today, horizon)
    accounts = household_accounts(session, household.id)
    refs = _refs(accounts, today)
    view = _view(refs, account_id)
    specs = load_specs(session, [household.id])
    table = rate_table(session, household)
    held = [a for a in accounts if a.id in view.own]
    raw = spending_history(session, household.id, today, specs, base=table.base)
    history = _history(raw, accounts)
    currencies = {a.id: a.currency for a in accounts}
    cards = {r.id: r.booked_through for r in refs if r.booked_through is not None}
    reads = _Reads(
        accounts,
        refs,
        specs,
        table,
        balances_of(session, household, held, today, table=table),
        history,
        budgets.forecast_plans(session, household, today, end, _by_category(history)),
        future_transactions(session, household.id, today, end, table),
        booked_keys(session, household.id, _unbooked_from(specs, refs, today)),
        future_moves(session, household.id, today, end, currencies=currencies, rates=table),
        card_past_lines(session, household.id, cards, today, currencies=currencies, rates=table),
    )
    book = _book_of(household, today, end, prefs, reads, include_history=include_history)
    return book, view


def account_view(session: Session, household: Household, account_id: int, today: date) -> View:
    """Which accounts one account's forecast follows (422 naming `account_id` for another's)."""
    return _view(_refs(household_accounts(session, household.id), today), account_id)


def _view(accounts: tuple[AccountRef, ...], account_id: int | None) -> View:
    try:
        return view_of(accounts, account_id)
    except UnknownAccountError as exc:
        raise InvalidInputError("account_id", "no such account") from exc


def gather_inputs(
    session: Session,
    household: Household,
    today: date,
    *,
    months: int | None = None,
    include_history: bool | None = None,
    end: date | None = None,
    account_id: int | None = None,
) -> ForecastInputs:
    """Everything the engine needs for the household's path, or one account's.

    The household's path follows its own money (bank, savings, cash, debit cards) and
    pays each credit card's statements on their charge days; `account_id` names one
    account's path instead (see `card_routing.view_of`).
    """
    book, view = gather_book(
        session,
        household,
        today,
        months=months,
        include_history=include_history,
        end=end,
        account_id=account_id,
    )
    return compose(book, view)


def forecast_for(
    session: Session,
    household: Household,
    today: date,
    *,
    months: int | None = None,
    include_history: bool | None = None,
    operations: list[dict[str, Any]] | None = None,
    account_id: int | None = None,
) -> Forecast:
    """The household's forecast (or one account's), with a scenario's operations when given.

    A bank account's path carries its debit cards and the statements of the credit cards
    charged to it; a credit card's path is what it owes: purchases down, each statement's
    charge back up. The household's path is the sum of its bank, savings and cash paths.
    """
    book, view = gather_book(
        session,
        household,
        today,
        months=months,
        include_history=include_history,
        account_id=account_id,
    )
    if operations:
        book = replace(book, inputs=scenario_inputs(session, household, book.inputs, operations))
    return build_forecast(compose(book, view))


def scenario_inputs(
    session: Session, household: Household, inputs: ForecastInputs, operations: list[dict[str, Any]]
) -> ForecastInputs:
    """The inputs with a scenario's operations applied (budget changes become plans first)."""
    plans = budgets.forecast_plans(
        session,
        household,
        inputs.today,
        inputs.end,
        _by_category(inputs.history),
        operations=operations,
    )
    return apply_operations(replace(inputs, plans=plans), operations, household_id=household.id)


@dataclass(frozen=True)
class Comparison:
    """A scenario beside the baseline."""

    baseline: Forecast
    scenario: Forecast
    baseline_summary: Summary
    scenario_summary: Summary


def compare(
    session: Session,
    household: Household,
    today: date,
    operations: list[dict[str, Any]],
    *,
    months: int | None = None,
    account_id: int | None = None,
) -> Comparison:
    """The baseline and the scenario from the same inputs, with their summaries.

    `account_id` draws one account's path (as `forecast_for` does); left out, the household's.
    """
    book, view = gather_book(session, household, today, months=months, account_id=account_id)
    baseline = build_forecast(compose(book, view))
    changed = replace(book, inputs=scenario_inputs(session, household, book.inputs, operations))
    scenario = build_forecast(compose(changed, view))
    return Comparison(baseline, scenario, summarize(baseline), summarize(scenario))


def affordability(
    session: Session,
    household: Household,
    today: date,
    *,
    amount: Decimal,
    on: date,
    account_id: int | None = None,
) -> Affordability:
    """The fewest installments (1 to 36) that keep the P50 path at or above the warning level.

    Each option is checked through a month after its last installment, at least over the
    household's forecast horizon and through the lowest point ahead, whatever that setting is.
    A purchase on a credit card (`account_id`) places each installment on the card's
    statement that holds it, charged to the bank on the charge day.
    """
    if amount <= 0:
        raise InvalidInputError("amount", "must be greater than zero")
    if on < today:
        raise InvalidInputError("date", "must not be in the past")
    if on >= horizon_end(today, MAX_HORIZON):
        raise InvalidInputError("date", f"must be within {MAX_HORIZON} months from today")
    card = None
    if account_id is not None:
        account = check_account_for(session, household, account_id)
        card = cycle_of(account) if account.kind == "credit_card" else None
    months = get_household_settings(session, household).forecast_horizon_months
    horizon_through = horizon_end(today, months) - timedelta(days=1)
    inputs = gather_inputs(
        session,
        household,
        today,
        include_history=True,
        end=inputs_end(on, horizon_through, card=card),
    )
    return afford(replace(inputs, paths=1), amount, on, horizon_through=horizon_through, card=card)


def _plain(session: Session, ids: list[int]) -> set[int]:
    """The households a chunk can read together: no rates, no credit card, no budget mode.

    The others (rates to convert with, card cycles, budgets the forecast follows) are
    read one by one, as `gather_inputs` reads them.
    """
    odd = union_all(
        select(ExchangeRate.household_id).where(ExchangeRate.household_id == any_of(ids)),
        select(Account.household_id).where(
            Account.household_id == any_of(ids), Account.kind == "credit_card"
        ),
        select(CategoryBudgetSettings.household_id).where(
            CategoryBudgetSettings.household_id == any_of(ids),
            CategoryBudgetSettings.forecast_mode != "history",
        ),
    ).subquery()
    return set(ids) - set(session.scalars(select(odd.c[0]).distinct()))


def _chunk_reads(
    session: Session, homes: list[Household], today: date, end: date
) -> dict[int, _Reads]:
    """Plain households of one base currency, today and horizon: every read in one go."""
    ids = [home.id for home in homes]
    base = base_currency(homes[0])
    table = build_rate_table(base, ())
    accounts: dict[int, list[Account]] = {i: [] for i in ids}
    for account in session.scalars(
        select(Account)
        .where(Account.household_id == any_of(ids))
        .order_by(Account.sort_order, Account.id)
    ):
        accounts[account.household_id].append(account)
    specs: dict[int, list[SourceSpec]] = {i: [] for i in ids}
    for spec in load_specs(session, ids):
        specs[spec.info.household_id].append(spec)
    refs = {i: _refs(accounts[i], today) for i in ids}
    views = {i: _view(refs[i], None) for i in ids}
    held = {i: [a for a in accounts[i] if a.id in views[i].own] for i in ids}
    tables = dict.fromkeys(ids, table)
    balances = balances_for(session, homes, held, today, tables=tables)
    raws = spending_histories(session, specs, today, base=base)
    transactions = future_transactions_of(session, ids, today, end, tables)
    since = {i: _unbooked_from(specs[i], refs[i], today) for i in ids}
    keys = booked_keys_of(session, since)
    currencies = {a.id: a.currency for found in accounts.values() for a in found}
    moves = future_moves_of(session, ids, today, end, currencies=currencies, rates=tables)
    return {
        i: _Reads(
            accounts[i],
            refs[i],
            specs[i],
            table,
            balances[i],
            _history(raws[i], accounts[i]),
            (),
            transactions[i],
            keys[i],
            moves[i],
            {},
        )
        for i in ids
    }


def gather_chunk(
    session: Session, homes: Sequence[Household], today: Mapping[int, date]
) -> dict[int, ForecastInputs]:
    """The household path's inputs of many households, read together; some are left out.

    Each is equal to `gather_inputs(session, home, today)` (tests/test_nightly_workers.py).
    Plain households (see `_plain`) of one base currency, today and horizon share each
    query; the others, and a group whose reads refuse (a missing rate), are left for the
    caller to read one by one, where a failure stops only its own household.
    """
    plain = _plain(session, [home.id for home in homes])
    groups: dict[tuple[date, str, date], list[Household]] = defaultdict(list)
    prefs = {home.id: get_household_settings(session, home) for home in homes}
    for home in homes:
        if home.id in plain:
            day = today[home.id]
            end = horizon_end(day, prefs[home.id].forecast_horizon_months)
            groups[(day, base_currency(home), end)].append(home)
    found: dict[int, ForecastInputs] = {}
    for (day, _, end), members in groups.items():
        try:
            reads = _chunk_reads(session, members, day, end)
        except DomainError:  # a missing rate: each alone, so only its household fails
            continue
        for home in members:
            book = _book_of(home, day, end, prefs[home.id], reads[home.id], include_history=None)
            found[home.id] = compose(book, _view(book.accounts, None))
    return found
