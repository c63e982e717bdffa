"""What pages compute, cached by (household, data version): a rerun recomputes nothing unchanged.

The data version (domain.services.versions) is read once per run, by the sidebar's alert
badge before the page runs, and kept in the session; every cached function takes it as
an argument, so any write to the household's money (by any member, the API or the
scheduler) starts a new entry. Writes made by a page happen in callbacks, before the run
reads the version, or are followed by a rerun. The TTL bounds what a version read could
miss (a long transaction that started earlier and commits later with older stamps).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, ParamSpec, TypeVar

import streamlit as st
from sqlalchemy.orm import Session

from domain.db.models import Household
from domain.rules.forecast import Forecast
from domain.services.forecasting import forecast_for
from domain.services.household_settings import WEEKDAY, get_household_settings
from domain.services.versions import data_version
from streamlit_app.views.forms import household_work

VERSION = "cashflow_data_version"
TTL_SECONDS = 600
MAX_ENTRIES = 64

P = ParamSpec("P")
R = TypeVar("R")


def cached(func: Callable[P, R]) -> Callable[P, R]:
    """`st.cache_data` with the house's TTL and size, no spinner (it would flash on hits)."""
    wrapped: Any = st.cache_data(ttl=TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner=False)
    result: Callable[P, R] = wrapped(func)
    return result


def shared(func: Callable[P, R]) -> Callable[P, R]:
    """`st.cache_resource` for results too large to copy on each hit (Plotly figures).

    Every session gets the same object: callers only draw it, never change it.
    """
    wrapped: Any = st.cache_resource(ttl=TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner=False)
    result: Callable[P, R] = wrapped(func)
    return result


def read_version(session: Session, household: Household) -> str:
    """Read the household's data version inside a unit of work and keep it for this run."""
    found = data_version(session, household)
    st.session_state[VERSION] = (household.id, found)
    return found


def version(household_id: int) -> str:
    """This run's data version of the household (read now when the run has none yet)."""
    kept = st.session_state.get(VERSION)
    if isinstance(kept, tuple) and kept[0] == household_id:
        return str(kept[1])
    with household_work(household_id) as (session, household):
        return read_version(session, household)


@shared
def forecast(
    household_id: int,
    data: str,
    today: date,
    *,
    months: int | None = None,
    include_history: bool | None = None,
    account_id: int | None = None,
) -> Forecast:
    """The household's forecast (or one account's) for `data` (its version), once per input.

    Shared, not copied: a heavy household's forecast takes longer to unpickle than the
    pages take to draw from it, and nothing changes a forecast once built.
    """
    del data  # the key: a new version is a new entry
    with household_work(household_id) as (session, household):
        return forecast_for(
            session,
            household,
            today,
            months=months,
            include_history=include_history,
            account_id=account_id,
        )


@dataclass(frozen=True)
class ForecastSettings:
    """The household's settings the forecast pages read."""

    months: int
    include_history: bool
    warning: Decimal
    week_start: int  # a Python weekday


@cached
def forecast_settings(household_id: int, data: str) -> ForecastSettings:
    """The household's forecast settings for `data` (the version)."""
    del data
    with household_work(household_id) as (session, household):
        prefs = get_household_settings(session, household)
        return ForecastSettings(
            months=prefs.forecast_horizon_months,
            include_history=prefs.include_history,
            warning=prefs.warning_threshold,
            week_start=WEEKDAY[prefs.week_start],
        )


def home_forecast(
    household_id: int, data: str, today: date, account_id: int | None = None
) -> Forecast:
    """The forecast under the household's own settings, as the home page shows it."""
    prefs = forecast_settings(household_id, data)
    return forecast(
        household_id,
        data,
        today,
        months=prefs.months,
        include_history=prefs.include_history,
        account_id=account_id,
    )
