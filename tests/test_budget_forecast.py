"""The forecast follows the plan: a category's budget replaces its history when chosen."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pandas as pd
import pytest
from sqlalchemy.orm import Session

from domain.config import Settings
from domain.errors import InvalidInputError
from domain.rules.budgets import (
    BudgetDraft,
    BudgetEntry,
    change_entries,
    effective_budget,
    spending_plans,
)
from domain.rules.forecast import (
    DATE,
    P10,
    P50,
    P90,
    VARIABLE,
    CategoryHistory,
    Event,
    ForecastInputs,
    SpendingPlan,
    build_forecast,
    horizon_end,
)
from domain.rules.money import D
from domain.services import budgets
from domain.services.forecasting import compare, forecast_for
from tests.builders import category_named, make_transaction
from tests.conftest import home_of, make_user

TODAY = date(2027, 3, 10)
MARCH, APRIL = date(2027, 3, 1), date(2027, 4, 1)
SPREAD = tuple(D(v) for v in ("700", "800", "900", "1000", "1100", "900") * 2)  # median 900


def _between(daily: pd.DataFrame, start: date, end: date) -> Decimal:
    rows = daily[(daily[DATE] >= start) & (daily[DATE] < end)]
    return sum(rows[VARIABLE], D("0"))


def _inputs(*plans: SpendingPlan) -> ForecastInputs:
    return ForecastInputs(
        today=TODAY,
        end=horizon_end(TODAY, 3),
        opening=D("10000.00"),
        history=(CategoryHistory(5, "Dining out", SPREAD),),
        plans=plans,
    )


def test_with_budget_the_expected_spending_is_the_budget() -> None:
    plan = SpendingPlan(5, rest_of_month=D("350.00"), later=(D("600.00"),))
    followed = build_forecast(_inputs(plan)).daily
    learned = build_forecast(_inputs()).daily
    #  what                         history    budget
    table = [
        ("rest of March", "900", "350.00"),
        ("April", "900", "600.00"),
        ("May", "900", "600.00"),
    ]
    windows = {
        "rest of March": (TODAY, APRIL),
        "April": (APRIL, date(2027, 5, 1)),
        "May": (date(2027, 5, 1), date(2027, 6, 1)),
    }
    for what, history, budget in table:
        start, end = windows[what]
        if what != "rest of March":  # history spreads the month evenly, today excluded
            assert _between(learned, start, end) == D(history), what
        assert _between(followed, start, end) == D(budget), what
    # a category that follows its plan spends it on every path: no band is left
    assert (followed[P10] == followed[P50]).all()
    assert (followed[P90] == followed[P50]).all()
    assert (learned[P10] < learned[P90]).any()


def test_known_items_of_a_budgeted_category_are_not_spent_twice() -> None:
    """The budget covers the whole category: known items take their share of it first."""
    plan = SpendingPlan(5, rest_of_month=D("350.00"), later=(D("600.00"),))
    known = (
        Event(date(2027, 3, 20), D("-200.00"), "Concert tickets", "transaction", category_id=5),
        Event(date(2027, 4, 15), D("-450.00"), "Anniversary dinner", "transaction", category_id=5),
        Event(date(2027, 5, 5), D("-900.00"), "Wedding meal", "transaction", category_id=5),
        Event(date(2027, 4, 2), D("-999.00"), "Rent", "transaction", category_id=7),
    )
    daily = build_forecast(replace(_inputs(plan), transactions=known)).daily
    #  window            budget    known in the category    everyday spending left
    table = [
        ("rest of March", "350.00", "200.00", "150.00"),
        ("April", "600.00", "450.00", "150.00"),
        ("May", "600.00", "900.00", "0.00"),  # never below nothing
    ]
    windows = {
        "rest of March": (TODAY, APRIL),
        "April": (APRIL, date(2027, 5, 1)),
        "May": (date(2027, 5, 1), date(2027, 6, 1)),
    }
    for what, _budget, _taken, left in table:
        start, end = windows[what]
        assert _between(daily, start, end) == D(left), what


def test_lower_follows_the_budget_only_when_it_is_below_the_usual_month() -> None:
    history = [
        CategoryHistory(1, "Dining out", SPREAD),
        CategoryHistory(2, "Groceries", SPREAD),
        CategoryHistory(3, "Leisure", SPREAD),
    ]
    entries = {
        1: [BudgetEntry(MARCH, D("500.00"), "standing")],  # below the usual 900
        2: [BudgetEntry(MARCH, D("1200.00"), "standing")],  # above it
        3: [BudgetEntry(MARCH, D("1200.00"), "standing")],  # above, but mode is budget
        4: [BudgetEntry(date(2027, 4, 1), D("100.00"), "standing")],  # no budget this month
    }
    plans = spending_plans(
        today=TODAY,
        end=horizon_end(TODAY, 2),
        modes={1: "lower", 2: "lower", 3: "budget", 4: "budget"},
        entries=entries,
        spent_this_month={1: D("650.00"), 3: D("200.00")},
        history=history,
    )
    #        category  rest of month    later months
    assert plans == (
        SpendingPlan(1, D("0.00"), (D("500.00"), D("500.00"))),  # overspent: nothing left
        SpendingPlan(3, D("1000.00"), (D("1200.00"), D("1200.00"))),
    )


def test_the_users_forecast_follows_a_budget_when_told(
    session: Session, settings: Settings
) -> None:
    home = home_of(session, make_user(session, settings))
    dining = category_named(session, home, "Dining out").id
    for k in range(12):  # March 2026 to February 2027
        month = date(2026 + (2 + k) // 12, (2 + k) % 12 + 1, 1)
        make_transaction(session, home, amount="900.00", on=month, category="Dining out")
    make_transaction(session, home, amount="250.00", on=date(2027, 3, 2), category="Dining out")
    budgets.set_budget(session, home, BudgetDraft(dining, MARCH, D("600.00")))

    def april_and_rest() -> tuple[Decimal, Decimal]:
        daily = forecast_for(session, home, TODAY, months=2).daily
        return _between(daily, APRIL, date(2027, 5, 1)), _between(daily, TODAY, APRIL)

    assert april_and_rest()[0] == D("900.00")
    budgets.set_category_settings(session, home, dining, forecast_mode="budget")
    assert april_and_rest() == (D("600.00"), D("350.00"))
    budgets.set_category_settings(session, home, dining, forecast_mode="lower")
    assert april_and_rest() == (D("600.00"), D("350.00"))
    budgets.set_budget(session, home, BudgetDraft(dining, MARCH, D("1500.00")))
    assert april_and_rest()[0] == D("900.00")  # lower: the history is lower now


def test_a_budget_change_scales_every_amount_from_its_month_on() -> None:
    jan, feb, apr = date(2027, 1, 1), date(2027, 2, 1), APRIL
    entries = [
        BudgetEntry(jan, D("500.00"), "standing"),
        BudgetEntry(MARCH, D("900.00"), "override"),
        BudgetEntry(apr, D("600.00"), "standing"),
    ]
    changed = change_entries(entries, feb, Decimal("0.7"))
    #        month   before    after -30% from February
    table = [
        (jan, "500.00", "500.00"),
        (feb, "500.00", "350.00"),
        (MARCH, "900.00", "630.00"),
        (apr, "600.00", "420.00"),
    ]
    for month, before, after in table:
        assert (str(effective_budget(entries, month)), str(effective_budget(changed, month))) == (
            before,
            after,
        ), month


def test_a_scenario_that_cuts_a_budget_shows_the_gain_in_the_forecast(
    session: Session, settings: Settings
) -> None:
    home = home_of(session, make_user(session, settings))
    dining = category_named(session, home, "Dining out").id
    for k in range(12):  # March 2026 to February 2027
        month = date(2026 + (2 + k) // 12, (2 + k) % 12 + 1, 1)
        make_transaction(session, home, amount="900.00", on=month, category="Dining out")
    budgets.set_budget(session, home, BudgetDraft(dining, MARCH, D("1000.00")))
    cut = [
        {"op": "change_budget", "category_id": dining, "percent": "-30", "from_month": "2027-04"}
    ]
    both = compare(session, home, TODAY, cut, months=3)
    may = (date(2027, 5, 1), date(2027, 6, 1))
    assert _between(both.baseline.daily, APRIL, may[0]) == D("900.00")  # history: mode unset
    assert _between(both.scenario.daily, APRIL, may[0]) == D("700.00")
    assert _between(both.scenario.daily, *may) == D("700.00")
    theirs = category_named(
        session, home_of(session, make_user(session, settings)), "Dining out"
    ).id
    with pytest.raises(InvalidInputError) as refused:
        compare(session, home, TODAY, [{**cut[0], "category_id": theirs}], months=3)
    assert (refused.value.field, refused.value.index) == ("category_id", 0)
