"""A mixed-currency ledger: every total, the forecast, the summaries and the files in shekels.

Rates held (ILS per USD): 3.6900 from 2026-01-01, 3.7215 from 2026-01-05.
Ledger, hand-converted:
  2026-01-02 income   100.00 USD at 3.6900 =   369.00
  2026-01-03 expense   50.00 ILS            =    50.00
  2026-01-06 expense   20.00 USD at 3.7215 =    74.43   (74.43 exactly: 74.430)
  2026-01-07 expense   10.01 USD at 3.7215 =    37.25   (37.252215 -> 37.25)
  income 369.00; expense 161.68; net 207.32.
"""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from sqlalchemy import Numeric, func, literal, select
from sqlalchemy.orm import Session

from domain.db.currency import in_base
from domain.db.models import Household, Transaction
from domain.rules.currency import MissingRateError, Rate, build_rate_table, convert
from domain.rules.ledger import LedgerFilter, TransactionDraft
from domain.services import dashboard, exports, fixed, installment_plans, loans, rates, reports
from domain.services.balance import current_balance
from domain.services.forecasting import forecast_for
from domain.services.rates import RateDraft
from domain.services.transactions import ledger_totals, record_transaction

TODAY = date(2026, 1, 20)
JANUARY = LedgerFilter(start=date(2026, 1, 1), end=date(2026, 2, 1))


def _tx(
    session: Session, household: Household, on: date, amount: str, flow: str, currency: str
) -> None:
    draft = TransactionDraft(on, Decimal(amount), flow, currency=currency)  # type: ignore[arg-type]
    record_transaction(session, household, draft)


@pytest.fixture
def mixed(session: Session, household: Household) -> Household:
    """The ledger of the module docstring, with its two rates."""
    rates.set_rate(session, household, RateDraft(date(2026, 1, 1), "USD", Decimal("3.69")))
    rates.set_rate(session, household, RateDraft(date(2026, 1, 5), "USD", Decimal("3.7215")))
    _tx(session, household, date(2026, 1, 2), "100.00", "income", "USD")
    _tx(session, household, date(2026, 1, 3), "50.00", "expense", "ILS")
    _tx(session, household, date(2026, 1, 6), "20.00", "expense", "USD")
    _tx(session, household, date(2026, 1, 7), "10.01", "expense", "USD")
    return household


def test_ledger_totals_and_balance_are_in_shekels(session: Session, mixed: Household) -> None:
    totals = ledger_totals(session, mixed, JANUARY)
    assert (totals.income, totals.expense, totals.net) == (
        Decimal("369.00"),
        Decimal("161.68"),
        Decimal("207.32"),
    )
    assert current_balance(session, mixed, TODAY).amount == Decimal("207.32")


def test_dashboard_is_in_shekels(session: Session, mixed: Household) -> None:
    [month] = dashboard.actual_series(session, mixed, "month", date(2026, 1, 1), TODAY)
    assert (month.income, month.expense) == (Decimal("369.00"), Decimal("161.68"))
    [share] = dashboard.category_breakdown(session, mixed, date(2026, 1, 1), TODAY)
    assert share.total == Decimal("161.68")
    top = dashboard.top_expenses(session, mixed, date(2026, 1, 1), TODAY)
    # 20.00 USD (74.43) ranks above 50.00 ILS, though 20 < 50 in their own currencies
    assert [(t.amount, t.currency) for t in top][:2] == [
        (Decimal("20.00"), "USD"),
        (Decimal("50.00"), "ILS"),
    ]
    assert dashboard.kpis(session, mixed, TODAY).balance == Decimal("207.32")


def test_forecast_converts_opening_and_a_dollar_salary_and_says_so(
    session: Session, mixed: Household
) -> None:
    fixed.create_fixed(
        session,
        mixed,
        name="Salary",
        amount=Decimal("3000.00"),
        type="income",
        frequency="monthly",
        day_of_month=25,
        start_date=date(2026, 1, 25),
        currency="USD",
    )
    _tx(session, mixed, date(2026, 1, 28), "10.00", "expense", "USD")  # future-dated
    result = forecast_for(session, mixed, TODAY, months=1, include_history=False)
    assert result.inputs.opening == Decimal("207.32")
    salary = next(e for e in result.events if e.date == date(2026, 1, 25))
    assert salary.amount == Decimal("11164.50")
    assert "USD 3,000.00 at 3.7215 = ₪11,164.50" in salary.label
    future = next(e for e in result.events if e.date == date(2026, 1, 28))
    assert future.amount == Decimal("-37.22")  # 10.00 x 3.7215 = 37.215 -> 37.22 (half up)


def test_installments_and_loans_summaries_are_in_shekels(
    session: Session, mixed: Household
) -> None:
    installment_plans.create_plan(
        session,
        mixed,
        name="Camera",
        type="expense",
        total_amount=Decimal("1200.00"),
        payments_count=12,
        first_payment_date=date(2026, 3, 10),
        day_of_month=10,
        currency="USD",
    )
    loans.create_loan(
        session,
        mixed,
        name="Car",
        principal=Decimal("1200.00"),
        annual_rate=Decimal("0"),
        term_months=12,
        first_payment_date=date(2026, 3, 15),
        day_of_month=15,
        method="spitzer",
        currency="USD",
    )
    plans = dashboard.installments_summary(session, mixed)
    assert (plans.remaining_amount, plans.monthly_amount) == (
        Decimal("4465.80"),  # 1,200.00 x 3.7215
        Decimal("372.15"),
    )
    owed = dashboard.loans_summary(session, mixed, TODAY)
    assert (owed.remaining_balance, owed.monthly_payment) == (
        Decimal("4465.80"),
        Decimal("372.15"),
    )


def test_pdf_report_and_excel_summary_are_in_shekels(session: Session, mixed: Household) -> None:
    report = reports.monthly_report(session, mixed, date(2026, 1, 1), TODAY)
    assert (report.income, report.expense, report.net) == (
        Decimal("369.00"),
        Decimal("161.68"),
        Decimal("207.32"),
    )
    assert report.largest[0].amount == Decimal("74.43")
    target = io.BytesIO()
    exports.export_workbook(session, mixed, TODAY, target, language="en")
    sheet = load_workbook(io.BytesIO(target.getvalue()))["Summary"]
    values = [cell.value for cell in sheet[2]]
    assert [Decimal(str(v)) for v in values[3:6]] == [
        Decimal("369"),
        Decimal("161.68"),
        Decimal("207.32"),
    ]
    assert values[6] == "ILS"


def test_a_missing_rate_is_an_error_naming_currency_and_date(
    session: Session, mixed: Household, client: TestClient, headers: dict[str, str]
) -> None:
    _tx(session, mixed, date(2026, 1, 8), "5.00", "expense", "GBP")
    with pytest.raises(MissingRateError, match=r"GBP .* 2026-01-08"):
        ledger_totals(session, mixed, JANUARY)
    with pytest.raises(MissingRateError):
        current_balance(session, mixed, TODAY)
    with pytest.raises(MissingRateError):
        reports.monthly_report(session, mixed, date(2026, 1, 1), TODAY)
    session.commit()
    response = client.get("/api/v1/transactions/totals", headers=headers)
    assert response.status_code == 422
    assert "GBP" in response.text
    assert "2026-01-08" in response.text
    # a dollar amount dated before the first dollar rate is refused the same way
    _tx(session, mixed, date(2025, 12, 31), "1.00", "expense", "USD")
    with pytest.raises(MissingRateError, match="USD"):
        ledger_totals(session, mixed, LedgerFilter(end=date(2026, 1, 1)))


# The property only reads literals through the session, so sharing it across examples is safe.
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    amount=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999999"), places=2),
    rate=st.decimals(min_value=Decimal("0.000001"), max_value=Decimal("9999"), places=6),
)
def test_sql_conversion_equals_the_converter(
    session: Session, amount: Decimal, rate: Decimal
) -> None:
    """`in_base` (SQL, for sums) rounds exactly as `convert` (Python, the rule)."""
    in_sql = session.scalar(select(_sql_round(amount, rate)))
    table = build_rate_table("ILS", [Rate(date(2026, 1, 1), "USD", rate)])
    assert in_sql == convert(amount, "USD", date(2026, 1, 1), table).base_amount


def _sql_round(amount: Decimal, rate: Decimal) -> Any:
    """The arithmetic of `in_base` on literals (its rounding, without a stored row)."""
    return func.round(literal(amount, Numeric(15, 2)) * literal(rate, Numeric(14, 6)), 2)


def test_in_base_reads_the_stored_rate(session: Session, mixed: Household) -> None:
    rows = session.execute(
        select(Transaction.amount, in_base("ILS"))
        .where(Transaction.household_id == mixed.id)
        .order_by(Transaction.date)
    ).all()
    assert [r[1] for r in rows] == [
        Decimal("369.00"),
        Decimal("50.00"),
        Decimal("74.43"),
        Decimal("37.25"),
    ]
