"""The monthly report: its figures from the database, and the PDF made of them."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy.orm import Session

from domain.db import exports as reads
from domain.db.ledger import fetch_totals
from domain.db.models import Household
from domain.rules.export_labels import Language
from domain.rules.ledger import LedgerFilter
from domain.rules.monthly_report import (
    Due,
    Expense,
    MonthlyReport,
    category_shares,
    daily_balances,
    month_bounds,
)
from domain.rules.report_pdf import Fonts, render_report
from domain.services.balance import current_balance, daily_movements
from domain.services.booking import preview_booking
from domain.services.rates import base_currency

UPCOMING_DAYS = 30
UPCOMING_MAX = 15
UNCATEGORISED = "Uncategorised"
# DejaVu covers Hebrew; Debian ships it as fonts-dejavu-core.
FONT_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/share/fonts/TTF"),
)


def report_fonts() -> Fonts:
    """A Unicode font found on this machine, or the PDF's core font when there is none."""
    for folder in FONT_DIRS:
        regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
        if regular.is_file():
            return Fonts(regular, bold if bold.is_file() else None)
    return Fonts()


def _due(session: Session, household: Household, today: date) -> tuple[tuple[Due, ...], int]:
    """What falls due from today to 30 days ahead, and how many earlier items wait unbooked."""
    due = preview_booking(session, household, today + timedelta(days=UPCOMING_DAYS))
    ahead = [Due(o.due_date, o.description, o.amount, o.type) for o in due if o.due_date >= today]
    return tuple(ahead[:UPCOMING_MAX]), len(due) - len(ahead)


def _previous_expense(session: Session, household: Household, start: date) -> Decimal | None:
    previous_start, _ = month_bounds(start - timedelta(days=1))
    totals = fetch_totals(
        session,
        household.id,
        LedgerFilter(start=previous_start, end=start),
        base=base_currency(household),
    )
    return totals.expense if totals.count else None


def monthly_report(
    session: Session, household: Household, month: date, today: date, *, language: Language = "en"
) -> MonthlyReport:
    """The month's KPIs, its daily balance up to today, categories, largest and due items."""
    start, end = month_bounds(month)
    hebrew = language == "he"
    names = reads.category_names(session, household.id, hebrew=hebrew)
    base = base_currency(household)
    totals = fetch_totals(session, household.id, LedgerFilter(start=start, end=end), base=base)
    shown_end = min(end, today + timedelta(days=1))
    opening = current_balance(session, household, start - timedelta(days=1)).amount
    # A day with a reading ends at the household's cash then (every account's reading or
    # movements), not at the one account's reading.
    read_days = reads.readings(session, household.id, start, shown_end)
    balances = daily_balances(
        opening,
        daily_movements(session, household, start, shown_end),
        start,
        shown_end,
        {day: current_balance(session, household, day).amount for day in read_days},
    )
    spending = reads.spending_by_category(session, household.id, start, end, base=base)
    largest = reads.largest_expenses(session, household.id, start, end, base=base)
    previous = _previous_expense(session, household, start)
    upcoming, overdue = _due(session, household, today)
    return MonthlyReport(
        title=household.name,
        currency=household.currency,
        month=start,
        generated_on=today,
        income=totals.income,
        expense=totals.expense,
        count=totals.count,
        opening=opening,
        balances=balances,
        categories=category_shares([(names.get(c or 0, UNCATEGORISED), a) for c, a in spending]),
        upcoming=upcoming,
        overdue=overdue,
        largest=tuple(
            Expense(r.date, r.description, names.get(r.category_id or 0, UNCATEGORISED), r.amount)
            for r in largest
        ),
        previous_expense=previous,
    )


def monthly_report_pdf(
    session: Session, household: Household, month: date, today: date, *, language: Language
) -> bytes:
    """The monthly report as PDF bytes, in the reader's language."""
    report = monthly_report(session, household, month, today, language=language)
    return render_report(report, report_fonts(), language=language)
