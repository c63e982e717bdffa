"""The forecast engine: a daily balance path with a P10 to P90 band, from pure inputs.

Amounts run as integer agorot (int64) inside the engine and come out as Decimal; no
float ever touches money. The schema of the daily frame is in `DAILY_COLUMNS`.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import pandas as pd

from domain.rules.currency import RateTable, convert, explain_conversion
from domain.rules.money import CENT, ZERO
from domain.rules.occurrences import SourceSpec, occurrences
from domain.rules.recurrence import DateRange

# Column names of the daily frame, in one place.
DATE = "date"
P50 = "p50"
P10 = "p10"
P90 = "p90"
INCOME = "income"
EXPENSE = "expense"
VARIABLE = "variable"
PROB_BELOW_ZERO = "prob_below_zero"
PROB_BELOW_WARNING = "prob_below_warning"
DAILY_COLUMNS = (
    DATE,
    P50,
    P10,
    P90,
    INCOME,
    EXPENSE,
    VARIABLE,
    PROB_BELOW_ZERO,
    PROB_BELOW_WARNING,
)
HISTORY_MONTHS = 12
DEFAULT_PATHS = 400


@dataclass(frozen=True)
class Event:
    """A known movement on a day: + income, - expense."""

    date: date
    amount: Decimal
    label: str
    kind: str
    category_id: int | None = None
    source_id: int | None = None
    due: dt.date | None = None  # a recurring occurrence's own due date (it may be overdue)
    account_id: int | None = None  # where it moves money; None: the household's default


@dataclass(frozen=True)
class CategoryHistory:
    """A category's variable spending per month over the last 12 months, oldest first."""

    category_id: int | None
    name: str
    monthly: tuple[Decimal, ...]
    account_id: int | None = None  # the account it was spent from; None: the default

    def median(self) -> Decimal:
        """The median month (mean of the middle two when even)."""
        ordered = sorted(self.monthly)
        if not ordered:
            return ZERO
        middle = len(ordered) // 2
        if len(ordered) % 2:
            return ordered[middle]
        return ((ordered[middle - 1] + ordered[middle]) / 2).quantize(CENT)


@dataclass(frozen=True)
class SpendingPlan:
    """A category whose everyday spending follows its budget instead of its history.

    `rest_of_month` is spread over the days after today in today's month; `later` holds
    each following month's amount (the last one repeats).
    """

    category_id: int
    rest_of_month: Decimal
    later: tuple[Decimal, ...]


@dataclass(frozen=True)
class Deferral:
    """An account whose everyday spending reaches this path later, in lumps (a credit card).

    Spending dated in (closes[k-1], closes[k]] lands on lands[k]; after the last close it
    lands beyond the horizon. With `own_days` the path is the account's own: the spending
    shows on its own days and each lump pays it back.
    """

    account_id: int
    closes: tuple[date, ...]
    lands: tuple[date, ...]
    own_days: bool = False


@dataclass(frozen=True)
class ForecastInputs:
    """Everything a forecast needs; `end` is exclusive, the path starts at `today`."""

    today: date
    end: date
    opening: Decimal
    transactions: tuple[Event, ...] = ()
    specs: tuple[SourceSpec, ...] = ()
    booked_keys: frozenset[tuple[str, int, date]] = frozenset()
    history: tuple[CategoryHistory, ...] = ()
    warning: Decimal = ZERO
    include_history: bool = True
    plans: tuple[SpendingPlan, ...] = ()
    seed: int = 0
    paths: int = DEFAULT_PATHS
    # The owner's rates: a source in another currency converts at the latest rate held
    # and says so in its description. None only in tests of single-currency inputs.
    rates: RateTable | None = None
    # The accounts whose recurring sources this path expands (a source without an account
    # always); None: every source. Others reach the path already placed, or not at all.
    accounts: frozenset[int] | None = None
    # Everyday spending of these accounts reaches the path on later days.
    deferrals: tuple[Deferral, ...] = ()
    # Known items outside this path's own events that budgets are also net of (a card
    # purchase in a budgeted category, placed on its statement).
    plan_events: tuple[Event, ...] = ()


@dataclass(frozen=True)
class Forecast:
    """A computed forecast: the daily frame and the known events behind it."""

    inputs: ForecastInputs
    daily: pd.DataFrame
    events: tuple[Event, ...] = field(default=())


def _cents(amount: Decimal) -> int:
    return int(amount.scaleb(2).to_integral_value())


def _money(cents: int) -> Decimal:
    return Decimal(int(cents)).scaleb(-2).quantize(CENT)


def follows(inputs: ForecastInputs, account_id: int | None) -> bool:
    """Whether this path expands the sources of an account."""
    return inputs.accounts is None or account_id is None or account_id in inputs.accounts


def occurrence_events(spec: SourceSpec, inputs: ForecastInputs) -> list[Event]:
    """A source's occurrences not booked yet, up to the horizon, as signed events.

    Overdue ones (due but not booked yet) are expected today: the scheduler books them
    on their own dates, which are already in the opening balance's past; `due` keeps it.
    """
    info = spec.info
    begin = info.booked_through + timedelta(days=1) if info.booked_through else None
    events = []
    for o in occurrences(spec, DateRange(begin or date(1, 1, 1), inputs.end)):
        if (o.kind, o.source_id, o.due_date) in inputs.booked_keys:
            continue
        sign = 1 if o.type == "income" else -1
        amount, description = _in_base(o.amount, o.currency, o.description, inputs)
        events.append(
            Event(
                max(o.due_date, inputs.today),
                amount * sign,
                description,
                o.kind,
                o.category_id,
                o.source_id,
                due=o.due_date,
                account_id=o.account_id,
            )
        )
    return events


def expected_events(inputs: ForecastInputs) -> list[Event]:
    """Every recurring occurrence not booked yet up to the horizon, plus future transactions.

    Only the sources of the accounts this path follows are expanded (see `follows`).
    """
    events = list(inputs.transactions)
    for spec in inputs.specs:
        if follows(inputs, spec.info.account_id):
            events.extend(occurrence_events(spec, inputs))
    return sorted((e for e in events if inputs.today <= e.date < inputs.end), key=lambda e: e.date)


def _in_base(
    amount: Decimal, currency: str, description: str, inputs: ForecastInputs
) -> tuple[Decimal, str]:
    """A source's amount in the base currency at the latest rate, its description saying so."""
    if inputs.rates is None or currency == inputs.rates.base:
        return amount, description
    conversion = convert(amount, currency, inputs.today, inputs.rates)
    return conversion.base_amount, f"{description} ({explain_conversion(conversion)})"


def _days(inputs: ForecastInputs) -> pd.DatetimeIndex:
    return pd.date_range(inputs.today, inputs.end - timedelta(days=1), freq="D")


def _known_flows(days: pd.DatetimeIndex, events: Sequence[Event]) -> tuple[np.ndarray, np.ndarray]:
    """Income and expense agorot per day (expense positive)."""
    income = np.zeros(len(days), dtype=np.int64)
    expense = np.zeros(len(days), dtype=np.int64)
    start = days[0].date()
    for event in events:
        index = (event.date - start).days
        cents = _cents(event.amount)
        if cents >= 0:
            income[index] += cents
        else:
            expense[index] -= cents
    return income, expense


def _spread(monthly_cents: np.ndarray, days: pd.DatetimeIndex, today: date) -> np.ndarray:
    """Spread month totals (one per path and month) evenly over each month's days after today.

    Args:
        monthly_cents: shape (paths, months), agorot per calendar month of the horizon.
        days: the horizon's days.
        today: no variable spending is added on today itself.

    Returns:
        shape (paths, days): agorot per day; each whole month's parts sum to its total.
    """
    month_index = (days.year - days[0].year) * 12 + (days.month - days[0].month)
    day_in_month = days.day.to_numpy() - 1
    month_length = days.days_in_month.to_numpy()
    totals = monthly_cents[:, month_index]
    base = totals // month_length
    extra = (day_in_month < (totals % month_length)).astype(np.int64)
    daily: np.ndarray = base + extra
    daily[:, 0] = 0  # today's spending is already in the balance
    return daily


def _months_in(days: pd.DatetimeIndex) -> int:
    return (days[-1].year - days[0].year) * 12 + days[-1].month - days[0].month + 1


def _known_by_plan_month(
    inputs: ForecastInputs, events: Sequence[Event], months: int
) -> dict[int, np.ndarray]:
    """Known expenses (agorot) of each planned category per month of the horizon.

    A budget covers everything in its category; what the known items (rent booked by
    the scheduler, a future-dated purchase) take of it is not spent a second time.
    """
    planned = {plan.category_id: np.zeros(months, dtype=np.int64) for plan in inputs.plans}
    for event in (*events, *inputs.plan_events):
        if event.amount < 0 and event.category_id in planned and event.date >= inputs.today:
            k = (event.date.year - inputs.today.year) * 12 + event.date.month - inputs.today.month
            if k < months:
                planned[event.category_id][k] -= _cents(event.amount)
    return planned


def _planned(inputs: ForecastInputs, days: pd.DatetimeIndex, events: Sequence[Event]) -> np.ndarray:
    """Agorot per day that the categories following their budgets spend (no spread).

    Each month a category spends its budget less its known items that month, never
    less than nothing.
    """
    months = _months_in(days)
    known = _known_by_plan_month(inputs, events, months)
    monthly = np.zeros(months, dtype=np.int64)
    rest = 0
    for plan in inputs.plans:
        taken = known[plan.category_id]
        rest += max(0, _cents(plan.rest_of_month) - int(taken[0]))
        for k in range(1, months):
            budget = _cents(plan.later[min(k, len(plan.later)) - 1]) if plan.later else 0
            monthly[k] += max(0, budget - int(taken[k]))
    daily: np.ndarray = _spread(monthly[np.newaxis, :], days, inputs.today)[0]
    ahead = np.flatnonzero((days.month == days[0].month) & (days.year == days[0].year))[1:]
    if len(ahead):
        base, extra = divmod(rest, len(ahead))
        daily[ahead] += base
        daily[ahead[:extra]] += 1
    return daily


def _variable(
    inputs: ForecastInputs, days: pd.DatetimeIndex, events: Sequence[Event]
) -> tuple[np.ndarray, np.ndarray]:
    """The median daily variable spending, and simulated paths (bootstrapped months).

    Categories that follow a plan spend it on every path: only history makes the band.
    """
    if not inputs.include_history:
        zero = np.zeros(len(days), dtype=np.int64)
        return zero, zero[np.newaxis, :]
    planned = _planned(inputs, days, events)
    median_daily, simulated = _learned(inputs, days)
    return median_daily + planned, simulated + planned[np.newaxis, :]


def _learned(inputs: ForecastInputs, days: pd.DatetimeIndex) -> tuple[np.ndarray, np.ndarray]:
    """Variable spending learned from the categories' history (those without a plan).

    Each account's months are spread on their own, so that a path is the sum of its
    accounts' paths to the agora; a deferred account's spread then moves to its landing
    days. The simulated paths spread every account that lands on its own days together.
    """
    months = _months_in(days)
    following = {p.category_id for p in inputs.plans}
    history = [h for h in inputs.history if h.monthly and h.category_id not in following]
    if not history:
        zero = np.zeros(len(days), dtype=np.int64)
        return zero, zero[np.newaxis, :]
    accounts = list(dict.fromkeys(h.account_id for h in history))
    group = np.array([accounts.index(h.account_id) for h in history])
    deferrals = {d.account_id: d for d in inputs.deferrals}
    medians = np.array([_cents(h.median()) for h in history], dtype=np.int64)
    samples = np.array([[_cents(v) for v in h.monthly] for h in history], dtype=np.int64)
    rng = np.random.default_rng(inputs.seed)
    picks = rng.integers(0, samples.shape[1], size=(inputs.paths, months, len(history)))
    drawn = samples[np.arange(len(history)), picks]
    median_daily = np.zeros(len(days), dtype=np.int64)
    on_own_days = np.zeros(group.shape, dtype=bool)
    simulated = np.zeros((inputs.paths, len(days)), dtype=np.int64)
    for index, account in enumerate(accounts):
        members = group == index
        monthly = np.full((1, months), medians[members].sum(), dtype=np.int64)
        deferral = deferrals.get(account) if account is not None else None
        if deferral is None:
            median_daily += _spread(monthly, days, inputs.today)[0]
            on_own_days |= members
            continue
        target = _landing_days(deferral, days)
        median_daily += _deferred(monthly, days, inputs.today, target, deferral)[0]
        drawn_here = drawn[:, :, members].sum(axis=2)
        simulated += _deferred(drawn_here, days, inputs.today, target, deferral)
    if on_own_days.any():
        simulated += _spread(drawn[:, :, on_own_days].sum(axis=2), days, inputs.today)
    return median_daily, simulated


def _landing_days(deferral: Deferral, days: pd.DatetimeIndex) -> np.ndarray:
    """For each day of the horizon, the index of the day its spending lands on (-1: beyond)."""
    closes = np.array(deferral.closes, dtype="datetime64[D]")
    lands = np.array(deferral.lands, dtype="datetime64[D]")
    start = np.datetime64(days[0].date(), "D")
    k = np.searchsorted(closes, days.to_numpy().astype("datetime64[D]"), side="left")
    landing = np.append(lands, np.datetime64("NaT"))[k]
    index = (landing - start).astype("timedelta64[D]").astype(np.int64)
    valid = ~np.isnat(landing) & (index < len(days)) & (index >= 0)
    return np.where(valid, index, -1)


def _deferred(
    monthly: np.ndarray, days: pd.DatetimeIndex, today: date, target: np.ndarray, deferral: Deferral
) -> np.ndarray:
    """A deferred account's spending per path and day: its lumps (and, own_days, its days)."""
    landed = _landed(monthly, days, today, target)
    if deferral.own_days:
        owed: np.ndarray = _spread(monthly, days, today) - landed
        return owed
    return landed


def _landed(
    monthly: np.ndarray, days: pd.DatetimeIndex, today: date, target: np.ndarray
) -> np.ndarray:
    """`_spread`'s days summed onto their landing days, without spreading day by day.

    The days of one month that land together are a run from day-of-month index `a`,
    `n` long: `_spread` gives them `base * n` plus one agora each for those below the
    month's remainder, `clip(rem - a, 0, n)`; the agorot equal the spread's exactly.
    """
    landed = np.zeros((monthly.shape[0], len(days)), dtype=np.int64)
    month_index = (days.year - days[0].year) * 12 + (days.month - days[0].month)
    kept = np.flatnonzero(target >= 0)
    kept = kept[kept > 0]  # today's spending is already in the balance (see _spread)
    if not len(kept):
        return landed
    month, where = np.asarray(month_index)[kept], target[kept]
    breaks = (month[1:] != month[:-1]) | (where[1:] != where[:-1]) | (kept[1:] != kept[:-1] + 1)
    starts = np.flatnonzero(np.r_[True, breaks])
    first, runs = kept[starts], np.diff(np.r_[starts, len(kept)])
    length = days.days_in_month.to_numpy()[first]
    totals = monthly[:, month[starts]]
    offset = days.day.to_numpy()[first] - 1
    parts = (totals // length) * runs + np.clip(totals % length - offset, 0, runs)
    lands = where[starts]
    heads = np.flatnonzero(np.r_[True, lands[1:] != lands[:-1]])
    landed[:, lands[heads]] = np.add.reduceat(parts, heads, axis=1)
    return landed


def build_forecast(inputs: ForecastInputs) -> Forecast:
    """The daily P50 path, the P10 to P90 band and the chance of dipping, day by day."""
    days = _days(inputs)
    events = expected_events(inputs)
    income, expense = _known_flows(days, events)
    known = _cents(inputs.opening) + np.cumsum(income - expense)
    median_daily, simulated_daily = _variable(inputs, days, events)
    p50 = known - np.cumsum(median_daily)
    paths = known[np.newaxis, :] - np.cumsum(simulated_daily, axis=1)
    ordered = np.sort(paths, axis=0)
    low, high = ordered[int(0.1 * (len(ordered) - 1))], ordered[int(0.9 * (len(ordered) - 1))]
    warning = _cents(inputs.warning)
    frame = pd.DataFrame(
        {
            DATE: [d.date() for d in days],
            P50: [_money(v) for v in p50],
            P10: [_money(v) for v in np.minimum(low, p50)],
            P90: [_money(v) for v in np.maximum(high, p50)],
            INCOME: [_money(v) for v in income],
            EXPENSE: [_money(v) for v in expense],
            VARIABLE: [_money(v) for v in median_daily],
            PROB_BELOW_ZERO: (paths < 0).mean(axis=0).round(4),
            PROB_BELOW_WARNING: (paths < warning).mean(axis=0).round(4),
        },
        columns=list(DAILY_COLUMNS),
    )
    return Forecast(inputs, frame, tuple(events))


def median_path(inputs: ForecastInputs, events: Sequence[Event] | None = None) -> np.ndarray:
    """The P50 balance in agorot, one value per day from today: the engine without the band.

    `events` are `expected_events(inputs)` when the caller has them already.
    """
    days = _days(inputs)
    events = expected_events(inputs) if events is None else events
    income, expense = _known_flows(days, events)
    median_daily, _ = _variable(replace(inputs, paths=1), days, events)
    path: np.ndarray = _cents(inputs.opening) + np.cumsum(income - expense - median_daily)
    return path


def horizon_end(today: date, months: int) -> date:
    """The exclusive end of a horizon of whole months from today (same day of month)."""
    year, month = divmod(today.month - 1 + months, 12)
    last = calendar.monthrange(today.year + year, month + 1)[1]
    return date(today.year + year, month + 1, min(today.day, last)) + timedelta(days=1)


def first_day(frame: pd.DataFrame, below: Decimal) -> date | None:
    """The first day the P50 path is below a level, if any."""
    hits = frame.loc[frame[P50] < below, DATE]
    return None if hits.empty else hits.iloc[0]


def events_between(events: Iterable[Event], start: date, end: date) -> list[Event]:
    """Events dated in [start, end)."""
    return [e for e in events if start <= e.date < end]
