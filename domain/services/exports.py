"""Exports: the ledger as CSV, and the whole household as an Excel workbook.

Transactions are streamed from a server-side cursor into the writers, so neither the
CSV nor the workbook holds the ledger in memory.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from typing import IO, Any

from sqlalchemy.orm import Session

from domain.db import exports as reads
from domain.db.models import Household
from domain.errors import InvalidInputError
from domain.rules.currency import RateTable, convert
from domain.rules.export_csv import TRANSACTION_HEADERS, csv_chunks
from domain.rules.export_labels import Language, label
from domain.rules.forecast_views import AGGREGATE_COLUMNS, aggregate
from domain.rules.ledger import LedgerFilter
from domain.rules.money import ZERO
from domain.rules.workbook import Column, Sheet, WorkbookWriter
from domain.services import budgets, fixed, installment_plans, loans
from domain.services.forecasting import forecast_for
from domain.services.rates import rate_table

TRANSACTIONS = Sheet(
    "Transactions",
    (
        Column("Date", 12, "date"),
        Column("Type", 10, "label"),
        Column("Category", 22),
        Column("Amount", 14, "money"),
        Column("Description", 42),
        Column("Notes", 30),
        Column("Currency", 9),
        Column("Source", 10),
    ),
)
CATEGORIES = Sheet(
    "Categories",
    (
        Column("Name", 24),
        Column("Hebrew name", 24),
        Column("Type", 10, "label"),
        Column("Parent", 20),
        Column("Colour", 10),
        Column("Icon", 6),
        Column("Archived", 10, "label"),
        Column("Order", 8, "count"),
    ),
)
FIXED = Sheet(
    "Fixed items",
    (
        Column("Name", 28),
        Column("Type", 10, "label"),
        Column("Category", 20),
        Column("Amount", 14, "money"),
        Column("Frequency", 12),
        Column("Day of month", 12, "count"),
        Column("Start", 12, "date"),
        Column("End", 12, "date"),
        Column("Paused", 9, "label"),
        Column("Currency", 9),
        Column("Notes", 30),
    ),
)
PLANS = Sheet(
    "Installment plans",
    (
        Column("Name", 28),
        Column("Type", 10, "label"),
        Column("Category", 20),
        Column("Total", 14, "money"),
        Column("Payments", 10, "count"),
        Column("First payment", 13, "date"),
        Column("Paid", 8, "count"),
        Column("Remaining", 14, "money"),
        Column("Next date", 12, "date"),
        Column("Currency", 9),
    ),
)
PLAN_SCHEDULE = Sheet(
    "Installment schedule",
    (
        Column("Plan", 28),
        Column("Number", 8, "count"),
        Column("Date", 12, "date"),
        Column("Amount", 14, "money"),
        Column("Paid", 8, "label"),
    ),
)
LOANS = Sheet(
    "Loans",
    (
        Column("Name", 24),
        Column("Category", 20),
        Column("Principal", 14, "money"),
        Column("Annual rate %", 12, "rate"),
        Column("Term (months)", 12, "count"),
        Column("First payment", 13, "date"),
        Column("Method", 14),
        Column("Monthly payment", 14, "money"),
        Column("Remaining balance", 16, "money"),
        Column("Next date", 12, "date"),
    ),
)
AMORTIZATION = Sheet(
    "Loan amortization",
    (
        Column("Loan", 24),
        Column("Number", 8, "count"),
        Column("Date", 12, "date"),
        Column("Payment", 13, "money"),
        Column("Principal", 13, "money"),
        Column("Interest", 13, "money"),
        Column("Prepayment", 13, "money"),
        Column("Balance", 15, "money"),
    ),
)
FORECAST = Sheet(
    "Forecast",
    (
        Column("Month", 10),
        Column("Start", 12, "date"),
        Column("Opening", 15, "money"),
        Column("Income", 15, "money"),
        Column("Expenses", 15, "money"),
        Column("Net", 15, "money"),
        Column("Closing", 15, "money"),
        Column("Lowest", 15, "money"),
        Column("Lowest date", 12, "date"),
    ),
)
BUDGETS = Sheet(
    "Budgets",
    (
        Column("Month", 10),
        Column("Category", 22),
        Column("Budget", 14, "money"),
        Column("Rollover", 14, "money"),
        Column("Spent", 14, "money"),
        Column("Left", 14, "money"),
        Column("Projected", 14, "money"),
        Column("Over by", 14, "money"),
    ),
)
SUMMARY = Sheet(
    "Summary",
    (
        Column("Start", 12, "date"),
        Column("End", 12, "date"),
        Column("Transactions", 13, "count"),
        Column("Income", 16, "money"),
        Column("Expenses", 16, "money"),
        Column("Net", 16, "money"),
        Column("Currency", 9),
    ),
)


def check_range(spec: LedgerFilter) -> None:
    """Refuse a range whose end comes before its start."""
    if spec.start is not None and spec.end is not None and spec.end <= spec.start:
        raise InvalidInputError("date_to", "must not be before date_from")


def _transaction_rows(rows: Iterable[Any]) -> Iterator[tuple[Any, ...]]:
    """Streamed rows as plain tuples, in the sheet's column order (the query's order)."""
    return (tuple(row) for row in rows)


def export_transactions_csv(
    session: Session, household: Household, spec: LedgerFilter, *, language: Language
) -> bytes:
    """The filtered ledger as CSV bytes in the reader's language: UTF-8 with a BOM, formula-safe."""
    check_range(spec)
    rows = reads.stream_transactions(session, household.id, spec, hebrew=language == "he")
    worded = ((row[0], label(row[1], language), *row[2:]) for row in _transaction_rows(rows))
    return b"".join(csv_chunks(TRANSACTION_HEADERS, worded, language))


def export_workbook(
    session: Session, household: Household, today: date, target: IO[bytes], *, language: Language
) -> None:
    """The household as a workbook in the reader's language: ledger, sources, forecast."""
    writer = WorkbookWriter(language)
    hebrew = language == "he"
    names = reads.category_names(session, household.id, hebrew=hebrew)
    tally = _Tally(rate_table(session, household))
    rows = reads.stream_transactions(session, household.id, LedgerFilter(), hebrew=hebrew)
    writer.write_sheet(TRANSACTIONS, tally.watch(_transaction_rows(rows)))
    writer.write_sheet(CATEGORIES, _category_rows(session, household))
    writer.write_sheet(FIXED, _fixed_rows(session, household, names, today))
    plans = installment_plans.list_plans(session, household)
    writer.write_sheet(PLANS, _plan_rows(session, plans, names))
    writer.write_sheet(PLAN_SCHEDULE, _schedule_rows(session, plans))
    user_loans = loans.list_loans(session, household)
    writer.write_sheet(LOANS, _loan_rows(session, user_loans, names, today))
    writer.write_sheet(AMORTIZATION, _amortization_rows(session, user_loans))
    writer.write_sheet(FORECAST, _forecast_rows(session, household, today))
    writer.write_sheet(BUDGETS, _budget_rows(session, household, names, today))
    writer.write_sheet(SUMMARY, [tally.row()])
    writer.save(target)


class _Tally:
    """Running totals of the rows streamed past, for the summary sheet (constant memory).

    Each row's amount is converted to the base currency at its date's rate first: a
    summary never adds dollars to shekels.
    """

    def __init__(self, rates: RateTable) -> None:
        self.rates = rates
        self.count = 0
        self.income = ZERO
        self.expense = ZERO
        self.first: date | None = None
        self.last: date | None = None

    def watch(self, rows: Iterable[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
        """Pass (date, type, category, amount, description, notes, currency, ...) rows through."""
        for row in rows:
            day, flow = row[0], row[1]
            amount = convert(row[3], row[6], day, self.rates).base_amount
            self.count += 1
            if flow == "income":
                self.income += amount
            else:
                self.expense += amount
            self.first = day if self.first is None else min(self.first, day)
            self.last = day if self.last is None else max(self.last, day)
            yield row

    def row(self) -> tuple[Any, ...]:
        """The summary sheet's row, in the base currency."""
        net = self.income - self.expense
        base = self.rates.base
        return (self.first, self.last, self.count, self.income, self.expense, net, base)


def _category_rows(session: Session, household: Household) -> Iterator[tuple[Any, ...]]:
    for c in reads.categories_with_parents(session, household.id):
        archived = "yes" if c.archived else "no"
        yield (c.name, c.name_he, c.type, c.parent, c.color, c.icon, archived, c.sort_order)


def _fixed_rows(
    session: Session, household: Household, names: dict[int, str], today: date
) -> Iterator[tuple[Any, ...]]:
    for item in fixed.list_fixed(session, household):
        yield (
            item.name,
            item.type,
            names.get(item.category_id or 0),
            item.amount,
            item.frequency,
            item.day_of_month,
            item.start_date,
            item.end_date,
            "yes" if fixed.is_paused(session, item.id, today) else "no",
            item.currency,
            item.notes,
        )


def _plan_rows(
    session: Session, plans: list[Any], names: dict[int, str]
) -> Iterator[tuple[Any, ...]]:
    for plan in plans:
        progress = installment_plans.progress(session, plan)
        yield (
            plan.name,
            plan.type,
            names.get(plan.category_id or 0),
            plan.total_amount,
            plan.payments_count,
            plan.first_payment_date,
            progress.paid_count,
            progress.remaining_amount,
            progress.next_date,
            plan.currency,
        )


def _schedule_rows(session: Session, plans: list[Any]) -> Iterator[tuple[Any, ...]]:
    for plan in plans:
        for item in installment_plans.payments(session, plan):
            p = item.payment
            yield (plan.name, p.number, p.date, p.amount, "yes" if item.paid else "no")


def _loan_rows(
    session: Session, user_loans: list[Any], names: dict[int, str], today: date
) -> Iterator[tuple[Any, ...]]:
    for loan in user_loans:
        where = loans.status(session, loan, today)
        yield (
            loan.name,
            names.get(loan.category_id or 0),
            loan.principal,
            loan.annual_rate,
            loan.term_months,
            loan.first_payment_date,
            loan.method,
            where.payment,
            where.remaining_balance,
            where.next_date,
        )


def _amortization_rows(session: Session, user_loans: list[Any]) -> Iterator[tuple[Any, ...]]:
    for loan in user_loans:
        for p in loans.breakdown(session, loan):
            yield (
                loan.name,
                p.number,
                p.date,
                p.payment,
                p.principal,
                p.interest,
                p.prepayment,
                p.balance,
            )


def _budget_rows(
    session: Session, household: Household, names: dict[int, str], today: date
) -> Iterator[tuple[Any, ...]]:
    """Each budgeted category's month over the last 12 months (budgets.year_of_lines)."""
    for line in budgets.year_of_lines(session, household, today):
        yield (
            f"{line.month:%Y-%m}",
            names.get(line.category_id),
            line.budget,
            line.rollover,
            line.spent,
            line.left,
            line.projected,
            line.overshoot,
        )


def _forecast_rows(session: Session, household: Household, today: date) -> list[tuple[Any, ...]]:
    """The monthly forecast (the forecast engine's P50 path, aggregated by month)."""
    frame = aggregate(forecast_for(session, household, today), "monthly")
    return list(frame[list(AGGREGATE_COLUMNS)].itertuples(index=False, name=None))
