"""Dashboard figures: actual series, breakdowns, upcoming payments, summaries, health."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Literal

from sqlalchemy import ColumnElement, Date, case, cast, func, select
from sqlalchemy.orm import Session

from domain.db.cards import cycle_of
from domain.db.currency import in_base, require_rates
from domain.db.forecast_inputs import has_any_data
from domain.db.models import Account, Category, Household, Transaction
from domain.errors import InvalidInputError, NotFoundError
from domain.rules.card_views import Exposure
from domain.rules.cards import charge_date, previous_close, statement_close
from domain.rules.currency import RateTable, convert
from domain.rules.forecast import Event, expected_events
from domain.rules.forecast_views import Summary, summarize
from domain.rules.money import CENT, ZERO
from domain.rules.recurrence import add_months
from domain.services import accounts, installment_plans, loans, statements
from domain.services.balance import (
    AccountBalance,
    account_balances,
    balances_of,
    current_balance,
    daily_movements,
)
from domain.services.forecasting import account_view, forecast_for, gather_inputs
from domain.services.household_settings import WEEKDAY, get_household_settings
from domain.services.rates import base_currency, rate_table

SeriesPeriod = Literal["week", "month", "quarter"]
UPCOMING_DAYS = 30


def _moved(
    household: Household, start: date, end: date, account_id: int | None
) -> list[ColumnElement[bool]]:
    """The household's transactions dated in [start, end), of one account when given."""
    where = [
        Transaction.household_id == household.id,
        Transaction.date >= start,
        Transaction.date < end,
    ]
    if account_id is not None:
        where.append(Transaction.account_id == account_id)
    return where


def _check_account(session: Session, household: Household, account_id: int | None) -> None:
    """Refuse a filter naming an account that is not the household's, as the forecast does."""
    if account_id is None:
        return
    try:
        accounts.get_account(session, household, account_id)
    except NotFoundError as exc:
        raise InvalidInputError("account_id", "no such account") from exc


@dataclass(frozen=True)
class SeriesRow:
    """Actual income and expenses of one period."""

    start: date
    income: Decimal
    expense: Decimal
    net: Decimal


def actual_series(
    session: Session,
    household: Household,
    period: SeriesPeriod,
    start: date,
    end: date,
    *,
    week_start: int = 0,
    account_id: int | None = None,
) -> list[SeriesRow]:
    """Income, expenses and net per week, month or quarter over [start, end), from SQL.

    Of one account when `account_id` is given (transfers are never income or expense).

    Weeks begin on `week_start` (a Python weekday: 0 Monday, 6 Sunday); PostgreSQL's own
    weeks begin on Monday, so the dates are shifted into its weeks and back.
    """
    shift = timedelta(days=(7 - week_start) % 7 if period == "week" else 0)
    bucket = cast(func.date_trunc(period, Transaction.date + shift) - shift, Date)
    base = base_currency(household)
    amount = in_base(base)
    income = func.coalesce(func.sum(case((Transaction.type == "income", amount))), ZERO)
    expense = func.coalesce(func.sum(case((Transaction.type == "expense", amount))), ZERO)
    where = _moved(household, start, end, account_id)
    require_rates(session, base, *where)
    rows = session.execute(
        select(bucket, income, expense).where(*where).group_by(bucket).order_by(bucket)
    ).all()
    return [SeriesRow(r[0], r[1], r[2], r[1] - r[2]) for r in rows]


SERIES_COUNTS: dict[SeriesPeriod, int] = {"week": 12, "month": 12, "quarter": 8}


def recent_series(
    session: Session,
    household: Household,
    today: date,
    period: SeriesPeriod,
    *,
    account_id: int | None = None,
) -> list[SeriesRow]:
    """The last 12 weeks, 12 months or 8 quarters up to today, this one included.

    The window starts where a period starts (the household's first day of the week, Sunday by
    default; the first of a month or of a quarter), so its first bar is a whole period.
    """
    _check_account(session, household, account_id)
    count = SERIES_COUNTS[period]
    week_start = WEEKDAY[get_household_settings(session, household).week_start]
    if period == "week":
        into_week = (today.weekday() - week_start) % 7
        start = today - timedelta(days=into_week + 7 * (count - 1))
    else:
        step = 3 if period == "quarter" else 1
        first_month = today.month - (today.month - 1) % step
        year, month = add_months(today.year, first_month, -step * (count - 1))
        start = date(year, month, 1)
    end = today + timedelta(days=1)
    return actual_series(
        session, household, period, start, end, week_start=week_start, account_id=account_id
    )


@dataclass(frozen=True)
class CategoryShare:
    """A category's total over a range and its share of the whole."""

    category_id: int | None
    name: str
    color: str
    total: Decimal
    share: Decimal


def category_breakdown(
    session: Session,
    household: Household,
    start: date,
    end: date,
    *,
    flow: str = "expense",
    account_id: int | None = None,
) -> list[CategoryShare]:
    """Totals per category over [start, end) in the base currency, largest first."""
    _check_account(session, household, account_id)
    base = base_currency(household)
    total = func.sum(in_base(base))
    where = [*_moved(household, start, end, account_id), Transaction.type == flow]
    require_rates(session, base, *where)
    rows = session.execute(
        select(Category.id, Category.name, Category.color, total)
        .select_from(Transaction)
        .outerjoin(Category, Category.id == Transaction.category_id)
        .where(*where)
        .group_by(Category.id, Category.name, Category.color)
        .order_by(total.desc())
    ).all()
    whole = sum((r[3] for r in rows), ZERO)
    return [
        CategoryShare(
            r[0],
            r[1] or "Uncategorised",
            r[2] or "#757575",
            r[3],
            (r[3] / whole * 100).quantize(Decimal("0.1")) if whole else ZERO,
        )
        for r in rows
    ]


def top_expenses(
    session: Session,
    household: Household,
    start: date,
    end: date,
    *,
    limit: int = 10,
    account_id: int | None = None,
) -> list[Transaction]:
    """The largest expenses over [start, end), compared in the base currency."""
    _check_account(session, household, account_id)
    base = base_currency(household)
    where = [*_moved(household, start, end, account_id), Transaction.type == "expense"]
    require_rates(session, base, *where)
    return list(
        session.scalars(
            select(Transaction)
            .where(*where)
            .order_by(in_base(base).desc(), Transaction.id)
            .limit(limit)
        )
    )


def upcoming_payments(
    session: Session, household: Household, today: date, *, account_id: int | None = None
) -> list[Event]:
    """Known movements in the next 30 days (recurring and future-dated), in date order.

    One account's (`account_id`) as its forecast path sees them: a bank account's include
    the statements of the cards charged to it, on their charge days.
    """
    _check_account(session, household, account_id)
    inputs = gather_inputs(session, household, today, months=2, account_id=account_id)
    end = today + timedelta(days=UPCOMING_DAYS + 1)
    return [e for e in expected_events(inputs) if e.date < end]


@dataclass(frozen=True)
class InstallmentsSummary:
    """All installment plans at a glance; `monthly_amount` is what the active ones cost a month."""

    plans: int
    active: int
    remaining_amount: Decimal
    monthly_amount: Decimal


def installments_summary(
    session: Session, household: Household, *, account_id: int | None = None
) -> InstallmentsSummary:
    """How many plans (on one account when given), how many running, what is left to pay."""
    _check_account(session, household, account_id)
    plans = [
        plan
        for plan in installment_plans.list_plans(session, household)
        if account_id is None or plan.account_id == account_id
    ]
    table = rate_table(session, household)
    remaining, monthly, active = ZERO, ZERO, 0
    for plan in plans:
        progress = installment_plans.progress(session, plan)
        left = _latest_in_base(progress.remaining_amount, plan.currency, table)
        remaining += left
        if progress.remaining_count:
            active += 1
            monthly += (left / progress.remaining_count).quantize(CENT)
    return InstallmentsSummary(
        plans=len(plans), active=active, remaining_amount=remaining, monthly_amount=monthly
    )


def _latest_in_base(amount: Decimal, currency: str, table: RateTable) -> Decimal:
    """A plan's or loan's amount still ahead, at the latest rate held (future rates are unknown)."""
    return convert(amount, currency, date.max, table).base_amount


@dataclass(frozen=True)
class LoansSummary:
    """All loans at a glance."""

    loans: int
    remaining_balance: Decimal
    monthly_payment: Decimal


def loans_summary(
    session: Session, household: Household, today: date, *, account_id: int | None = None
) -> LoansSummary:
    """How many loans (paid from one account when given), the balance left, the monthly cost."""
    _check_account(session, household, account_id)
    table = rate_table(session, household)
    found = [
        (loans.status(session, loan, today), loan.currency)
        for loan in loans.list_loans(session, household)
        if account_id is None or loan.account_id == account_id
    ]
    return LoansSummary(
        loans=len(found),
        remaining_balance=sum(
            (_latest_in_base(s.remaining_balance, c, table) for s, c in found), ZERO
        ),
        monthly_payment=sum(
            (_latest_in_base(s.payment, c, table) for s, c in found if s.next_date), ZERO
        ),
    )


def month_bounds(today: date) -> tuple[date, date]:
    """The first day of this month and of the next."""
    start = today.replace(day=1)
    return start, date(*add_months(start.year, start.month, 1), 1)


@dataclass(frozen=True)
class Kpis:
    """The dashboard's headline figures."""

    balance: Decimal
    month_income: Decimal
    month_expense: Decimal
    month_net: Decimal
    forecast: Summary
    has_data: bool = True


def has_data(session: Session, household: Household) -> bool:
    """False for an empty account: no transaction, no balance reading, no recurring source."""
    return has_any_data(session, household.id)


def kpis(
    session: Session,
    household: Household,
    today: date,
    *,
    summary: Summary | None = None,
    account_id: int | None = None,
) -> Kpis:
    """Current balance, this month so far, and the forecast's end and lowest point.

    One account's (`account_id`): its balance in the base currency, its own income and
    expenses and its forecast path.
    """
    _check_account(session, household, account_id)
    start, end = month_bounds(today)
    through = min(end, today + timedelta(days=1))
    month = actual_series(session, household, "month", start, through, account_id=account_id)
    income = month[0].income if month else ZERO
    expense = month[0].expense if month else ZERO
    return Kpis(
        balance=_balance(session, household, today, account_id),
        month_income=income,
        month_expense=expense,
        month_net=income - expense,
        forecast=summary
        or summarize(forecast_for(session, household, today, account_id=account_id)),
        has_data=has_data(session, household),
    )


def _balance(
    session: Session, household: Household, today: date, account_id: int | None
) -> Decimal:
    """The household's cash, or one account's balance, in the base currency."""
    if account_id is None:
        return current_balance(session, household, today).amount
    return account_balances(session, household, today)[account_id].in_base


@dataclass(frozen=True)
class Health:
    """A 0-100 score and the parts it is made of; no score without enough history."""

    status: Literal["ok", "not_enough_data"]
    score: int | None
    reason: str | None
    savings_rate: Decimal
    buffer_months: Decimal
    debt_ratio: Decimal
    stays_above_warning: bool
    formula: str


HEALTH_FORMULA = (
    "score = 40 x min(savings rate / 20%, 1) + 30 x min(buffer months / 3, 1) "
    "+ 20 x (1 - min(max(debt ratio - 10%, 0) / 30%, 1)) + 10 if the forecast stays above "
    "the warning level; savings rate = net / income over the last 3 whole months; buffer "
    "months = current balance / average monthly expenses; debt ratio = monthly installment "
    "and loan payments / average monthly income"
)
NOT_ENOUGH_DATA = (
    "Not enough data yet: the score needs income or expenses recorded in the last 3 whole months."
)


def _ratio(part: Decimal, whole: Decimal) -> Decimal:
    return (part / whole).quantize(Decimal("0.001")) if whole > 0 else ZERO


def financial_health(
    session: Session, household: Household, today: date, *, summary: Summary | None = None
) -> Health:
    """The score, computed exactly as HEALTH_FORMULA states, once there is history to judge."""
    this_month = today.replace(day=1)
    start = date(*add_months(this_month.year, this_month.month, -3), 1)
    months = actual_series(session, household, "month", start, this_month)
    income = sum((m.income for m in months), ZERO)
    expense = sum((m.expense for m in months), ZERO)
    savings = _ratio(income - expense, income)
    balance = current_balance(session, household, today).amount
    buffer = _ratio(balance, expense / 3) if expense else Decimal(3)
    monthly_debt = sum((p.amount for p in _monthly_debt(session, household)), ZERO)
    debt = _ratio(monthly_debt, income / 3) if income else ZERO
    summary = summary or summarize(forecast_for(session, household, today))
    above = summary.first_below_warning is None
    if not months:
        return Health(
            "not_enough_data", None, NOT_ENOUGH_DATA, savings, buffer, debt, above, HEALTH_FORMULA
        )
    score = (
        40 * min(max(savings, ZERO) / Decimal("0.2"), Decimal(1))
        + 30 * min(max(buffer, ZERO) / 3, Decimal(1))
        + 20 * (1 - min(max(debt - Decimal("0.1"), ZERO) / Decimal("0.3"), Decimal(1)))
        + (10 if above else 0)
    )
    return Health("ok", int(score), None, savings, buffer, debt, above, HEALTH_FORMULA)


@dataclass(frozen=True)
class MonthlyDebt:
    """A plan's or loan's monthly payment."""

    name: str
    amount: Decimal


def _monthly_debt(session: Session, household: Household) -> list[MonthlyDebt]:
    found = []
    table = rate_table(session, household)
    for plan in installment_plans.list_plans(session, household):
        progress = installment_plans.progress(session, plan)
        if progress.remaining_count and plan.type == "expense":
            left = _latest_in_base(progress.remaining_amount, plan.currency, table)
            found.append(MonthlyDebt(plan.name, left / progress.remaining_count))
    for loan in loans.list_loans(session, household):
        periods = loans.breakdown(session, loan)
        if periods:
            payment = _latest_in_base(periods[0].payment, loan.currency, table)
            found.append(MonthlyDebt(loan.name, payment))
    return found


def past_balances(
    session: Session,
    household: Household,
    today: date,
    *,
    days: int = 90,
    account_id: int | None = None,
) -> list[tuple[date, Decimal]]:
    """The household's cash at the end of each of the last days, walked back from today's.

    A card purchase moves it on its statement's charge day, not on the purchase day.
    With `account_id`, what that account's forecast follows (`forecasting.account_view`):
    a bank with its debit cards, paying its cards on their charge days; a card alone.
    """
    start = today - timedelta(days=days)
    window = (start + timedelta(days=1), today + timedelta(days=1))
    if account_id is None:
        nets = daily_movements(session, household, *window)
        balance = current_balance(session, household, today).amount
    else:
        own = account_view(session, household, account_id, today).own
        nets = daily_movements(session, household, *window, accounts=own)
        held = account_balances(session, household, today)
        balance = sum((held[i].in_base for i in own), ZERO)
    found = []
    day = today
    while day >= start:
        found.append((day, balance))
        balance -= nets.get(day, ZERO)
        day -= timedelta(days=1)
    return found[::-1]


@dataclass(frozen=True)
class CardFigures:
    """A credit card at a glance: its exposure and the next charge to its bank."""

    exposure: Exposure
    next_charge_date: date
    next_charge_amount: Decimal


@dataclass(frozen=True)
class AccountFigures:
    """An account with its figures: the current balance and, for a credit card, its card's."""

    account: Account
    balance: AccountBalance
    card: CardFigures | None


def next_charge(card: Account, exposure: Exposure, today: date) -> tuple[date, Decimal]:
    """The next charge of a card to its bank: a closed statement's still to come, else the open one.

    A closed statement with nothing to pay books no money, so the open one is next then.
    """
    cycle = cycle_of(card)
    open_close = statement_close(cycle, today)
    if exposure.awaiting_charge > ZERO:
        return charge_date(cycle, previous_close(cycle, open_close)), exposure.awaiting_charge
    return charge_date(cycle, open_close), exposure.open_statement


def _card_figures(
    session: Session, household: Household, card: Account, today: date
) -> CardFigures | None:
    if card.kind != "credit_card":
        return None
    exposure = statements.card_exposure(session, household, card, today)
    day, amount = next_charge(card, exposure, today)
    return CardFigures(exposure, day, amount)


def account_figures(
    session: Session, household: Household, found: list[Account], today: date
) -> list[AccountFigures]:
    """The accounts given (the household's), each with its balance and card figures on `today`."""
    balances = balances_of(session, household, found, today)
    return [
        AccountFigures(a, balances[a.id], _card_figures(session, household, a, today))
        for a in found
    ]
