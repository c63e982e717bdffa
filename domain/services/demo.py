"""The demo account that a first run shows."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from domain.config import Settings
from domain.db.actors import unaudited
from domain.db.models import Household, Transaction, User
from domain.rules.demo_history import generate_history
from domain.rules.ledger import TransactionDraft
from domain.services import categories, fixed, installment_plans, loans
from domain.services.transactions import BULK_MAX, bulk_record
from domain.services.users import create_user, find_user_by_username

DEMO_USERNAME = "demo"


def ensure_demo_user(session: Session, settings: Settings, password: str) -> tuple[User, bool]:
    """Return the demo user, creating it (as an admin) when missing; True when created."""
    user = find_user_by_username(session, DEMO_USERNAME)
    if user is not None:
        return user, False
    user = create_user(
        session,
        settings,
        username=DEMO_USERNAME,
        password=password,
        display_name="Demo household",
        is_admin=True,
    )
    return user, True


def seed_demo_history(session: Session, household: Household, today: date) -> int:
    """Give a household with an empty ledger two years of history up to today; return the count.

    The demo's starting state is not a change anybody made: it is not audited.
    """
    with unaudited(session):
        return _seed_history(session, household, today)


def _seed_history(session: Session, household: Household, today: date) -> int:
    if session.scalar(select(func.count()).where(Transaction.household_id == household.id)):
        return 0
    if not categories.list_categories(session, household):
        categories.create_default_categories(session, household)
    ids = {c.name: c.id for c in categories.list_categories(session, household)}
    start = (today.replace(day=1) - timedelta(days=730)).replace(day=1)
    drafts = [
        TransactionDraft(
            date=row.date,
            amount=row.amount,
            type=row.type,
            category_id=ids.get(row.category),
            description=row.description,
        )
        for row in generate_history(start, today + timedelta(days=1))
    ]
    for chunk in range(0, len(drafts), BULK_MAX):
        bulk_record(session, household, drafts[chunk : chunk + BULK_MAX])
    return len(drafts)


def seed_demo_sources(session: Session, household: Household, today: date) -> bool:
    """Give a household without recurring items a salary, rent, installments and a loan.

    The items the generated history already holds are marked booked up to today; the
    installment plan and the loan are left for the scheduler to book their past payments.
    Not audited, like the history.
    """
    with unaudited(session):
        return _seed_sources(session, household, today)


def _seed_sources(session: Session, household: Household, today: date) -> bool:
    if fixed.list_fixed(session, household):
        return False
    ids = {c.name: c.id for c in categories.list_categories(session, household)}
    month_start = today.replace(day=1)
    for name, amount, flow, day, category in (
        ("Salary - Hi-Tech Ltd", "12600.00", "income", 10, "Salary"),
        ("Rent", "5200.00", "expense", 1, "Rent"),
        ("Gan Yeladim", "1850.00", "expense", 2, "Childcare"),
        ("Health insurance", "289.90", "expense", 15, "Insurance"),
    ):
        item = fixed.create_fixed(
            session,
            household,
            name=name,
            amount=Decimal(amount),
            type=flow,
            frequency="monthly",
            day_of_month=day,
            start_date=month_start,
            category_id=ids.get(category),
        )
        item.booked_through = today  # this month's is in the generated history already
    three_months_ago = (month_start - timedelta(days=85)).replace(day=20)
    installment_plans.create_plan(
        session,
        household,
        name="Television (KSP)",
        total_amount=Decimal("4990.00"),
        payments_count=12,
        first_payment_date=three_months_ago,
        day_of_month=20,
        category_id=ids.get("Leisure"),
    )
    loans.create_loan(
        session,
        household,
        name="Car loan",
        principal=Decimal("60000.00"),
        annual_rate=Decimal("4.9"),
        term_months=48,
        first_payment_date=(month_start - timedelta(days=150)).replace(day=15),
        day_of_month=15,
        category_id=ids.get("Loan payments"),
    )
    session.flush()
    return True
