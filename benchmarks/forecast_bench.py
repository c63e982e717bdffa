"""The forecast end to end against merely reading its rows, interleaved round by round.

One warm process: the product's engine and pool and one plain psycopg connection are opened
and each path is run once, untimed, before the rounds. Each round times one forecast, then
one read, each in its own transaction, rolled back.
"""

from __future__ import annotations

import statistics
import time
from collections import Counter
from dataclasses import dataclass, field

import psycopg
from sqlalchemy.orm import Session, sessionmaker

from benchmarks.forecast_parts import ForecastParts, measure_forecast_parts
from benchmarks.forecast_read import Connection, ReadSample, read_inputs
from benchmarks.forecast_rows import TODAY
from domain.db.engine import create_db_engine, libpq_url, make_session_factory
from domain.rules.forecast import Forecast
from domain.services.forecasting import forecast_for
from domain.services.households import get_household

MONTHS = 36


class ForecastMismatchError(RuntimeError):
    """A round computed or read something else than the first one."""


@dataclass(frozen=True)
class ForecastShape:
    """What the forecast worked on and produced."""

    days: int
    paths: int
    sources: dict[str, int]
    events: int
    future: int
    keys: int
    history: int


@dataclass
class ForecastComparison:
    """Every round's seconds of both sides, what they worked on, and the breakdown."""

    shape: ForecastShape
    rows: dict[str, int]
    parts: ForecastParts
    forecast_seconds: list[float] = field(default_factory=list)
    read_seconds: list[float] = field(default_factory=list)

    @property
    def forecast(self) -> float:
        """The forecast's median seconds."""
        return statistics.median(self.forecast_seconds)

    @property
    def read(self) -> float:
        """The read's median seconds."""
        return statistics.median(self.read_seconds)

    @property
    def ratio(self) -> float:
        """The forecast's median over the read's."""
        return self.forecast / self.read


def shape_of(forecast: Forecast) -> ForecastShape:
    """The forecast's size: days, paths, sources by kind, events, keys, history."""
    inputs = forecast.inputs
    return ForecastShape(
        days=len(forecast.daily),
        paths=inputs.paths,
        sources=dict(Counter(spec.info.kind for spec in inputs.specs)),
        events=len(forecast.events),
        future=len(inputs.transactions),
        keys=len(inputs.booked_keys),
        history=len([h for h in inputs.history if h.monthly]),
    )


def time_forecast(factory: sessionmaker[Session], household_id: int) -> tuple[float, Forecast]:
    """The product's forecast end to end: session, household, inputs, engine; rolled back."""
    started = time.perf_counter()
    with factory() as session:
        household = get_household(session, household_id)
        forecast = forecast_for(session, household, TODAY, months=MONTHS)
        session.rollback()
    return time.perf_counter() - started, forecast


def _round(
    factory: sessionmaker[Session], conn: Connection, household_id: int, first: Forecast
) -> tuple[float, ReadSample]:
    """One forecast, then one read; the forecast must equal the first one."""
    seconds, forecast = time_forecast(factory, household_id)
    if not forecast.daily.equals(first.daily):
        raise ForecastMismatchError("a round's forecast differs from the first one")
    return seconds, read_inputs(conn, household_id)


def compare_forecast(url: str, household_id: int, *, rounds: int) -> ForecastComparison:
    """Warm both paths, run the rounds interleaved, then time the forecast's parts."""
    engine = create_db_engine(url)
    try:
        factory = make_session_factory(engine)
        with psycopg.connect(libpq_url(url), autocommit=True) as conn:
            _, first = time_forecast(factory, household_id)
            warm = read_inputs(conn, household_id)
            parts = measure_forecast_parts(factory, household_id, TODAY, months=MONTHS)
            result = ForecastComparison(shape_of(first), warm.rows, parts)
            for _ in range(rounds):
                seconds, read = _round(factory, conn, household_id, first)
                if read.rows != warm.rows:
                    raise ForecastMismatchError(f"a round read {read.rows}, not {warm.rows}")
                result.forecast_seconds.append(seconds)
                result.read_seconds.append(read.seconds)
    finally:
        engine.dispose()
    return result
