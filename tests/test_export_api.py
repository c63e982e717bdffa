"""Exports over HTTP: the workbook opened with openpyxl, the CSV, the PDF, a round trip."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from domain.config import Settings
from domain.db.models import Category, Transaction, User
from domain.rules.dates import local_today
from domain.services import users
from domain.services.demo import seed_demo_history, seed_demo_sources
from tests.builders import make_transaction
from tests.conftest import bearer, home_of, make_user
from tests.io_support import io_client, post_file

API = "/api/v1"
SHEETS = [
    "Transactions",
    "Categories",
    "Fixed items",
    "Installment plans",
    "Installment schedule",
    "Loans",
    "Loan amortization",
    "Forecast",
    "Budgets",
    "Summary",
]


@pytest.fixture
def client(settings: Settings, session_factory: sessionmaker[Session]) -> Iterator[TestClient]:
    yield from io_client(settings, session_factory)


@pytest.fixture
def today() -> date:
    return local_today(datetime.now(UTC), "Asia/Jerusalem")


@pytest.fixture
def demo(session: Session, settings: Settings, today: date) -> User:
    """A user with two years of the demo household's history and its recurring items."""
    user = make_user(session, settings)
    home = home_of(session, user)
    seed_demo_history(session, home, today)
    seed_demo_sources(session, home, today)
    session.commit()
    return user


def _ledger(session: Session, user: User) -> list[tuple[Any, ...]]:
    """The rows of the ledger `user`'s requests act on (their household's)."""
    session.expire_all()
    home = home_of(session, user)
    rows = session.execute(
        select(
            Transaction.date,
            Transaction.type,
            Transaction.amount,
            Category.name,
            Transaction.description,
            Transaction.notes,
            Transaction.currency,
        )
        .outerjoin(Category, Category.id == Transaction.category_id)
        .where(Transaction.household_id == home.id)
    )
    return sorted((tuple(row) for row in rows), key=repr)


def _workbook(client: TestClient, user: User, settings: Settings) -> bytes:
    response = client.get(f"{API}/export/workbook.xlsx", headers=bearer(settings, user))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response.headers["content-disposition"]
    return bytes(response.content)


def test_the_workbook_has_typed_formatted_sheets_whose_totals_match_the_ledger(
    client: TestClient, session: Session, settings: Settings, demo: User
) -> None:
    book = load_workbook(io.BytesIO(_workbook(client, demo, settings)))
    assert book.sheetnames == SHEETS
    sheet = book["Transactions"]
    header = [c.value for c in sheet[1]]
    assert header == [
        "Date",
        "Type",
        "Category",
        "Amount",
        "Description",
        "Notes",
        "Currency",
        "Source",
    ]
    assert sheet[1][0].font.bold
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:H{sheet.max_row}"
    assert sheet.column_dimensions["E"].width == 42
    assert not sheet.sheet_view.rightToLeft
    first = sheet[2]
    assert isinstance(first[0].value, datetime)
    assert first[0].number_format == "dd/mm/yyyy"
    assert first[3].data_type == "n"
    assert first[3].number_format == "#,##0.00"
    totals: dict[str, Decimal] = {"income": Decimal(0), "expense": Decimal(0)}
    for row in sheet.iter_rows(min_row=2, values_only=True):
        totals[str(row[1])] += Decimal(str(row[3]))
    ledger = _ledger(session, demo)
    assert sheet.max_row - 1 == len(ledger)
    income = sum((r[2] for r in ledger if r[1] == "income"), Decimal(0))
    expense = sum((r[2] for r in ledger if r[1] == "expense"), Decimal(0))
    assert (totals["income"], totals["expense"]) == (income, expense)
    summary = [c.value for c in book["Summary"][2]]
    assert summary[2:6] == [len(ledger), float(income), float(expense), float(income - expense)]


def test_the_workbook_holds_the_schedules_and_the_forecast(
    client: TestClient, settings: Settings, demo: User
) -> None:
    book = load_workbook(io.BytesIO(_workbook(client, demo, settings)))
    fixed = list(book["Fixed items"].iter_rows(min_row=2, values_only=True))
    assert {r[0] for r in fixed} >= {"Rent", "Gan Yeladim"}
    schedule = list(book["Installment schedule"].iter_rows(min_row=2, values_only=True))
    assert len(schedule) == 12
    assert sum(Decimal(str(r[3])) for r in schedule) == Decimal("4990.00")
    amortization = list(book["Loan amortization"].iter_rows(min_row=2, values_only=True))
    assert len(amortization) == 48
    assert sum(Decimal(str(r[4])) for r in amortization) == Decimal("60000.00")
    assert amortization[-1][7] == 0
    forecast = list(book["Forecast"].iter_rows(min_row=2, values_only=True))
    assert len(forecast) >= 6
    assert book["Forecast"]["C2"].number_format == "#,##0.00"


def test_a_hebrew_user_gets_right_to_left_sheets_in_hebrew(
    client: TestClient, session: Session, settings: Settings, demo: User
) -> None:
    users.set_language(session, demo, "he")
    session.commit()
    book = load_workbook(io.BytesIO(_workbook(client, demo, settings)))
    sheet = book["תנועות"]
    assert sheet.sheet_view.rightToLeft
    assert [c.value for c in sheet[1]][:4] == ["תאריך", "סוג", "קטגוריה", "סכום"]
    assert sheet["B2"].value in {"הכנסה", "הוצאה"}
    assert all(book[name].sheet_view.rightToLeft for name in book.sheetnames)


def test_text_that_looks_like_a_formula_stays_text(
    client: TestClient, session: Session, settings: Settings
) -> None:
    user = make_user(session, settings)
    home = home_of(session, user)
    for text in ('=HYPERLINK("http://x","y")', "+972501234567", "-refund", "@SUM(A1)"):
        make_transaction(session, home, description=text)
    session.commit()
    book = load_workbook(io.BytesIO(_workbook(client, user, settings)))
    cells = [row[4] for row in book["Transactions"].iter_rows(min_row=2)]
    assert all(cell.data_type == "s" for cell in cells)
    assert cells[0].value == '=HYPERLINK("http://x","y")'
    csv = client.get(f"{API}/export/transactions.csv", headers=bearer(settings, user))
    assert csv.status_code == 200
    assert csv.headers["content-type"] == "text/csv; charset=utf-8"
    lines = csv.content.decode("utf-8").splitlines()
    assert lines[0] == "\ufeffDate,Type,Category,Amount,Description,Notes,Currency,Source"
    assert (
        lines[1]
        == '2026-01-15,expense,Groceries,12.30,"\'=HYPERLINK(""http://x"",""y"")",,ILS,manual'
    )
    assert [line.split(",")[4] for line in lines[2:]] == ["'+972501234567", "'-refund", "'@SUM(A1)"]


def test_the_csv_export_takes_a_date_range(
    client: TestClient, session: Session, settings: Settings
) -> None:
    user = make_user(session, settings)
    home = home_of(session, user)
    for day in (1, 15, 28):
        make_transaction(session, home, on=date(2026, 2, day), amount=f"{day}.00")
    session.commit()
    headers = bearer(settings, user)
    params = {"date_from": "2026-02-02", "date_to": "2026-02-28"}
    lines = client.get(f"{API}/export/transactions.csv", headers=headers, params=params).text
    assert [line.split(",")[3] for line in lines.splitlines()[1:]] == ["15.00", "28.00"]
    bad = client.get(
        f"{API}/export/transactions.csv",
        headers=headers,
        params={"date_from": "2026-03-01", "date_to": "2026-02-01"},
    )
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"][-1] == "date_to"


def test_the_monthly_report_pdf_shows_the_months_figures(
    client: TestClient, session: Session, settings: Settings, demo: User, today: date
) -> None:
    month = today.replace(day=1)
    response = client.get(
        f"{API}/export/report.pdf",
        headers=bearer(settings, demo),
        params={"month": f"{month:%Y-%m}"},
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    for expected in (
        f"Monthly report - {month:%B %Y}",
        "Income",
        "Savings rate",
        "Balance, day by day",
        "Spending by category",
        "Rent",
        "Upcoming payments",
        "Television (KSP)",
    ):
        assert expected in text, expected
    rent = session.scalar(
        select(Transaction.amount).where(
            Transaction.household_id == home_of(session, demo).id,
            Transaction.description == "Rent",
            Transaction.date == month,
        )
    )
    assert rent is not None
    assert f"{rent:,.2f}" in text


def test_a_report_of_an_empty_month_still_renders(
    client: TestClient, session: Session, settings: Settings
) -> None:
    user = make_user(session, settings)
    session.commit()
    response = client.get(
        f"{API}/export/report.pdf", headers=bearer(settings, user), params={"month": "2026-02"}
    )
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert "No expenses this month." in text
    assert "Nothing due" in text


def test_round_trip_the_demo_workbook_into_a_new_user_gives_an_identical_ledger(
    client: TestClient, session: Session, settings: Settings, demo: User
) -> None:
    workbook = _workbook(client, demo, settings)
    newcomer = make_user(session, settings)
    session.commit()
    headers = bearer(settings, newcomer)
    preview = post_file(client, headers, workbook, name="demo.xlsx").json()
    assert preview["sheet"] == "Transactions"
    assert preview["mapping"]["type_column"] == "Type"
    assert preview["mapping"]["category_column"] == "Category"
    assert (preview["error_count"], preview["uncategorised"]) == (0, 0)
    done = post_file(client, headers, workbook, name="demo.xlsx", dry_run=False)
    assert done.status_code == 200, done.text
    assert done.json()["imported"] == len(_ledger(session, demo))
    assert _ledger(session, newcomer) == _ledger(session, demo)


def test_round_trip_through_csv_keeps_tricky_text_exactly(
    client: TestClient, session: Session, settings: Settings
) -> None:
    user = make_user(session, settings)
    home = home_of(session, user)
    for text, notes in (
        ('=HYPERLINK("x")', ""),
        ("-refund", "line one\nline two"),
        ("קפה, גרג", "@home"),
        ("Plain", ""),
    ):
        make_transaction(session, home, description=text, notes=notes)
    make_transaction(session, home, type="income", category="Salary", amount="12600.00")
    session.commit()
    exported = client.get(f"{API}/export/transactions.csv", headers=bearer(settings, user)).content
    newcomer = make_user(session, settings)
    session.commit()
    done = post_file(client, bearer(settings, newcomer), exported, dry_run=False)
    assert done.status_code == 200, done.text
    assert done.json()["imported"] == 5
    assert _ledger(session, newcomer) == _ledger(session, user)
