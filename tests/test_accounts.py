"""Accounts and transfers: the rules of the services, on a real database."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from domain.config import Settings
from domain.db.models import Account, Household, Transaction, Transfer, User
from domain.errors import ConflictError, InvalidInputError, NotFoundError
from domain.rules.ledger import LedgerFilter, TransactionDraft
from domain.services import accounts, transactions, transfers
from domain.services.accounts import AccountDraft
from domain.services.households import create_household
from domain.services.transfers import TransferDraft
from domain.services.versions import data_version

TODAY = date(2026, 12, 7)
NOW = datetime(2026, 12, 7, 12, tzinfo=UTC)


def _bank(session: Session, household: Household, name: str = "Savings bank") -> Account:
    return accounts.create_account(session, household, AccountDraft(name), today=TODAY)


def _card(session: Session, household: Household, bank: Account, **days: int) -> Account:
    draft = AccountDraft(
        "Isracard",
        kind="credit_card",
        institution="Isracard",
        charged_to_id=bank.id,
        close_day=days.get("close_day", 1),
        charge_day=days.get("charge_day", 10),
        credit_limit=Decimal("15000.00"),
    )
    return accounts.create_account(session, household, draft, today=TODAY)


def test_a_new_household_has_one_default_bank_account(
    session: Session, household: Household
) -> None:
    main = accounts.default_account(session, household)
    assert (main.name, main.kind, main.is_default, main.currency) == (
        "Main account",
        "bank",
        True,
        household.currency,
    )
    assert [a.id for a in accounts.list_accounts(session, household)] == [main.id]


def test_a_transaction_without_an_account_lands_in_the_default(
    session: Session, household: Household
) -> None:
    main = accounts.default_account(session, household)
    savings = _bank(session, household)
    first = transactions.record_transaction(
        session, household, TransactionDraft(TODAY, Decimal("10.00"), "expense")
    )
    second = transactions.record_transaction(
        session,
        household,
        TransactionDraft(TODAY, Decimal("20.00"), "expense", account_id=savings.id),
    )
    assert (first.account_id, second.account_id) == (main.id, savings.id)
    page = transactions.list_transactions(session, household, LedgerFilter(account_id=savings.id))
    assert [row.id for row in page.rows] == [second.id]
    # A row written by SQL that does not know accounts still lands in the default.
    session.add(
        Transaction(
            household_id=household.id, date=TODAY, amount=Decimal(1), type="income", currency="ILS"
        )
    )
    session.flush()
    assert (
        session.scalar(
            select(func.count()).where(
                Transaction.household_id == household.id, Transaction.account_id == main.id
            )
        )
        == 2
    )


def test_another_households_account_is_refused(
    session: Session, settings: Settings, user: User, household: Household
) -> None:
    other = create_household(session, settings, user, name="Other")
    theirs = accounts.default_account(session, other)
    with pytest.raises(InvalidInputError) as caught:
        transactions.record_transaction(
            session,
            household,
            TransactionDraft(TODAY, Decimal("1.00"), "expense", account_id=theirs.id),
        )
    assert caught.value.field == "account_id"
    with pytest.raises(NotFoundError):
        accounts.get_account(session, household, theirs.id)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"close_day": None}, "close_day"),
        ({"charge_day": 32}, "charge_day"),
        ({"charged_to_id": None}, "charged_to_id"),
        ({"credit_limit": Decimal("-1.00")}, "credit_limit"),
        ({"name": "  "}, "name"),
        ({"kind": "shoebox"}, "kind"),
    ],
)
def test_a_card_needs_its_cycle_and_its_bank(
    session: Session, household: Household, changes: dict[str, object], field: str
) -> None:
    card = _card(session, household, accounts.default_account(session, household))
    with pytest.raises(InvalidInputError) as caught:
        accounts.update_account(session, household, card.id, changes, today=TODAY)
    assert caught.value.field == field


def test_a_card_is_charged_to_a_bank_account_only(session: Session, household: Household) -> None:
    main = accounts.default_account(session, household)
    card = _card(session, household, main)
    draft = AccountDraft(
        "Max", kind="credit_card", charged_to_id=card.id, close_day=2, charge_day=2
    )
    with pytest.raises(InvalidInputError) as caught:
        accounts.create_account(session, household, draft, today=TODAY)
    assert caught.value.field == "charged_to_id"
    with pytest.raises(InvalidInputError):
        accounts.create_account(
            session, household, AccountDraft("Wallet", kind="cash", close_day=1), today=TODAY
        )


def test_a_new_cards_charged_statements_are_history(session: Session, household: Household) -> None:
    # Closes on the 1st, charged on the 10th: on Dec 7 the Dec 1 statement is not charged
    # yet (so it is still to book); the Nov 1 one was charged on Nov 10.
    card = _card(session, household, accounts.default_account(session, household))
    assert card.booked_through == date(2026, 11, 1)
    late = _card(
        session, household, accounts.default_account(session, household), close_day=20, charge_day=2
    )
    # Closes on the 20th, charged on the 2nd: Nov 20's was charged Dec 2.
    assert late.booked_through == date(2026, 11, 20)


def test_archive_restore_default_reorder_and_delete(session: Session, household: Household) -> None:
    main = accounts.default_account(session, household)
    savings = _bank(session, household)
    card = _card(session, household, savings)
    with pytest.raises(ConflictError):
        accounts.archive_account(session, household, main.id, now=NOW)
    with pytest.raises(ConflictError):  # a card is charged to it
        accounts.archive_account(session, household, savings.id, now=NOW)
    accounts.archive_account(session, household, card.id, now=NOW)
    assert [a.id for a in accounts.list_accounts(session, household)] == [main.id, savings.id]
    with pytest.raises(InvalidInputError):  # nothing new goes into an archived account
        transactions.record_transaction(
            session, household, TransactionDraft(TODAY, Decimal(5), "expense", account_id=card.id)
        )
    accounts.restore_account(session, household, card.id)
    accounts.set_default(session, household, savings.id)
    assert accounts.default_account(session, household).id == savings.id
    assert not session.get(Account, main.id).is_default  # type: ignore[union-attr]
    with pytest.raises(InvalidInputError):
        accounts.set_default(session, household, card.id)
    order = [card.id, main.id, savings.id]
    assert [a.id for a in accounts.reorder_accounts(session, household, order)] == order
    with pytest.raises(InvalidInputError):
        accounts.reorder_accounts(session, household, [card.id, main.id])
    transactions.record_transaction(
        session, household, TransactionDraft(TODAY, Decimal(5), "expense", account_id=card.id)
    )
    with pytest.raises(ConflictError):
        accounts.delete_account(session, household, card.id)
    empty = _bank(session, household, "Empty")
    accounts.delete_account(session, household, empty.id)
    assert session.get(Account, empty.id) is None


def test_transfers_keep_two_different_accounts_of_the_household(
    session: Session, household: Household
) -> None:
    main = accounts.default_account(session, household)
    savings = _bank(session, household)
    moved = transfers.record_transfer(
        session, household, TransferDraft(TODAY, Decimal("500.00"), main.id, savings.id)
    )
    assert (moved.source, moved.to_amount) == ("manual", None)
    with pytest.raises(InvalidInputError) as same:
        transfers.record_transfer(
            session, household, TransferDraft(TODAY, Decimal("1.00"), main.id, main.id)
        )
    assert same.value.field == "to_account_id"
    dollars = accounts.create_account(
        session, household, AccountDraft("Dollars", currency="USD"), today=TODAY
    )
    with pytest.raises(InvalidInputError) as missing:
        transfers.record_transfer(
            session, household, TransferDraft(TODAY, Decimal("370.00"), main.id, dollars.id)
        )
    assert missing.value.field == "to_amount"
    abroad = transfers.record_transfer(
        session,
        household,
        TransferDraft(TODAY, Decimal("370.00"), main.id, dollars.id, to_amount=Decimal("100.00")),
    )
    assert [t.id for t in transfers.list_transfers(session, household, account_id=dollars.id)] == [
        abroad.id
    ]
    transfers.update_transfer(session, household, moved.id, {"amount": Decimal("600.00")})
    transfers.delete_transfer(session, household, moved.id)
    assert session.get(Transfer, moved.id) is None


def test_the_database_refuses_a_transfer_into_another_household(
    session: Session, settings: Settings, user: User, household: Household
) -> None:
    other = create_household(session, settings, user, name="Other")
    theirs = accounts.default_account(session, other)
    mine = accounts.default_account(session, household)
    session.add(
        Transfer(
            household_id=household.id,
            date=TODAY,
            amount=Decimal(1),
            from_account_id=mine.id,
            to_account_id=theirs.id,
        )
    )
    with pytest.raises(IntegrityError):
        session.flush()


def test_an_account_or_a_transfer_changes_the_data_version(
    session: Session, household: Household
) -> None:
    before = data_version(session, household)
    savings = _bank(session, household)
    added = data_version(session, household)
    assert added != before
    main = accounts.default_account(session, household)
    transfers.record_transfer(
        session, household, TransferDraft(TODAY, Decimal("50.00"), main.id, savings.id)
    )
    assert data_version(session, household) != added
