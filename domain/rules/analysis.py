"""Frames for analysis (notebooks): the ledger's schema and exact monthly aggregates.

Money columns hold Decimal objects; sums, groups and pivots stay exact. Convert to float
only to draw.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal

import pandas as pd

from domain.rules.money import ZERO

DATE = "date"
MONTH = "month"
TYPE = "type"
CATEGORY = "category"
AMOUNT = "amount"
SIGNED = "signed"
DESCRIPTION = "description"
SOURCE = "source"
TRANSACTION_COLUMNS = (DATE, MONTH, TYPE, CATEGORY, AMOUNT, SIGNED, DESCRIPTION, SOURCE)
UNCATEGORISED = "(uncategorised)"


def transactions_frame(rows: Iterable[Sequence[object]]) -> pd.DataFrame:
    """Rows of (date, type, category, amount, description, source) as the analysis frame."""
    records = []
    for day, flow, category, amount, description, source in rows:
        assert isinstance(amount, Decimal)  # noqa: S101 - NUMERIC arrives as Decimal
        records.append(
            {
                DATE: day,
                MONTH: f"{day:%Y-%m}",
                TYPE: flow,
                CATEGORY: category or UNCATEGORISED,
                AMOUNT: amount,
                SIGNED: amount if flow == "income" else -amount,
                DESCRIPTION: description,
                SOURCE: source,
            }
        )
    return pd.DataFrame.from_records(records, columns=list(TRANSACTION_COLUMNS))


def _exact_sum(values: pd.Series) -> Decimal:
    return sum(values, ZERO)


def monthly_summary(frame: pd.DataFrame) -> pd.DataFrame:
    """Income, expenses and net per month, exact, with the savings rate in percent."""
    rows = []
    for month, group in frame.groupby(MONTH, sort=True):
        income = _exact_sum(group.loc[group[TYPE] == "income", AMOUNT])
        expense = _exact_sum(group.loc[group[TYPE] == "expense", AMOUNT])
        rate = ((income - expense) * 100 / income).quantize(Decimal("0.1")) if income else None
        rows.append(
            {
                MONTH: month,
                "income": income,
                "expense": expense,
                "net": income - expense,
                "savings_rate": rate,
            }
        )
    return pd.DataFrame.from_records(
        rows, columns=[MONTH, "income", "expense", "net", "savings_rate"]
    )


def spending_by_category(frame: pd.DataFrame) -> pd.DataFrame:
    """Each expense category's total, monthly median and share of all expenses, largest first."""
    expenses = frame[frame[TYPE] == "expense"]
    total = _exact_sum(expenses[AMOUNT])
    months = max(expenses[MONTH].nunique(), 1)
    rows = []
    for category, group in expenses.groupby(CATEGORY):
        by_month = sorted(_exact_sum(g[AMOUNT]) for _, g in group.groupby(MONTH))
        by_month = [ZERO] * (months - len(by_month)) + by_month
        amount = _exact_sum(group[AMOUNT])
        rows.append(
            {
                CATEGORY: category,
                "total": amount,
                "monthly_median": _median(by_month),
                "share": (amount * 100 / total).quantize(Decimal("0.1")) if total else ZERO,
            }
        )
    frame_out = pd.DataFrame.from_records(
        rows, columns=[CATEGORY, "total", "monthly_median", "share"]
    )
    return frame_out.sort_values("total", ascending=False, ignore_index=True)


def _median(values: list[Decimal]) -> Decimal:
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return ((ordered[middle - 1] + ordered[middle]) / 2).quantize(Decimal("0.01"))
