"""The household's past cash: a card purchase leaves it on the charge day, not the purchase day."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from domain.db.models import Household
from domain.rules.ledger import TransactionDraft
from domain.services import accounts, balance, dashboard, reports, transactions, transfers
from domain.services.accounts import AccountDraft
from domain.services.transfers import TransferDraft

TODAY = date(2026, 12, 12)


def _household_with_a_card(session: Session, household: Household) -> None:
    bank = accounts.default_account(session, household)
    savings = accounts.create_account(session, household, AccountDraft("Savings"), today=TODAY)
    card = accounts.create_account(
        session,
        household,
        AccountDraft("Max", kind="credit_card", charged_to_id=bank.id, close_day=1, charge_day=10),
        today=date(2026, 11, 1),
    )
    balance.record_balance(
        session, household, amount=Decimal("5000.00"), as_of=date(2026, 11, 1), today=TODAY
    )
    for day, amount in ((date(2026, 11, 20), "300.00"), (date(2026, 11, 25), "200.00")):
        transactions.record_transaction(
            session,
            household,
            TransactionDraft(day, Decimal(amount), "expense", account_id=card.id),
        )
    transactions.record_transaction(
        session, household, TransactionDraft(date(2026, 11, 15), Decimal("80.00"), "expense")
    )
    # The statement that closed on Dec 1 is charged to the bank on Dec 10.
    transfers.record_transfer(
        session,
        household,
        TransferDraft(date(2026, 12, 10), Decimal("500.00"), bank.id, card.id),
        source="card_statement",
    )
    # Savings and back: the household's own money does not move.
    transfers.record_transfer(
        session,
        household,
        TransferDraft(date(2026, 11, 22), Decimal("1000.00"), bank.id, savings.id),
    )


def test_the_past_balance_drops_on_the_charge_day_not_on_purchase_days(
    session: Session, household: Household
) -> None:
    _household_with_a_card(session, household)
    path = dict(dashboard.past_balances(session, household, TODAY, days=45))
    assert path[date(2026, 12, 12)] == Decimal("4420.00")  # 5,000 - 80 - 500
    assert path[date(2026, 12, 9)] == Decimal("4920.00")
    assert path[date(2026, 12, 10)] == Decimal("4420.00")
    assert path[date(2026, 11, 19)] == path[date(2026, 11, 26)] == Decimal("4920.00")
    assert path[date(2026, 11, 14)] == Decimal("5000.00")


def test_the_monthly_report_follows_the_same_cash(session: Session, household: Household) -> None:
    _household_with_a_card(session, household)
    november = reports.monthly_report(session, household, date(2026, 11, 1), TODAY)
    by_day = dict(november.balances)
    assert by_day[date(2026, 11, 1)] == Decimal("5000.00")  # the reading
    assert by_day[date(2026, 11, 20)] == by_day[date(2026, 11, 30)] == Decimal("4920.00")
    assert november.expense == Decimal("580.00")  # card purchases are spending all the same
    december = reports.monthly_report(session, household, date(2026, 12, 1), TODAY)
    assert dict(december.balances)[date(2026, 12, 10)] == Decimal("4420.00")


def test_one_accounts_past_follows_what_its_forecast_follows(
    session: Session, household: Household
) -> None:
    """The bank pays the card on the charge day; the card owes from its purchase days."""
    _household_with_a_card(session, household)
    named = {a.name: a.id for a in accounts.list_accounts(session, household)}
    bank, savings, card = (
        dict(dashboard.past_balances(session, household, TODAY, days=45, account_id=named[n]))
        for n in (accounts.default_account(session, household).name, "Savings", "Max")
    )
    assert [bank[date(2026, 11, d)] for d in (14, 15, 21, 22, 30)] == [
        Decimal("5000.00"),
        Decimal("4920.00"),
        Decimal("4920.00"),
        Decimal("3920.00"),  # to savings
        Decimal("3920.00"),  # the card's purchases are not the bank's yet
    ]
    assert (bank[date(2026, 12, 9)], bank[date(2026, 12, 10)]) == (
        Decimal("3920.00"),
        Decimal("3420.00"),  # the statement charged
    )
    assert (savings[date(2026, 11, 21)], savings[TODAY]) == (Decimal("0.00"), Decimal("1000.00"))
    assert [card[day] for day in (date(2026, 11, 19), date(2026, 11, 20), date(2026, 11, 25))] == [
        Decimal("0.00"),
        Decimal("-300.00"),
        Decimal("-500.00"),
    ]
    assert (card[date(2026, 12, 9)], card[TODAY]) == (Decimal("-500.00"), Decimal("0.00"))
    household_path = dict(dashboard.past_balances(session, household, TODAY, days=45))
    assert household_path[TODAY] == bank[TODAY] + savings[TODAY]  # own money, card paid
