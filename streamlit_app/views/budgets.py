"""The budgets page: a month's plan per category, how each is going, a year of plan and actual."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from domain.db.models import Budget, Category
from domain.errors import DomainError
from domain.i18n import N_
from domain.rules.budgets import (
    FORECAST_MODES,
    BudgetDraft,
    BudgetKind,
    BudgetLine,
    month_of,
    next_month,
)
from domain.rules.display import display_number
from domain.services import budgets, categories
from domain.services.budgets import MonthTotals
from streamlit_app import cache
from streamlit_app.budget_charts import (
    AVAILABLE,
    BUDGET,
    EXPECTED,
    MONTH,
    NAME,
    SPENT,
    budget_bars_figure,
    budget_history_figure,
)
from streamlit_app.cache import cached
from streamlit_app.i18n import _, keyed, language, n_, show_date, show_money, show_month, show_table
from streamlit_app.session import require_household_id
from streamlit_app.views.forms import category_name, describe, household_work, money, today_of
from streamlit_app.views.grid import editable_grid, messages

COLUMNS = ["category", "amount", "only_this_month", "rollover", "forecast"]
MONTHS_BACK, MONTHS_AHEAD = 12, 3


@dataclass
class Named:
    """A category's names, as category_name reads them."""

    name: str
    name_he: str | None


MODE_WORDS = {
    "history": N_("history"),
    "budget": N_("budget"),
    "lower": N_("the lower of the two"),
}


def _mode_word(mode: object) -> str:
    return _(MODE_WORDS.get(str(mode), str(mode)))


def _pick_month(today: date) -> date:
    this = month_of(today)
    months = [next_month(this, k) for k in range(-MONTHS_BACK, MONTHS_AHEAD + 1)]
    shown = {show_month(m): m for m in months}  # the words themselves: AppTest sees them too
    picked = st.selectbox(_("Month"), list(shown), index=MONTHS_BACK, key=keyed("budgets_month"))
    return shown.get(picked or "", this)


def _rows(
    household_id: int, month: date
) -> tuple[list[Category], dict[int, Budget], dict[int, Any]]:
    with household_work(household_id) as (session, household):
        found = [c for c in categories.list_categories(session, household) if c.type == "expense"]
        applying = {b.category_id: b for b in budgets.list_budgets(session, household, month)}
        settings = {s.category_id: s for s in budgets.list_category_settings(session, household)}
    return found, applying, settings


def _frame(
    found: list[Category], applying: dict[int, Budget], settings: dict[int, Any]
) -> pd.DataFrame:
    records = []
    for c in found:
        budget, setting = applying.get(c.id), settings.get(c.id)
        records.append(
            {
                "category": category_name(c),
                "amount": display_number(budget.amount, language(), places=2) if budget else "",
                "only_this_month": bool(budget and budget.kind == "override"),
                "rollover": bool(setting and setting.rollover),
                "forecast": setting.forecast_mode if setting else "history",
            }
        )
    return pd.DataFrame.from_records(records, columns=COLUMNS)


def _column_config() -> dict[str, Any]:
    return {
        "category": st.column_config.TextColumn(_("Category"), disabled=True),
        "amount": st.column_config.TextColumn(
            _("Budget"), help=_("An amount such as 1,500; empty for no budget from this month")
        ),
        "only_this_month": st.column_config.CheckboxColumn(
            _("Only this month"), help=_("Override this month only; other months keep theirs")
        ),
        "rollover": st.column_config.CheckboxColumn(
            _("Rollover"), help=_("Carry what is left (or overspent) into the next month")
        ),
        "forecast": st.column_config.SelectboxColumn(
            _("Forecast follows"), options=list(FORECAST_MODES), format_func=_mode_word
        ),
    }


def _set_amount(
    household_id: int, month: date, category_id: int, current: Budget | None, change: dict[str, Any]
) -> None:
    """An edited amount (or a ticked override) as a standing amount or this month's override."""
    override = change.get("only_this_month", bool(current and current.kind == "override"))
    value = change.get("amount", current.amount if current else None)
    text = "" if value is None else str(value)
    with household_work(household_id) as (session, household):
        if not text.strip():
            if current is not None and current.month == month:
                budgets.delete_budget(session, household, current.id)
            elif current is not None:
                draft = BudgetDraft(category_id, month, money("0", "amount"), "standing")
                budgets.set_budget(session, household, draft)
            return
        kind: BudgetKind = "override" if override else "standing"
        draft = BudgetDraft(category_id, month, money(text, "amount"), kind)
        budgets.set_budget(session, household, draft)
        if current is not None and current.month == month and current.kind != kind:
            budgets.delete_budget(session, household, current.id)


def _save(
    household_id: int,
    month: date,
    rows: tuple[list[Category], dict[int, Budget], dict[int, Any]],
    changes: dict[str, Any],
) -> list[str]:
    found, applying, _settings = rows
    problems = []
    for position, change in changes.get("edited_rows", {}).items():
        category = found[int(position)]
        try:
            if "amount" in change or "only_this_month" in change:
                _set_amount(household_id, month, category.id, applying.get(category.id), change)
            settings = {k: change[k] for k in ("rollover", "forecast") if k in change}
            if settings:
                with household_work(household_id) as (session, household):
                    budgets.set_category_settings(
                        session,
                        household,
                        category.id,
                        rollover=settings.get("rollover"),
                        forecast_mode=settings.get("forecast"),
                    )
        except DomainError as exc:
            problems.append(f"{category_name(category)}: {describe(exc)}")
    if changes.get("added_rows") or changes.get("deleted_rows"):
        problems.append(_("Add expense categories on the Categories page."))
    return problems


def _copy(household_id: int, month: date) -> None:
    """The button's callback: copy, say how many, and start a fresh grid."""
    try:
        with household_work(household_id) as (session, household):
            count = len(budgets.copy_previous_month(session, household, month))
    except DomainError as exc:
        st.session_state["budgets_copied"] = ("error", describe(exc))
        return
    copied = n_(
        "Copied {count} amount from last month.", "Copied {count} amounts from last month.", count
    ).format(count=count)
    st.session_state["budgets_copied"] = ("success", copied)
    st.session_state["budgets_version"] = st.session_state.get("budgets_version", 0) + 1


def _copy_previous(household_id: int, month: date) -> None:
    st.button(
        _("Copy from last month"), key="budgets_copy", on_click=_copy, args=(household_id, month)
    )
    kind, text = st.session_state.pop("budgets_copied", (None, ""))
    if kind == "error":
        st.error(text)
    elif kind == "success":
        st.success(text)


@cached
def _names_of(household_id: int, data: str) -> dict[int, tuple[str, str | None]]:
    del data
    with household_work(household_id) as (session, household):
        return {c.id: (c.name, c.name_he) for c in categories.list_categories(session, household)}


def _names(household_id: int) -> dict[int, str]:
    found = _names_of(household_id, cache.version(household_id))
    return {key: category_name(Named(*names)) for key, names in found.items()}


@cached
def _month_lines(household_id: int, data: str, month: date, today: date) -> list[BudgetLine]:
    del data
    with household_work(household_id) as (session, household):
        return budgets.month_summary(session, household, month, today)


@cached
def _history_of(household_id: int, data: str, month: date, today: date) -> list[MonthTotals]:
    del data
    with household_work(household_id) as (session, household):
        return budgets.budget_history(session, household, month, today)


@cached
def _at_risk(household_id: int, data: str, today: date) -> list[BudgetLine]:
    del data
    with household_work(household_id) as (session, household):
        return budgets.at_risk(session, household, today)


def bars_frame(lines: list[BudgetLine], names: dict[int, str]) -> pd.DataFrame:
    """The bars' frame: one row per budgeted category."""
    return pd.DataFrame(
        {
            NAME: [names.get(line.category_id, str(line.category_id)) for line in lines],
            SPENT: [line.spent for line in lines],
            AVAILABLE: [line.budget + line.rollover for line in lines],
            EXPECTED: [line.expected_by_now for line in lines],
        }
    )


def _progress(household_id: int, month: date, today: date) -> None:
    lines = _month_lines(household_id, cache.version(household_id), month, today)
    if not lines:
        st.info(_("No budgets for this month yet: type amounts in the table above."))
        return
    names = _names(household_id)
    st.subheader(_("Spent against budget"))
    st.plotly_chart(budget_bars_figure(bars_frame(lines, names)), key="budgets_bars")
    rows = [
        {
            _("Category"): names.get(line.category_id, ""),
            _("Left"): show_money(line.left),
            _("Per day"): show_money(line.per_day) if line.per_day is not None else "",
            _("Heading for"): show_money(line.projected),
            _("Over by"): show_money(line.overshoot) if line.overshoot else "",
            _("Passes the budget on"): show_date(line.overshoot_day) if line.overshoot_day else "",
        }
        for line in lines
    ]
    show_table(pd.DataFrame(rows))


def _history(household_id: int, month: date, today: date) -> None:
    found = _history_of(household_id, cache.version(household_id), month, today)
    if not found:
        return
    st.subheader(_("Budget against actual, 12 months"))
    frame = pd.DataFrame(
        {
            MONTH: [t.month for t in found],
            BUDGET: [t.budget for t in found],
            SPENT: [t.spent for t in found],
        }
    )
    st.plotly_chart(budget_history_figure(frame), key="budgets_history")


def at_risk_panel(household_id: int, today: date) -> None:
    """Home: the three budgets heading furthest over this month (nothing without budgets)."""
    risky = _at_risk(household_id, cache.version(household_id), today)
    if not risky:
        return
    names = _names(household_id)
    st.subheader(_("Budgets most at risk"))
    for column, line in zip(st.columns(len(risky)), risky, strict=True):
        column.metric(
            names.get(line.category_id, ""),
            show_money(line.left),
            delta=_("heading for {amount}").format(amount=show_money(line.projected)),
            delta_color="inverse" if line.overshoot else "off",
            help=_("Left of {budget} this month").format(
                budget=show_money(line.budget + line.rollover)
            ),
        )


def budgets_page() -> None:
    """Render the budgets page."""
    household_id = require_household_id()
    today = today_of(household_id)
    st.title(_("Budgets"))
    st.caption(
        _(
            "A monthly amount per expense category: it stands from the month you set it on "
            "until you change it; tick Only this month to change one month alone."
        )
    )
    month = _pick_month(today)
    _copy_previous(household_id, month)
    for message in messages("budgets"):
        st.error(message)
    rows = _rows(household_id, month)
    editable_grid(
        _frame(*rows),
        name="budgets",
        column_config=_column_config(),
        num_rows="fixed",
        save=lambda changes: _save(household_id, month, rows, changes),
    )
    _progress(household_id, month, today)
    _history(household_id, month, today)
