"""The demo household: a bank account, savings and two cards, whose past statements are paid."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from domain.db.models import (
    Account,
    Category,
    FixedItem,
    Household,
    InstallmentPlan,
    Transaction,
    Transfer,
)
from domain.rules.money import ZERO
from domain.services.demo import seed_demo_history, seed_demo_sources
from domain.services.installment_plans import schedule_of
from domain.services.statements import card_statements

TODAY = date(2026, 11, 15)


def _seeded(session: Session, household: Household) -> dict[str, Account]:
    assert seed_demo_history(session, household, TODAY) > 600
    assert seed_demo_sources(session, household, TODAY)
    session.flush()
    found = session.scalars(select(Account).where(Account.household_id == household.id)).all()
    return {a.name: a for a in found}


def _spent(session: Session, account: Account, through: date) -> Decimal:
    signed = func.sum(Transaction.amount)
    expense = session.scalar(
        select(signed).where(
            Transaction.account_id == account.id,
            Transaction.type == "expense",
            Transaction.date <= through,
        )
    )
    refunds = session.scalar(
        select(signed).where(
            Transaction.account_id == account.id,
            Transaction.type == "income",
            Transaction.date <= through,
        )
    )
    return (expense or ZERO) - (refunds or ZERO)


def _into(session: Session, account: Account, source: str) -> list[tuple[date, Decimal]]:
    rows = session.execute(
        select(Transfer.date, Transfer.amount)
        .where(Transfer.to_account_id == account.id, Transfer.source == source)
        .order_by(Transfer.date)
    ).all()
    return [(r.date, r.amount) for r in rows]


def test_the_demo_has_a_bank_savings_and_two_cards_charged_to_the_bank(
    session: Session, household: Household
) -> None:
    accounts = _seeded(session, household)
    bank = accounts["Main account"]
    shape = {
        name: (a.kind, a.institution, a.close_day, a.charge_day, a.charged_to_id)
        for name, a in accounts.items()
    }
    # name: (kind, institution, close day, charge day, charged to)
    assert shape == {
        "Main account": ("bank", "Bank Leumi", None, None, None),
        "Savings": ("savings", "Bank Leumi", None, None, None),
        "Isracard": ("credit_card", "Isracard", 31, 2, bank.id),
        "Max": ("credit_card", "Max", 7, 10, bank.id),
    }
    assert bank.is_default
    # The statements charged by 15/11/2026: Isracard's closed 31/10 (paid 2/11), Max's 7/11.
    assert accounts["Isracard"].booked_through == date(2026, 10, 31)
    assert accounts["Max"].booked_through == date(2026, 11, 7)


def test_everyday_purchases_are_on_the_cards_and_salary_rent_on_the_bank(
    session: Session, household: Household
) -> None:
    accounts = _seeded(session, household)
    by_account = dict(
        session.execute(
            select(Category.name, func.array_agg(func.distinct(Account.name)))
            .join(Transaction, Transaction.category_id == Category.id)
            .join(Account, Account.id == Transaction.account_id)
            .where(Transaction.household_id == household.id)
            .group_by(Category.name)
        ).all()
    )
    assert by_account["Groceries"] == ["Isracard"]
    assert by_account["Dining out"] == ["Max"]
    assert by_account["Transport"] == ["Max"]
    assert by_account["Salary"] == ["Main account"]
    assert by_account["Rent"] == ["Main account"]
    plan = session.scalars(
        select(InstallmentPlan).where(InstallmentPlan.household_id == household.id)
    ).one()
    assert plan.account_id == accounts["Isracard"].id
    netflix = session.scalars(
        select(FixedItem).where(FixedItem.household_id == household.id, FixedItem.name == "Netflix")
    ).one()
    assert netflix.account_id == accounts["Max"].id


def test_each_past_statement_is_paid_from_the_bank_and_savings_grow_monthly(
    session: Session, household: Household
) -> None:
    accounts = _seeded(session, household)
    max_card = accounts["Max"]
    charges = _into(session, max_card, "card_statement")
    assert charges[-1][0] == date(2026, 11, 10)
    assert all(day.day == 10 for day, _amount in charges)
    # Every purchase through the last charged close is paid, and nothing after it.
    assert sum((a for _d, a in charges), ZERO) == _spent(session, max_card, date(2026, 11, 7))
    isracard = accounts["Isracard"]
    paid = _into(session, isracard, "card_statement")
    assert paid[-1][0] == date(2026, 11, 2)
    # The television's parts (20/08, 20/09, 20/10) are on Isracard's statements too.
    plan = session.scalars(
        select(InstallmentPlan).where(InstallmentPlan.household_id == household.id)
    ).one()
    parts = [p.amount for p in schedule_of(plan) if p.date <= date(2026, 10, 31)]
    assert len(parts) == 3
    booked = session.scalars(
        select(Transaction.amount).where(
            Transaction.account_id == isracard.id, Transaction.source == "recurring"
        )
    ).all()
    assert sorted(booked) == sorted(parts)  # booked on the card, through today (15/11)
    assert sum((a for _d, a in paid), ZERO) == _spent(session, isracard, date(2026, 10, 31))
    saved = _into(session, accounts["Savings"], "manual")
    assert len(saved) == 25  # 11/2024 to 11/2026
    # Keyed as the scheduler keys them: the statement view says charged, and the scheduler
    # never charges them again.
    seen = card_statements(session, household, max_card.id, TODAY, past=3, coming=0)
    assert [(s.closes, s.status) for s in seen.past] == [
        (date(2026, 9, 7), "charged"),
        (date(2026, 10, 7), "charged"),
        (date(2026, 11, 7), "charged"),  # paid on 10/11
    ]
    assert {amount for _day, amount in saved} == {Decimal("500.00")}
