"""Balances per account and a forecast that follows accounts and card cycles.

The pure ledger below, hand-computed (today 15 January 2027, horizon to 15 April):
  accounts: 1 Main (bank, default) 5,000.00; 2 Savings 2,000.00;
            3 Isracard (credit card on Main, closes the 20th, charged the 2nd,
              statements through 20 December 2026 charged already) -450.00;
            4 Debit (debit card on Main) -100.00.
  card lines after 20 December: 5 Jan 200.00, 18 Jan 300.00, refund 19 Jan 50.00,
            a future purchase 25 Jan 400.00, a payment by hand from Main 10 Feb 100.00,
            a plan of 3 x 300.00 due the 10th from 10 January (none booked yet).
  statements: closes 20 Jan: 200 + 300 - 50 + 300 (plan 1/3)      = 750.00, charged 2 Feb
              closes 20 Feb: 400 + 300 (plan 2/3) - 100 (by hand)  = 600.00, charged 2 Mar
              closes 20 Mar: 300 (plan 3/3)                        = 300.00, charged 2 Apr
  a transfer of 1,000.00 from Main to Savings on 1 Feb; the debit card buys 60.00 on 20 Jan.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from domain.config import Settings
from domain.db.models import Account, Household, RecurringBooking
from domain.errors import InvalidInputError
from domain.rules import forecast as engine
from domain.rules.affordability import afford, inputs_end
from domain.rules.budgets import BudgetDraft
from domain.rules.card_routing import (
    AccountRef,
    Book,
    Move,
    View,
    compose,
    deferral_of,
    view_of,
)
from domain.rules.cards import CardCycle, CardLine, charge_date, statement_close
from domain.rules.currency import MissingRateError
from domain.rules.forecast import (
    DATE,
    P50,
    VARIABLE,
    CategoryHistory,
    Deferral,
    Event,
    ForecastInputs,
    SpendingPlan,
    build_forecast,
)
from domain.rules.ledger import TransactionDraft
from domain.rules.occurrences import FixedSpec, InstallmentSpec, SourceInfo
from domain.rules.recurrence import Recurrence
from domain.rules.scenarios import apply_operations
from domain.services import (
    accounts,
    balance,
    budgets,
    fixed,
    installment_plans,
    rates,
    transactions,
    transfers,
)
from domain.services.accounts import AccountDraft
from domain.services.forecasting import affordability, forecast_for
from domain.services.rates import RateDraft
from domain.services.transfers import TransferDraft
from tests.builders import category_named
from tests.conftest import home_of, make_user

D = Decimal
TODAY = date(2027, 1, 15)
END = date(2027, 4, 16)
ISRACARD = CardCycle(close_day=20, charge_day=2)
MAIN, SAVINGS, CARD, DEBIT = 1, 2, 3, 4
ACCOUNTS = (
    AccountRef(MAIN, "bank", "Main", is_default=True),
    AccountRef(SAVINGS, "savings", "Savings"),
    AccountRef(CARD, "credit_card", "Isracard", MAIN, ISRACARD, date(2026, 12, 20)),
    AccountRef(DEBIT, "debit_card", "Debit", MAIN),
)
SOFA = InstallmentSpec(
    SourceInfo("installment", 9, 1, "Sofa", "expense", None, "ILS", None, CARD),
    D("900.00"),
    3,
    date(2027, 1, 10),
    10,
)
BOOK = Book(
    inputs=ForecastInputs(
        today=TODAY,
        end=END,
        opening=D("0"),
        transactions=(
            Event(date(2027, 1, 25), D("-400.00"), "Shoes", "transaction", account_id=CARD),
            Event(date(2027, 1, 20), D("-60.00"), "Pharmacy", "transaction", account_id=DEBIT),
        ),
        specs=(SOFA,),
        include_history=False,
    ),
    accounts=ACCOUNTS,
    balances={MAIN: D("5000.00"), SAVINGS: D("2000.00"), CARD: D("-450.00"), DEBIT: D("-100.00")},
    moves=(
        Move(date(2027, 2, 1), D("1000.00"), D("1000.00"), MAIN, SAVINGS, "To savings"),
        Move(date(2027, 2, 10), D("100.00"), D("100.00"), MAIN, CARD, "Card by hand"),
    ),
    card_past={
        CARD: (
            CardLine(date(2027, 1, 5), D("200.00"), "expense"),
            CardLine(date(2027, 1, 18), D("300.00"), "expense"),
            CardLine(date(2027, 1, 19), D("50.00"), "income"),
        )
    },
)


def _path(inputs: ForecastInputs) -> dict[date, Decimal]:
    daily = build_forecast(inputs).daily
    return dict(zip(daily[DATE], daily[P50], strict=True))


def _moves(inputs: ForecastInputs) -> list[tuple[date, str, Decimal]]:
    return [(e.date, e.label, e.amount) for e in build_forecast(inputs).events]


@pytest.mark.parametrize(
    ("account_id", "own", "charged", "settled", "plans"),
    [
        (None, {MAIN, SAVINGS, DEBIT}, {CARD}, set(), True),
        (MAIN, {MAIN, DEBIT}, {CARD}, set(), True),  # the default: budgets ride on it
        (SAVINGS, {SAVINGS}, set(), set(), False),
        (DEBIT, {DEBIT}, set(), set(), False),
        (CARD, {CARD}, set(), {CARD}, False),  # a card's own path: what it owes
    ],
)
def test_each_view_follows_its_accounts(
    account_id: int | None, own: set[int], charged: set[int], settled: set[int], plans: bool
) -> None:
    assert view_of(ACCOUNTS, account_id) == View(
        frozenset(own), frozenset(charged), frozenset(settled), plans
    )


def test_the_household_pays_each_statement_on_its_charge_day_and_nothing_on_purchase_days() -> None:
    household = compose(BOOK, view_of(ACCOUNTS, None))
    assert household.opening == D("6900.00")  # Main + Savings + Debit; the card is a liability
    assert _moves(household) == [
        (date(2027, 1, 20), "Pharmacy", D("-60.00")),  # a debit card leaves on the day
        (date(2027, 2, 2), "Isracard", D("-750.00")),
        (date(2027, 2, 10), "Card by hand", D("-100.00")),  # to the card: out of the cash
        (date(2027, 3, 2), "Isracard", D("-600.00")),
        (date(2027, 4, 2), "Isracard", D("-300.00")),
    ]  # the transfer to savings moves nothing
    path = _path(household)
    assert [path[day] for day in (date(2027, 1, 18), date(2027, 1, 25), date(2027, 2, 1))] == [
        D("6900.00"),  # the card's purchases on the 18th and the 25th do not touch it
        D("6840.00"),
        D("6840.00"),
    ]
    assert path[date(2027, 2, 2)] == D("6090.00")
    assert path[date(2027, 4, 15)] == D("5090.00")


@pytest.mark.parametrize(
    ("account_id", "opening", "moves", "last"),
    [
        (
            MAIN,
            "4900.00",  # its debit card rides on it
            [
                (date(2027, 1, 20), "Pharmacy", D("-60.00")),
                (date(2027, 2, 1), "To savings", D("-1000.00")),
                (date(2027, 2, 2), "Isracard", D("-750.00")),
                (date(2027, 2, 10), "Card by hand", D("-100.00")),
                (date(2027, 3, 2), "Isracard", D("-600.00")),
                (date(2027, 4, 2), "Isracard", D("-300.00")),
            ],
            "2090.00",
        ),
        (SAVINGS, "2000.00", [(date(2027, 2, 1), "To savings", D("1000.00"))], "3000.00"),
        (
            CARD,
            "-450.00",  # what it owes; each charge pays a statement back
            [
                (TODAY, "Sofa (1/3)", D("-300.00")),  # overdue, not booked yet: owed today
                (date(2027, 1, 25), "Shoes", D("-400.00")),
                (date(2027, 2, 2), "Isracard", D("750.00")),
                (date(2027, 2, 10), "Card by hand", D("100.00")),
                (date(2027, 2, 10), "Sofa (2/3)", D("-300.00")),
                (date(2027, 3, 2), "Isracard", D("600.00")),
                (date(2027, 3, 10), "Sofa (3/3)", D("-300.00")),
                (date(2027, 4, 2), "Isracard", D("300.00")),
            ],
            "0.00",
        ),
    ],
)
def test_an_accounts_path(
    account_id: int, opening: str, moves: list[tuple[date, str, Decimal]], last: str
) -> None:
    inputs = compose(BOOK, view_of(ACCOUNTS, account_id))
    assert inputs.opening == D(opening)
    assert sorted(_moves(inputs)) == sorted(moves)
    assert _path(inputs)[date(2027, 4, 15)] == D(last)


def test_the_card_path_counts_the_overdue_plan_part_today() -> None:
    """Sofa 1/3 was due on 10 January and is not booked: the card owes it from today."""
    card = compose(BOOK, view_of(ACCOUNTS, CARD))
    first = build_forecast(card).events[0]
    assert (first.date, first.label, first.amount) == (TODAY, "Sofa (1/3)", D("-300.00"))


def test_a_booked_statement_key_suppresses_its_debit() -> None:
    booked = replace(
        BOOK.inputs, booked_keys=frozenset({("card_statement", CARD, date(2027, 1, 20))})
    )
    household = compose(replace(BOOK, inputs=booked), view_of(ACCOUNTS, None))
    charges = [
        (e.date, e.amount) for e in build_forecast(household).events if e.label == "Isracard"
    ]
    assert charges == [(date(2027, 3, 2), D("-600.00")), (date(2027, 4, 2), D("-300.00"))]


def test_an_overdue_charge_is_expected_today_and_the_watermark_ends_history() -> None:
    late = replace(BOOK.inputs, today=date(2027, 2, 5))
    overdue = compose(replace(BOOK, inputs=late), view_of(ACCOUNTS, None))
    charges = [(e.date, e.due, e.amount) for e in overdue.transactions if e.label == "Isracard"]
    assert charges[0] == (date(2027, 2, 5), date(2027, 2, 2), D("-750.00"))
    charged = replace(ACCOUNTS[2], booked_through=date(2027, 1, 20))
    moved = replace(BOOK, inputs=late, accounts=(*ACCOUNTS[:2], charged, ACCOUNTS[3]))
    after = compose(moved, view_of(moved.accounts, None))
    # the 20 January statement is history now; Sofa 1/3, unbooked, moves to the next one
    assert [(e.date, e.amount) for e in after.transactions if e.label == "Isracard"] == [
        (date(2027, 3, 2), D("-900.00")),
        (date(2027, 4, 2), D("-300.00")),
    ]


def test_a_scenario_on_a_card_subscription_changes_its_statements() -> None:
    """A streaming service of 50.00 on the 5th, on the card; the scenario pauses it in February."""
    info = SourceInfo("fixed", 10, 1, "Stream", "expense", None, "ILS", None, CARD)
    stream = FixedSpec(info, D("50.00"), Recurrence("monthly", date(2027, 1, 5), day_of_month=5))
    book = replace(BOOK, inputs=replace(BOOK.inputs, specs=(SOFA, stream)))
    pause = {"op": "pause_fixed", "fixed_id": 10, "from_date": "2027-02-01"}
    paused = replace(book, inputs=apply_operations(book.inputs, [pause], household_id=1))

    def charges(of: Book) -> list[Decimal]:
        inputs = compose(of, view_of(ACCOUNTS, None))
        return [e.amount for e in inputs.transactions if e.label == "Isracard"]

    assert charges(book) == [D("-800.00"), D("-650.00"), D("-350.00")]
    assert charges(paused) == [D("-800.00"), D("-600.00"), D("-300.00")]


# Everyday spending of 3,100.00 a month (100.00 a day in January), learned on one account.
GROCERIES = CategoryHistory(5, "Groceries", (D("3100.00"),) * 12)


def _spending(deferral: Deferral | None) -> ForecastInputs:
    return ForecastInputs(
        today=TODAY,
        end=date(2027, 2, 21),
        opening=D("10000.00"),
        history=(replace(GROCERIES, account_id=CARD),),
        deferrals=(deferral,) if deferral else (),
        paths=50,
    )


CYCLE = Deferral(
    CARD,
    closes=(date(2027, 1, 20), date(2027, 2, 20), date(2027, 3, 20)),
    lands=(date(2027, 2, 2), date(2027, 3, 2), date(2027, 4, 2)),
)


@pytest.mark.parametrize(
    ("day", "cash", "card", "card_own"),
    [
        # cash: 100.00 a day from tomorrow; card: 16-20 January (500.00) on 2 February,
        # the rest of the period lands on 2 March, beyond the horizon; the card's own
        # path owes each day and is paid back on 2 February.
        (date(2027, 1, 15), "10000.00", "10000.00", "10000.00"),
        (date(2027, 1, 16), "9900.00", "10000.00", "9900.00"),
        (date(2027, 1, 20), "9500.00", "10000.00", "9500.00"),
        (date(2027, 1, 31), "8400.00", "10000.00", "8400.00"),
        (date(2027, 2, 1), "8289.28", "10000.00", "8289.28"),  # February: 110.72 then 110.71
        (date(2027, 2, 2), "8178.56", "9500.00", "8678.56"),
        (date(2027, 2, 20), "6185.68", "9500.00", "6685.68"),
    ],
)
def test_card_spending_lands_on_charge_days(day: date, cash: str, card: str, card_own: str) -> None:
    assert _path(_spending(None))[day] == D(cash)
    assert _path(_spending(CYCLE))[day] == D(card)
    assert _path(_spending(replace(CYCLE, own_days=True)))[day] == D(card_own)


def test_deferred_spending_lumps_on_charge_days_and_only_it_makes_the_band() -> None:
    daily = build_forecast(_spending(CYCLE)).daily
    spent = {d: v for d, v in zip(daily[DATE], daily[VARIABLE], strict=True) if v}
    assert spent == {date(2027, 2, 2): D("500.00")}
    lumpy = replace(GROCERIES, account_id=CARD, monthly=(D("2000.00"), D("4200.00")) * 6)
    band = build_forecast(replace(_spending(CYCLE), history=(lumpy,))).daily.set_index(DATE)
    before, on = band.loc[date(2027, 2, 1)], band.loc[date(2027, 2, 2)]
    assert before["p10"] == before["p90"] == D("10000.00")  # nothing has reached the bank
    assert on["p10"] < on["p90"]


@settings(max_examples=80, deadline=None)
@given(
    start=st.dates(date(2026, 1, 1), date(2030, 12, 31)),
    span=st.integers(1, 800),
    close_day=st.integers(1, 31),
    charge_day=st.integers(1, 31),
    seed=st.integers(0, 2**32 - 1),
)
def test_landing_moves_each_spread_agora_to_its_charge_day(
    start: date, span: int, close_day: int, charge_day: int, seed: int
) -> None:
    """The lumps equal the day-by-day spread with each day's agorot moved to its charge day."""
    end = start + timedelta(days=span)
    days = pd.date_range(start, end - timedelta(days=1), freq="D")
    monthly = np.random.default_rng(seed).integers(0, 10**9, size=(3, engine._months_in(days)))
    card = AccountRef(1, "credit_card", "C", 2, CardCycle(close_day, charge_day), start)
    deferral = deferral_of(card, ForecastInputs(start, end, D(0)), own_days=False)
    target = engine._landing_days(deferral, days)
    spread = engine._spread(monthly, days, start)
    moved = np.zeros_like(spread)
    for day in np.flatnonzero(target >= 0):
        moved[:, target[day]] += spread[:, day]
    assert (engine._landed(monthly, days, start, target) == moved).all()
    cycle = CardCycle(close_day, charge_day)
    beyond = [start + timedelta(days=int(i)) for i in np.flatnonzero(target < 0)]
    assert all(charge_date(cycle, statement_close(cycle, d)) >= end for d in beyond)  # later


def _history_book() -> Book:
    """The pure ledger with a year of spending on every account and a budgeted category."""
    history = (
        replace(GROCERIES, account_id=MAIN),
        CategoryHistory(6, "Dining", tuple(D(x) for x in ("400", "650") * 6), account_id=CARD),
        CategoryHistory(7, "Fuel", (D("310.00"),) * 12, account_id=DEBIT),
        CategoryHistory(8, "Gifts", (D("93.00"),) * 12, account_id=SAVINGS),
        CategoryHistory(6, "Dining", (D("123.45"),) * 12, account_id=MAIN),
    )
    plan = SpendingPlan(7, D("155.00"), (D("310.00"),))
    inputs = replace(BOOK.inputs, history=history, include_history=True, plans=(plan,))
    return replace(BOOK, inputs=inputs)


def test_the_household_is_the_sum_of_its_accounts_to_the_agora() -> None:
    book = _history_book()
    household = _path(compose(book, view_of(ACCOUNTS, None)))
    parts = [_path(compose(book, view_of(ACCOUNTS, a))) for a in (MAIN, SAVINGS)]
    assert household == {day: sum(p[day] for p in parts) for day in household}
    assert household[date(2027, 4, 15)] < D("5090.00")  # everyday spending counted


def _afford_inputs() -> ForecastInputs:
    return ForecastInputs(
        today=TODAY,
        end=inputs_end(TODAY, END, card=ISRACARD),
        opening=D("5000.00"),
        warning=D("1000.00"),
    )


@pytest.mark.parametrize(
    ("card", "lowest_date"),
    [(None, TODAY), (ISRACARD, date(2027, 2, 2))],  # on the card: its statement's charge day
)
def test_a_purchase_on_a_card_leaves_the_bank_on_the_charge_day(
    card: CardCycle | None, lowest_date: date
) -> None:
    answer = afford(_afford_inputs(), D("3000.00"), TODAY, horizon_through=END, card=card)
    assert (answer.installments, answer.lowest, answer.lowest_date) == (
        1,
        D("2000.00"),
        lowest_date,
    )


@pytest.mark.parametrize(
    ("card", "through"),
    [
        (None, date(2030, 1, 15)),  # the 36th part is due 15 December 2029
        (ISRACARD, date(2030, 2, 2)),  # ... and charged on 2 January 2030
    ],
)
def test_the_last_option_is_checked_through_a_month_after_its_last_charge(
    card: CardCycle | None, through: date
) -> None:
    answer = afford(_afford_inputs(), D("9000.00"), TODAY, horizon_through=END, card=card)
    assert (answer.installments, answer.checked_through) == (None, through)


# On the database: the household of `conftest`, today 15 January 2027.


def _account(
    session: Session, household: Household, name: str, kind: str, **card: object
) -> Account:
    draft = AccountDraft(name, kind=kind, **card)  # type: ignore[arg-type]
    return accounts.create_account(session, household, draft, today=TODAY)


def _isracard(session: Session, household: Household) -> Account:
    main = accounts.default_account(session, household)
    cycle = {"charged_to_id": main.id, "close_day": 20, "charge_day": 2}
    return _account(session, household, "Isracard", "credit_card", **cycle)


def _spend(
    session: Session,
    household: Household,
    account: Account,
    on: date,
    amount: str,
    *,
    flow: str = "expense",
    category_id: int | None = None,
) -> None:
    draft = TransactionDraft(on, D(amount), flow, category_id, account_id=account.id)  # type: ignore[arg-type]
    transactions.record_transaction(session, household, draft)


def _move(
    session: Session, household: Household, on: date, amount: str, pair: tuple[Account, Account]
) -> None:
    draft = TransferDraft(on, D(amount), pair[0].id, pair[1].id)
    transfers.record_transfer(session, household, draft)


def _read(
    session: Session, household: Household, amount: str, on: date, account: Account | None = None
) -> None:
    balance.record_balance(
        session,
        household,
        amount=D(amount),
        as_of=on,
        today=TODAY,
        account_id=account.id if account else None,
    )


def _p50(session: Session, household: Household, **options: object) -> pd.Series:
    daily = forecast_for(session, household, TODAY, **options).daily  # type: ignore[arg-type]
    return pd.Series(list(daily[P50]), index=list(daily[DATE]))


def test_each_accounts_balance_and_the_households_cash(
    session: Session, household: Household
) -> None:
    main = accounts.default_account(session, household)
    savings = _account(session, household, "Savings", "savings")
    dollars = _account(session, household, "Dollars", "savings", currency="USD")
    debit = _account(session, household, "Debit", "debit_card", charged_to_id=main.id)
    card = _isracard(session, household)
    rates.set_rate(session, household, RateDraft(date(2027, 1, 1), "USD", D("3.70")))
    _read(session, household, "5000.00", date(2027, 1, 10))
    _read(session, household, "2000.00", date(2027, 1, 1), savings)
    _spend(session, household, main, date(2027, 1, 9), "50.00")  # before Main's reading
    _spend(session, household, main, date(2027, 1, 12), "100.00")
    _spend(session, household, main, date(2027, 1, 20), "40.00")  # ahead: not yet
    _spend(session, household, card, date(2027, 1, 13), "300.00")
    _spend(session, household, card, date(2027, 1, 14), "20.00", flow="income")  # a refund
    _spend(session, household, debit, date(2027, 1, 13), "60.00")
    _move(session, household, date(2027, 1, 14), "1000.00", (main, savings))
    exchange = TransferDraft(date(2027, 1, 14), D("370.00"), main.id, dollars.id, D("100.00"))
    transfers.record_transfer(session, household, exchange)
    found = balance.account_balances(session, household, TODAY)
    assert {a: (b.amount, b.in_base) for a, b in found.items()} == {
        main.id: (D("3530.00"), D("3530.00")),  # 5,000 - 100 - 1,000 - 370
        savings.id: (D("3000.00"), D("3000.00")),
        dollars.id: (D("100.00"), D("370.00")),  # USD 100.00 at 3.70
        debit.id: (D("-60.00"), D("-60.00")),
        card.id: (D("-280.00"), D("-280.00")),  # what the card owes
    }
    assert (found[main.id].recorded, found[main.id].as_of) == (D("5000.00"), date(2027, 1, 10))
    cash = balance.current_balance(session, household, TODAY)
    assert (cash.amount, cash.as_of) == (D("6840.00"), date(2027, 1, 10))  # no card in it


def test_a_transfer_leaves_the_households_total_and_forecast_unchanged(
    session: Session, household: Household
) -> None:
    main = accounts.default_account(session, household)
    savings = _account(session, household, "Savings", "savings")
    _read(session, household, "5000.00", date(2027, 1, 10))  # today's moves come after it
    before = (
        balance.current_balance(session, household, TODAY),
        _p50(session, household, months=2),
    )
    _move(session, household, TODAY, "1200.00", (main, savings))
    _move(session, household, date(2027, 2, 1), "800.00", (main, savings))
    after = (balance.current_balance(session, household, TODAY), _p50(session, household, months=2))
    assert after[0] == before[0]
    assert after[1].equals(before[1])
    own = _p50(session, household, months=2, account_id=savings.id)
    assert (own[TODAY], own[date(2027, 2, 1)]) == (D("1200.00"), D("2000.00"))


def test_the_bank_drops_on_the_charge_day_by_the_statement_total(
    session: Session, household: Household
) -> None:
    card = _isracard(session, household)
    _read(session, household, "5000.00", date(2027, 1, 1))
    _spend(session, household, card, date(2027, 1, 5), "200.00")
    _spend(session, household, card, date(2027, 1, 13), "300.00")
    _spend(session, household, card, date(2027, 1, 25), "400.00")  # dated ahead
    path = _p50(session, household, months=3, include_history=False)
    assert [path[d] for d in (TODAY, date(2027, 1, 25), date(2027, 2, 1))] == [D("5000.00")] * 3
    assert (path[date(2027, 2, 2)], path[date(2027, 3, 1)]) == (D("4500.00"), D("4500.00"))
    assert path[date(2027, 3, 2)] == D("4100.00")
    bank = _p50(session, household, months=3, include_history=False, account_id=card.charged_to_id)
    assert bank.equals(path)
    owed = _p50(session, household, months=3, include_history=False, account_id=card.id)
    assert [owed[d] for d in (TODAY, date(2027, 1, 25), date(2027, 2, 2), date(2027, 3, 2))] == [
        D("-500.00"),
        D("-900.00"),
        D("-400.00"),
        D("0.00"),
    ]


def test_a_plan_on_a_card_lands_on_successive_charge_days(
    session: Session, household: Household
) -> None:
    card = _isracard(session, household)
    plan = installment_plans.create_plan(
        session,
        household,
        name="Laptop",
        total_amount=D("1200.00"),
        payments_count=4,
        first_payment_date=date(2027, 1, 20),
        day_of_month=20,
    )
    plan.account_id = card.id
    session.flush()
    forecast = forecast_for(session, household, TODAY, months=6, include_history=False)
    assert [(e.date, e.label, e.amount) for e in forecast.events] == [
        (date(2027, 2, 2), "Isracard", D("-300.00")),  # 20 Jan: on the statement closing then
        (date(2027, 3, 2), "Isracard", D("-300.00")),
        (date(2027, 4, 2), "Isracard", D("-300.00")),
        (date(2027, 5, 2), "Isracard", D("-300.00")),
    ]


def test_a_booked_statement_charge_is_not_forecast_again(
    session: Session, household: Household
) -> None:
    card = _isracard(session, household)
    _spend(session, household, card, date(2027, 1, 5), "200.00")
    _spend(session, household, card, date(2027, 1, 25), "400.00")
    charges = [(e.date, e.amount) for e in forecast_for(session, household, TODAY, months=3).events]
    assert charges == [(date(2027, 2, 2), D("-200.00")), (date(2027, 3, 2), D("-400.00"))]
    session.add(
        RecurringBooking(
            household_id=household.id,
            source_kind="card_statement",
            source_id=card.id,
            due_date=date(2027, 1, 20),
        )
    )
    session.flush()
    charges = [(e.date, e.amount) for e in forecast_for(session, household, TODAY, months=3).events]
    assert charges == [(date(2027, 3, 2), D("-400.00"))]


def test_card_spending_history_reaches_the_bank_on_charge_days(
    session: Session, household: Household
) -> None:
    card = _isracard(session, household)
    groceries = category_named(session, household, "Groceries").id
    for month in range(1, 13):
        _spend(session, household, card, date(2026, month, 5), "310.00", category_id=groceries)
    daily = forecast_for(session, household, TODAY, months=2).daily
    spent = {d: v for d, v in zip(daily[DATE], daily[VARIABLE], strict=True) if v}
    # 10.00 a day in January: 16-20 January on 2 February; 21 January to 20 February
    # (11 x 10.00 + 20 February days of 11.07, four of them 11.08) on 2 March
    assert spent == {date(2027, 2, 2): D("50.00"), date(2027, 3, 2): D("331.44")}


def test_the_household_forecast_is_the_sum_of_its_accounts(
    session: Session, household: Household
) -> None:
    main = accounts.default_account(session, household)
    savings = _account(session, household, "Savings", "savings")
    wallet = _account(session, household, "Wallet", "cash")
    debit = _account(session, household, "Debit", "debit_card", charged_to_id=main.id)
    card = _isracard(session, household)
    _read(session, household, "9000.00", TODAY)
    _read(session, household, "3000.00", TODAY, savings)
    names = ("Groceries", "Dining out", "Transport", "Leisure")
    categories = [category_named(session, household, n).id for n in names]
    for month in range(1, 13):
        spent = ((main, "523.17"), (card, f"{400 + 37 * month}.10"), (debit, "98.30"))
        for k, (account, amount) in enumerate((*spent, (wallet, "61.00"))):
            on = date(2026, month, 3 + k)
            _spend(session, household, account, on, amount, category_id=categories[k])
        _spend(session, household, card, date(2026, month, 9), "77.77", category_id=categories[0])
    _spend(session, household, card, date(2027, 1, 10), "250.00")
    # Transport follows its budget, less what is already known on the card this month
    budgets.set_budget(session, household, BudgetDraft(categories[2], date(2027, 1, 1), D("250")))
    budgets.set_category_settings(session, household, categories[2], forecast_mode="budget")
    _spend(session, household, card, date(2027, 1, 25), "80.00", category_id=categories[2])
    allowance = fixed.create_fixed(
        session,
        household,
        name="Allowance",
        amount=D("50.00"),
        type="expense",
        frequency="monthly",
        start_date=date(2027, 2, 1),
        day_of_month=1,
    )
    allowance.account_id = wallet.id
    session.flush()
    _move(session, household, date(2027, 2, 5), "500.00", (main, savings))
    _move(session, household, date(2027, 2, 6), "100.00", (savings, wallet))
    _move(session, household, date(2027, 3, 1), "300.00", (main, card))
    household_path = _p50(session, household)
    parts = [_p50(session, household, account_id=a.id) for a in (main, savings, wallet)]
    assert household_path.equals(parts[0] + parts[1] + parts[2])
    assert household_path.iloc[-1] < household_path.iloc[0]
    daily = forecast_for(session, household, TODAY, months=1).daily
    january = daily[daily[DATE] < date(2027, 2, 1)]
    # January's last 16 days on their own days: Groceries from Main (5 x 16.88 + 11 x 16.87),
    # Leisure from the wallet (9 x 1.97 + 7 x 1.96) and the Transport budget's 250.00 less
    # the card's 80.00 known; Dining out is on the card, charged in February, and the debit
    # card's Transport history gives way to the budget.
    assert sum(january[VARIABLE], D(0)) == D("269.97") + D("31.45") + D("170.00")


def test_an_account_of_another_household_or_none_is_refused(
    session: Session, settings: Settings, household: Household
) -> None:
    stranger = home_of(session, make_user(session, settings))
    theirs = accounts.default_account(session, stranger)
    for account_id in (theirs.id, -1):
        with pytest.raises(InvalidInputError) as refused:
            forecast_for(session, household, TODAY, account_id=account_id)
        assert refused.value.field == "account_id"


def test_readings_are_recorded_and_corrected_per_account(
    session: Session, household: Household
) -> None:
    main = accounts.default_account(session, household)
    dollars = _account(session, household, "Dollars", "savings", currency="USD")
    _read(session, household, "10.00", TODAY)
    _read(session, household, "20.00", TODAY, dollars)
    kept = balance.latest_record(session, household, account_id=dollars.id)
    assert kept is not None
    assert (kept.account_id, kept.currency) == (dollars.id, "USD")
    balance.correct_current(
        session, household, amount=D("25.00"), today=TODAY, account_id=dollars.id
    )
    with pytest.raises(MissingRateError, match="USD"):  # 25 dollars are worth no shekels yet
        balance.account_balances(session, household, TODAY)
    rates.set_rate(session, household, RateDraft(date(2027, 1, 1), "USD", D("3.70")))
    found = balance.account_balances(session, household, TODAY)
    assert (found[main.id].amount, found[dollars.id].amount) == (D("10.00"), D("25.00"))
    assert balance.current_balance(session, household, TODAY).amount == D("102.50")
    history = balance.balance_history(session, household, account_id=dollars.id)
    assert [r.amount for r in history] == [D("25.00")]


def test_affordability_of_a_purchase_on_a_card(session: Session, household: Household) -> None:
    card = _isracard(session, household)
    savings = _account(session, household, "Savings", "savings")
    _read(session, household, "5000.00", TODAY)
    lows = {
        account_id: affordability(
            session, household, TODAY, amount=D("3000.00"), on=TODAY, account_id=account_id
        ).lowest_date
        for account_id in (None, savings.id, card.id)
    }
    assert lows == {None: TODAY, savings.id: TODAY, card.id: date(2027, 2, 2)}
