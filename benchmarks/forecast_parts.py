"""Where the forecast's time goes: `gather_inputs` and `build_forecast` step by step.

Each step calls the product's own functions in the product's order (the private helpers of
`domain.rules.forecast` included), and the pieces are checked equal to what
`gather_inputs` and `build_forecast` return, so that the breakdown cannot drift from them
unnoticed. Times are the median of a few passes, in a rolled-back session.
"""

from __future__ import annotations

import statistics
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session, sessionmaker

from domain.db.forecast_inputs import booked_keys, future_transactions, spending_history
from domain.db.recurring import load_specs
from domain.rules import forecast as engine
from domain.rules.occurrences import SourceSpec, first_due, occurrences
from domain.rules.recurrence import DateRange
from domain.services.balance import current_balance
from domain.services.forecasting import gather_inputs
from domain.services.household_settings import get_household_settings
from domain.services.households import get_household
from domain.services.rates import rate_table

PASSES = 3
Steps = defaultdict[str, float]
SESSION_STEPS = ("session",)
GATHER_STEPS = ("settings", "load_specs", "balance", "future", "keys", "history")
BUILD_STEPS = ("expected_events", "flows", "variable", "band", "decimals", "frame")
KINDS = ("fixed", "installment", "loan")


class BreakdownMismatchError(RuntimeError):
    """The step-by-step copy no longer computes what the product computes."""


@dataclass
class ForecastParts:
    """Median seconds of each step over the passes; `expand` is expansion alone, by kind."""

    steps: dict[str, float] = field(default_factory=dict)
    expand: dict[str, float] = field(default_factory=dict)

    def total(self, names: tuple[str, ...]) -> float:
        """Seconds of the named steps together."""
        return sum(self.steps[name] for name in names)


@contextmanager
def _timed(steps: Steps, key: str) -> Iterator[None]:
    started = time.perf_counter()
    yield
    steps[key] += time.perf_counter() - started


def _unbooked_from(specs: list[SourceSpec], today: date) -> date:
    """The earliest day any source still has to book, as `gather_inputs` computes it."""
    days = [
        s.info.booked_through + timedelta(days=1) if s.info.booked_through else first_due(s)
        for s in specs
    ]
    return min(days, default=today)


def _gather(
    session: Session, household_id: int, today: date, months: int, steps: Steps
) -> engine.ForecastInputs:
    """`gather_inputs` step by step; returns the product's inputs once checked equal."""
    household = get_household(session, household_id)
    with _timed(steps, "settings"):
        warning = get_household_settings(session, household).warning_threshold
    end = engine.horizon_end(today, months)
    with _timed(steps, "load_specs"):
        specs = load_specs(session, [household.id])
    with _timed(steps, "balance"):
        opening = current_balance(session, household, today).amount
    with _timed(steps, "future"):
        table = rate_table(session, household)
        transactions = tuple(future_transactions(session, household.id, today, end, table))
    with _timed(steps, "keys"):
        keys = booked_keys(session, household.id, _unbooked_from(specs, today))
    with _timed(steps, "history"):
        history = tuple(spending_history(session, household.id, today, specs, base=table.base))
    mine = (opening, transactions, tuple(specs), keys, history, warning)
    found = gather_inputs(session, household, today, months=months)
    if mine != (found.opening, found.transactions, found.specs, found.booked_keys,
                found.history, found.warning):  # fmt: skip
        raise BreakdownMismatchError("the gathered inputs differ from gather_inputs'")
    return found


def _expand(inputs: engine.ForecastInputs, steps: Steps) -> None:
    """The recurrence expansion inside `expected_events` alone, by source kind."""
    for spec in inputs.specs:
        booked = spec.info.booked_through
        window = DateRange(booked + timedelta(days=1) if booked else date(1, 1, 1), inputs.end)
        with _timed(steps, spec.info.kind):
            occurrences(spec, window)


def _band(
    known: np.ndarray, simulated: np.ndarray, p50: np.ndarray, warning: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """P10, P90 and the chances below zero and below warning, as `build_forecast` does."""
    paths = known[np.newaxis, :] - np.cumsum(simulated, axis=1)
    ordered = np.sort(paths, axis=0)
    low, high = ordered[int(0.1 * (len(ordered) - 1))], ordered[int(0.9 * (len(ordered) - 1))]
    below_zero = (paths < 0).mean(axis=0).round(4)
    return low, high, below_zero, (paths < warning).mean(axis=0).round(4)


def _build(inputs: engine.ForecastInputs, steps: Steps) -> pd.DataFrame:
    """`build_forecast` step by step, returning its daily frame."""
    days = engine._days(inputs)
    with _timed(steps, "expected_events"):
        events = engine.expected_events(inputs)
    with _timed(steps, "flows"):
        income, expense = engine._known_flows(days, events)
        known = engine._cents(inputs.opening) + np.cumsum(income - expense)
    with _timed(steps, "variable"):
        median_daily, simulated = engine._variable(inputs, days, events)
        p50 = known - np.cumsum(median_daily)
    with _timed(steps, "band"):
        warning = engine._cents(inputs.warning)
        low, high, below_zero, below_warning = _band(known, simulated, p50, warning)
    with _timed(steps, "decimals"):
        money = engine._money
        columns = {
            engine.DATE: [d.date() for d in days],
            engine.P50: [money(v) for v in p50],
            engine.P10: [money(v) for v in np.minimum(low, p50)],
            engine.P90: [money(v) for v in np.maximum(high, p50)],
            engine.INCOME: [money(v) for v in income],
            engine.EXPENSE: [money(v) for v in expense],
            engine.VARIABLE: [money(v) for v in median_daily],
        }
    with _timed(steps, "frame"):
        extra = {engine.PROB_BELOW_ZERO: below_zero, engine.PROB_BELOW_WARNING: below_warning}
        return pd.DataFrame({**columns, **extra}, columns=list(engine.DAILY_COLUMNS))


def _session(factory: sessionmaker[Session], household_id: int, steps: Steps) -> None:
    """What the forecast costs around its inputs: pool checkout, household, rollback."""
    with _timed(steps, "session"), factory() as session:
        get_household(session, household_id)
        session.rollback()


def _pass(factory: sessionmaker[Session], household_id: int, today: date, months: int) -> Steps:
    """One pass over every step, rolled back; the copy is checked against the product."""
    steps: Steps = defaultdict(float)
    _session(factory, household_id, steps)
    with factory() as session:
        inputs = _gather(session, household_id, today, months, steps)
        session.rollback()
    _expand(inputs, steps)
    frame = _build(inputs, steps)
    if not frame.equals(engine.build_forecast(inputs).daily):
        raise BreakdownMismatchError("the step-by-step frame differs from build_forecast's")
    return steps


def measure_forecast_parts(
    factory: sessionmaker[Session], household_id: int, today: date, *, months: int
) -> ForecastParts:
    """The median seconds of each step over PASSES passes."""
    passes = [_pass(factory, household_id, today, months) for _ in range(PASSES)]
    parts = ForecastParts()
    for name in (*SESSION_STEPS, *GATHER_STEPS, *BUILD_STEPS, *KINDS):
        median = statistics.median(steps[name] for steps in passes)
        (parts.expand if name in KINDS else parts.steps)[name] = median
    return parts
