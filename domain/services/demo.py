"""The demo household that a first run shows.

Two years of money on a bank account, a savings account and two credit cards charged
to the bank.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from domain.config import Settings
from domain.db.actors import unaudited
from domain.db.card_bookings import claim_charge
from domain.db.cards import card_lines, cycle_of
from domain.db.models import Account, Household, Transaction, User
from domain.rules.cards import build_statements
from domain.rules.demo_history import (
    BANK,
    DEMO_ACCOUNTS,
    ISRACARD,
    MAX,
    SAVINGS,
    generate_history,
    savings_transfers,
)
from domain.rules.ledger import TransactionDraft
from domain.services import accounts, categories, fixed, installment_plans, loans
from domain.services.accounts import AccountDraft
from domain.services.rates import rate_table
from domain.services.transactions import BULK_MAX, bulk_record
from domain.services.transfers import TransferDraft, record_transfer
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
    places = demo_accounts(session, household, today)
    start = (today.replace(day=1) - timedelta(days=730)).replace(day=1)
    drafts = [
        TransactionDraft(
            date=row.date,
            amount=row.amount,
            type=row.type,
            category_id=ids.get(row.category),
            description=row.description,
            account_id=places[row.account].id,
        )
        for row in generate_history(start, today + timedelta(days=1))
    ]
    for chunk in range(0, len(drafts), BULK_MAX):
        bulk_record(session, household, drafts[chunk : chunk + BULK_MAX])
    for day, amount in savings_transfers(start, today + timedelta(days=1)):
        record_transfer(
            session,
            household,
            TransferDraft(
                date=day,
                amount=amount,
                from_account_id=places[BANK].id,
                to_account_id=places[SAVINGS].id,
                description="Monthly savings",
            ),
        )
    return len(drafts)


def demo_accounts(session: Session, household: Household, today: date) -> dict[str, Account]:
    """The demo's accounts by key: the default bank account, savings and two cards.

    The default account is the bank; the others are found by name or added.
    """
    found = {a.name: a for a in accounts.list_accounts(session, household)}
    bank = accounts.default_account(session, household)
    places = {BANK: bank}
    for spec in DEMO_ACCOUNTS:
        if spec.key == BANK:
            bank.institution = bank.institution or spec.institution
            continue
        places[spec.key] = found.get(spec.name) or accounts.create_account(
            session,
            household,
            AccountDraft(
                name=spec.name,
                kind=spec.kind,
                institution=spec.institution,
                currency=bank.currency,
                charged_to_id=bank.id if spec.kind == "credit_card" else None,
                close_day=spec.close_day,
                charge_day=spec.charge_day,
                credit_limit=spec.credit_limit,
            ),
            today=today,
        )
    return places


def seed_demo_sources(session: Session, household: Household, today: date) -> bool:
    """Give a household without recurring items a salary, rent, installments and a loan.

    The items the generated history already holds are marked booked up to today; the
    installment plan's past payments are booked on Isracard, and the loan's are left for
    the scheduler. The cards' statements charged by today are paid from the bank, as the
    scheduler would have booked them. Not audited, like the history.
    """
    with unaudited(session):
        return _seed_sources(session, household, today)


def _seed_sources(session: Session, household: Household, today: date) -> bool:
    if fixed.list_fixed(session, household):
        return False
    ids = {c.name: c.id for c in categories.list_categories(session, household)}
    places = demo_accounts(session, household, today)
    month_start = today.replace(day=1)
    for name, amount, flow, day, category, account in (
        ("Salary - Hi-Tech Ltd", "12600.00", "income", 10, "Salary", BANK),
        ("Rent", "5200.00", "expense", 1, "Rent", BANK),
        ("Gan Yeladim", "1850.00", "expense", 2, "Childcare", BANK),
        ("Health insurance", "289.90", "expense", 15, "Insurance", BANK),
        ("Netflix", "54.90", "expense", 18, "Leisure", MAX),  # a subscription on a card
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
            account_id=places[account].id,
        )
        item.booked_through = today  # this month's is in the generated history already
    three_months_ago = (month_start - timedelta(days=85)).replace(day=20)
    plan = installment_plans.create_plan(
        session,
        household,
        name="Television (KSP)",
        total_amount=Decimal("4990.00"),
        payments_count=12,
        first_payment_date=three_months_ago,
        day_of_month=20,
        category_id=ids.get("Leisure"),
        account_id=places[ISRACARD].id,  # bought in twelve payments on the card
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
    for part in installment_plans.schedule_of(plan):
        if part.date <= today:  # on the card's past statements, as the scheduler books them
            installment_plans.mark_paid(session, household, plan.id, on=part.date)
    for card in places.values():
        if card.kind == "credit_card":
            _charge_past_statements(session, household, card)
    return True


def _charge_past_statements(session: Session, household: Household, card: Account) -> None:
    """Pay each statement charged by now from the card's bank, keyed as the scheduler books it.

    `booked_through` (set when the card was added) is the last such statement's close;
    the scheduler charges the later ones.
    """
    through = card.booked_through
    if through is None or card.charged_to_id is None:
        return
    lines = card_lines(
        session,
        household.id,
        card.id,
        after=date.min,
        through=through,
        currency=card.currency,
        rates=lambda: rate_table(session, household),
    )
    for statement in build_statements(cycle_of(card), lines):
        paid = None
        if statement.total > 0:
            paid = record_transfer(
                session,
                household,
                TransferDraft(
                    date=statement.charge,
                    amount=statement.total,
                    from_account_id=card.charged_to_id,
                    to_account_id=card.id,
                    description=f"{card.name} statement",
                ),
                source="card_statement",
            ).id
        claim_charge(session, household.id, card.id, statement.closes, paid)
