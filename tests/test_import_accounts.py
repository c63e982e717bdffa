"""Imports into accounts (#15): card signs, installments, card charges counted once.

A card file imported into a card account reads a positive amount as a charge; a bank file
whose line is a card's booked statement charge is matched to it instead of adding the
charge again; a line naming a card without a booked charge may become a transfer to it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from domain.config import Settings
from domain.db.card_bookings import CardCharge, book_charges
from domain.db.models import (
    Account,
    Household,
    ImportBatch,
    ImportKey,
    ImportProfile,
    RecurringBooking,
    Transaction,
    Transfer,
)
from domain.rules.import_rows import ImportRow, keyed
from domain.services import accounts
from domain.services.accounts import AccountDraft
from tests.conftest import home_of, make_user
from tests.io_support import counts, csv_file, io_client, post_file

TODAY = date(2026, 8, 15)
NOW = datetime(2026, 8, 15, 9, tzinfo=UTC)
EMPTY = {"transactions": 0, "import_keys": 0, "import_batches": 0, "import_profiles": 0}
# A plain export with one signed amount column, as a card site's "download" often gives.
PLAIN_CARD = [
    ["Date", "Amount", "Description"],
    ["03/07/2026", "245.90", "Shufersal Deal"],
    ["09/07/2026", "-45.00", "Super-Pharm refund"],
]
# A Max export (yaronmolho1/Expense-tracker docs/MAX-PARSER-SPEC.md): the charged amount,
# the original purchase amount beside it, and the installment in the notes column.
MAX = [
    ["כל המשתמשים"],
    ["כל הכרטיסים"],
    [
        "תאריך עסקה",
        "שם בית העסק",
        "קטגוריה",
        "סוג עסקה",
        "סכום חיוב",
        "מטבע חיוב",
        "סכום עסקה מקורי",
        "מטבע עסקה מקורי",
        "הערות",
    ],
    [
        "05/07/2026",
        "איקאה נתניה",
        "ריהוט",
        "תשלומים",
        "300.00",
        "₪",
        "3,600.00",
        "₪",
        "תשלום 2 מתוך 12",
    ],
    ["06/07/2026", "קפה גרג", "מסעדות", "רגילה", "18.00", "₪", "18.00", "₪", ""],
    ["07/07/2026", "NETFLIX.COM", "פנאי", "רגילה", "54.37", "₪", "15.99", "USD", ""],
    ["סך הכל", "", "", "", "372.37"],
]
# A Leumi current account with the card statements' debits among its lines.
LEUMI_HEADER = ["תאריך", "תאריך ערך", "תיאור", "אסמכתא", "בחובה", "בזכות", 'היתרה בש"ח']
LEUMI = [
    ["בנק לאומי - תנועות בחשבון"],
    LEUMI_HEADER,
    ["01/07/2026", "01/07/2026", "שכר דירה", "5001", "5,200.00", "", "4,800.00"],
    ["02/07/2026", "02/07/2026", "משכורת", "5002", "", "12,600.00", "17,400.00"],
    ["08/07/2026", "08/07/2026", "ישראכרט", "5003", "599.27", "", "16,800.73"],
    ["10/07/2026", "10/07/2026", "מקס איט פיננסים", "5004", "812.40", "", "15,988.33"],
]
ISRACARD_LINE, MAX_LINE = 5, 6


@pytest.fixture
def client(settings: Settings, session_factory: sessionmaker[Session]) -> Iterator[TestClient]:
    yield from io_client(settings, session_factory)


def _card(session: Session, household: Household, name: str, institution: str) -> Account:
    bank = accounts.default_account(session, household)
    draft = AccountDraft(
        name,
        kind="credit_card",
        institution=institution,
        charged_to_id=bank.id,
        close_day=1,
        charge_day=10,
    )
    return accounts.create_account(session, household, draft, today=TODAY)


def _book_charge(session: Session, card: Account, *, on: date, amount: str, closes: date) -> int:
    """The scheduler's booking of a statement charge: key and transfer, as booking writes them."""
    assert card.charged_to_id is not None
    charge = CardCharge(
        card.household_id,
        card.id,
        card.charged_to_id,
        closes,
        on,
        Decimal(amount),
        None,
        f"{card.name} statement",
    )
    ((_household, transfer_id),) = book_charges(session, [charge])
    assert transfer_id is not None
    return transfer_id


def _ledger(session: Session, household: Household) -> list[tuple[Any, ...]]:
    session.expire_all()
    rows = session.execute(
        select(
            Transaction.account_id,
            Transaction.date,
            Transaction.amount,
            Transaction.type,
            Transaction.description,
            Transaction.notes,
        )
        .where(Transaction.household_id == household.id)
        .order_by(Transaction.date, Transaction.id)
    )
    return [tuple(row) for row in rows]


def _transfers(session: Session, household: Household) -> list[tuple[Any, ...]]:
    session.expire_all()
    rows = session.execute(
        select(
            Transfer.from_account_id,
            Transfer.to_account_id,
            Transfer.date,
            Transfer.amount,
            Transfer.source,
            Transfer.description,
        )
        .where(Transfer.household_id == household.id)
        .order_by(Transfer.date, Transfer.id)
    )
    return [tuple(row) for row in rows]


def _signs(body: dict[str, Any]) -> list[tuple[str, str]]:
    return [(row["amount"], row["type"]) for row in body["rows"]]


def test_a_card_file_in_a_card_account_reads_a_positive_amount_as_a_charge(
    client: TestClient, session: Session, household: Household, headers: dict[str, str]
) -> None:
    card = _card(session, household, "Isracard Gold", "Isracard")
    session.commit()
    data = csv_file(PLAIN_CARD)
    bank = post_file(client, headers, data).json()
    assert _signs(bank) == [("245.90", "income"), ("45.00", "expense")]  # a bank's signs
    preview = post_file(client, headers, data, account_id=card.id).json()
    assert (preview["account_id"], preview["account_kind"]) == (card.id, "credit_card")
    assert preview["mapping"]["positive_means"] == "expense"
    assert _signs(preview) == [("245.90", "expense"), ("45.00", "income")]
    chosen = post_file(client, headers, data, account_id=card.id, positive_means="income").json()
    assert _signs(chosen) == [("245.90", "income"), ("45.00", "expense")]  # the user's word
    committed = post_file(client, headers, data, account_id=card.id, dry_run=False)
    assert committed.status_code == 200, committed.text
    assert (committed.json()["account_id"], committed.json()["imported"]) == (card.id, 2)
    assert [row[:4] for row in _ledger(session, household)] == [
        (card.id, date(2026, 7, 3), Decimal("245.90"), "expense"),
        (card.id, date(2026, 7, 9), Decimal("45.00"), "income"),
    ]
    # The next file of this shape goes into the card without being told, read as charges.
    later = csv_file([PLAIN_CARD[0], ["12/07/2026", "80.00", "Paz"]])
    remembered = post_file(client, headers, later).json()
    assert (remembered["remembered"], remembered["account_id"]) == (True, card.id)
    assert _signs(remembered) == [("80.00", "expense")]


def test_the_same_lines_in_two_accounts_are_not_duplicates_but_twice_in_one_are(
    client: TestClient, session: Session, household: Household, headers: dict[str, str]
) -> None:
    first = _card(session, household, "Isracard Gold", "Isracard")
    second = _card(session, household, "Isracard Family", "Isracard")
    session.commit()
    data = csv_file(PLAIN_CARD)
    one = post_file(client, headers, data, account_id=first.id, dry_run=False).json()
    two = post_file(client, headers, data, account_id=second.id, dry_run=False).json()
    again = post_file(client, headers, data, account_id=second.id, dry_run=False).json()
    assert [(r["imported"], r["skipped_duplicates"]) for r in (one, two, again)] == [
        (2, 0),
        (2, 0),
        (0, 2),
    ]
    assert sorted(row[0] for row in _ledger(session, household)) == sorted(
        [first.id, first.id, second.id, second.id]
    )


def test_an_installment_row_books_the_charged_amount_and_keeps_the_note(
    client: TestClient, session: Session, household: Household, headers: dict[str, str]
) -> None:
    card = _card(session, household, "Max", "Max")
    session.commit()
    response = post_file(
        client, headers, csv_file(MAX, encoding="cp1255"), account_id=card.id, dry_run=False
    )
    assert response.status_code == 200, response.text
    assert response.json()["skipped_lines"] == 1  # the totals line
    assert [row[2:] for row in _ledger(session, household)] == [
        (
            Decimal("300.00"),
            "expense",
            "איקאה נתניה",
            "תשלום 2 מתוך 12; סכום עסקה מקורי: 3,600.00",
        ),
        (Decimal("18.00"), "expense", "קפה גרג", ""),  # the same amount twice: no note
        (Decimal("54.37"), "expense", "NETFLIX.COM", "סכום עסקה מקורי: 15.99"),
    ]


def _bank_with_cards(session: Session, household: Household) -> tuple[Account, Account, Account]:
    bank = accounts.default_account(session, household)
    isracard = _card(session, household, "Isracard Gold", "Isracard")
    max_card = _card(session, household, "Max", "")
    return bank, isracard, max_card


def test_a_bank_line_that_is_a_booked_card_charge_is_matched_not_added(
    client: TestClient, session: Session, household: Household, headers: dict[str, str]
) -> None:
    bank, isracard, _max = _bank_with_cards(session, household)
    transfer_id = _book_charge(
        session, isracard, on=date(2026, 7, 10), amount="599.27", closes=date(2026, 7, 1)
    )
    session.commit()
    data = csv_file(LEUMI, encoding="cp1255")
    preview = post_file(client, headers, data).json()
    assert (preview["account_id"], preview["matched"], preview["new_rows"]) == (bank.id, 1, 3)
    by_line = {row["line"]: row for row in preview["rows"]}
    assert by_line[ISRACARD_LINE]["match"] == {
        "transfer_id": transfer_id,
        "card_id": isracard.id,
        "card": "Isracard Gold",
        "date": "2026-07-10",
        "amount": "599.27",
        "statement_close": "2026-07-01",
    }
    assert by_line[ISRACARD_LINE]["card_ids"] == []
    assert [by_line[n]["match"] for n in (3, 4)] == [None, None]
    assert counts(session, household) == EMPTY
    committed = post_file(client, headers, data, dry_run=False).json()
    assert (committed["imported"], committed["matched"], committed["transfers"]) == (3, 1, 0)
    described = [row[4] for row in _ledger(session, household)]
    assert "ישראכרט" not in described  # counted once: the card's purchases are the expense
    assert len(_transfers(session, household)) == 1  # only the booked charge
    again = post_file(client, headers, data, dry_run=False).json()
    assert (again["imported"], again["matched"], again["skipped_duplicates"]) == (0, 0, 4)
    shown = post_file(client, headers, data).json()
    assert (shown["duplicates"], shown["matched"], shown["new_rows"]) == (4, 0, 0)
    assert len(_ledger(session, household)) == 3


@pytest.mark.parametrize(
    ("on", "amount", "name"),
    [
        (date(2026, 7, 12), "599.27", "Isracard Gold"),  # four days from the line
        (date(2026, 7, 10), "599.29", "Isracard Gold"),  # two agorot off
        (date(2026, 7, 10), "599.28", "Isracard Gold"),  # one agora off still matches
    ],
    ids=["four-days", "two-agorot", "one-agora"],
)
def test_a_charge_matches_within_three_days_and_one_agora(
    client: TestClient,
    session: Session,
    household: Household,
    headers: dict[str, str],
    on: date,
    amount: str,
    name: str,
) -> None:
    isracard = _card(session, household, name, "Isracard")
    _book_charge(session, isracard, on=on, amount=amount, closes=date(2026, 7, 1))
    session.commit()
    preview = post_file(client, headers, csv_file(LEUMI[:5], encoding="cp1255")).json()
    line = next(row for row in preview["rows"] if row["line"] == ISRACARD_LINE)
    matches = amount == "599.28"
    assert (line["match"] is not None, preview["matched"]) == (matches, int(matches))
    assert line["card_ids"] == ([] if matches else [isracard.id])


def test_a_charge_out_of_another_bank_account_does_not_match(
    client: TestClient, session: Session, household: Household, headers: dict[str, str]
) -> None:
    other_bank = accounts.create_account(
        session, household, AccountDraft("Discount", kind="bank"), today=TODAY
    )
    draft = AccountDraft(
        "Isracard Gold",
        kind="credit_card",
        institution="Isracard",
        charged_to_id=other_bank.id,
        close_day=1,
        charge_day=10,
    )
    card = accounts.create_account(session, household, draft, today=TODAY)
    _book_charge(session, card, on=date(2026, 7, 10), amount="599.27", closes=date(2026, 7, 1))
    session.commit()
    preview = post_file(client, headers, csv_file(LEUMI, encoding="cp1255")).json()
    assert preview["matched"] == 0
    assert preview["card_debits"] == 1  # offered: it names the card


def test_an_unmatched_card_debit_is_offered_and_booked_as_a_transfer_to_the_chosen_card(
    client: TestClient, session: Session, household: Household, headers: dict[str, str]
) -> None:
    bank, isracard, max_card = _bank_with_cards(session, household)
    _book_charge(session, isracard, on=date(2026, 7, 10), amount="599.27", closes=date(2026, 7, 1))
    session.commit()
    data = csv_file(LEUMI, encoding="cp1255")
    preview = post_file(client, headers, data).json()
    by_line = {row["line"]: row for row in preview["rows"]}
    assert (by_line[MAX_LINE]["card_ids"], by_line[MAX_LINE]["transfer_to"]) == (
        [max_card.id],
        None,
    )
    assert (preview["card_debits"], preview["transfers"]) == (1, 0)
    choice = json.dumps({str(MAX_LINE): max_card.id})
    chosen = post_file(client, headers, data, transfers=choice).json()
    row = next(r for r in chosen["rows"] if r["line"] == MAX_LINE)
    assert (row["transfer_to"], chosen["card_debits"], chosen["transfers"]) == (max_card.id, 0, 1)
    assert chosen["new_rows"] == 3  # rent, salary and the transfer; the charge is matched
    committed = post_file(client, headers, data, transfers=choice, dry_run=False)
    assert committed.status_code == 200, committed.text
    body = committed.json()
    assert (body["imported"], body["matched"], body["transfers"]) == (2, 1, 1)
    moved = _transfers(session, household)
    assert (
        bank.id,
        max_card.id,
        date(2026, 7, 10),
        Decimal("812.40"),
        "card_statement",
        "מקס איט פיננסים",
    ) in moved
    # Paid on Max's charge day, it is the charge of the statement that closed on July 1:
    # it takes that statement's key, so the scheduler never charges it a second time.
    key = session.execute(
        select(RecurringBooking.due_date, RecurringBooking.transfer_id).where(
            RecurringBooking.source_kind == "card_statement",
            RecurringBooking.source_id == max_card.id,
        )
    ).one()
    assert key.due_date == date(2026, 7, 1)
    assert key.transfer_id == next(
        t.id for t in session.scalars(select(Transfer).where(Transfer.to_account_id == max_card.id))
    )
    assert [row[4] for row in _ledger(session, household)] == ["שכר דירה", "משכורת"]
    again = post_file(client, headers, data, transfers=choice, dry_run=False).json()
    assert (again["imported"], again["transfers"], again["skipped_duplicates"]) == (0, 0, 4)
    assert len(_transfers(session, household)) == 2
    batch = session.scalars(
        select(ImportBatch).where(ImportBatch.household_id == household.id).order_by(ImportBatch.id)
    ).first()
    assert batch is not None
    assert (batch.row_count, batch.imported_count, batch.skipped_count) == (4, 3, 1)


def _detail(response: Any) -> tuple[list[Any], str]:
    assert response.status_code == 422, response.text
    error = response.json()["detail"][0]
    return error["loc"], error["msg"]


def test_choices_that_cannot_be_are_refused_with_the_field_and_nothing_is_written(
    client: TestClient,
    session: Session,
    settings: Settings,
    household: Household,
    headers: dict[str, str],
) -> None:
    bank, isracard, max_card = _bank_with_cards(session, household)
    stranger = home_of(session, make_user(session, settings))
    foreign_bank = accounts.default_account(session, stranger)
    foreign_card = _card(session, stranger, "Cal", "Cal")
    archived = _card(session, household, "Old Diners", "Diners")
    accounts.archive_account(session, household, archived.id, now=NOW)
    session.commit()
    data = csv_file(LEUMI, encoding="cp1255")
    for account_id in (foreign_bank.id, foreign_card.id, archived.id):
        loc, _msg = _detail(post_file(client, headers, data, account_id=account_id, dry_run=False))
        assert loc[-1] == "account_id"
    for wrong in ("0", "-3", "abc", str(2**63)):
        loc, _msg = _detail(post_file(client, headers, data, account_id=wrong))
        assert loc[-1] == "account_id"
    refused = {
        "a stranger's card": ({MAX_LINE: foreign_card.id}, MAX_LINE, "no such card"),
        "an archived card": ({MAX_LINE: archived.id}, MAX_LINE, "no such card"),
        "not a card": ({MAX_LINE: bank.id}, MAX_LINE, "no such card"),
        "money in": ({4: max_card.id}, 4, "money in"),
        "no such line": ({99: max_card.id}, 99, "no transaction on this line"),
    }
    for case, (choice, line, message) in refused.items():
        body = json.dumps({str(k): v for k, v in choice.items()})
        loc, msg = _detail(post_file(client, headers, data, transfers=body, dry_run=False))
        assert (loc[1:], message in msg) == ([line, "transfers"], True), case
    for bad in ("{", "[1, 2]", '{"x": 1}', '{"5": 0}'):
        loc, _msg = _detail(post_file(client, headers, data, transfers=bad))
        assert "transfers" in loc, bad
    card_file = csv_file(PLAIN_CARD)
    picked = json.dumps({"2": max_card.id})
    loc, msg = _detail(
        post_file(client, headers, card_file, account_id=isracard.id, transfers=picked)
    )
    assert (loc[-1], "bank file" in msg) == ("transfers", True)
    assert counts(session, household) == EMPTY
    assert _transfers(session, household) == []


def test_a_matched_line_cannot_also_be_a_transfer(
    client: TestClient, session: Session, household: Household, headers: dict[str, str]
) -> None:
    _bank, isracard, _max = _bank_with_cards(session, household)
    _book_charge(session, isracard, on=date(2026, 7, 10), amount="599.27", closes=date(2026, 7, 1))
    session.commit()
    choice = json.dumps({str(ISRACARD_LINE): isracard.id})
    response = post_file(client, headers, csv_file(LEUMI, encoding="cp1255"), transfers=choice)
    loc, msg = _detail(response)
    assert loc[1:] == [ISRACARD_LINE, "transfers"]
    assert "already the booked charge of Isracard Gold on 10/07/2026" in msg


def test_keys_and_mappings_remembered_before_accounts_still_count(
    client: TestClient, session: Session, household: Household, headers: dict[str, str]
) -> None:
    """A key without an account marks a duplicate; an unchosen sign stored as income is none."""
    card = _card(session, household, "Isracard Gold", "Isracard")
    batch = ImportBatch(
        household_id=household.id,
        source="Old import",
        row_count=1,
        imported_count=1,
        skipped_count=0,
    )
    session.add(batch)
    session.flush()
    old = ImportRow(2, date(2026, 7, 3), Decimal("245.90"), "income", "Shufersal Deal")
    ((fingerprint, ordinal),) = keyed((old,))
    session.add(
        ImportKey(
            household_id=household.id,
            source="Old import",
            fingerprint=fingerprint,
            ordinal=ordinal,
            batch_id=batch.id,
        )
    )
    session.add(
        ImportProfile(
            household_id=household.id,
            signature=_signature(PLAIN_CARD[0]),
            source="Old import",
            columns=PLAIN_CARD[0],
            mapping={
                "date": "Date",
                "amount": "Amount",
                "description": "Description",
                "date_format": "DD/MM/YYYY",
                "decimal": ".",
                "positive_means": "income",
            },
        )
    )
    session.commit()
    bank = post_file(client, headers, csv_file(PLAIN_CARD)).json()
    assert (bank["source"], bank["duplicates"]) == ("Old import", 1)
    assert [row["duplicate"] for row in bank["rows"]] == [True, False]
    in_card = post_file(client, headers, csv_file(PLAIN_CARD), account_id=card.id).json()
    assert _signs(in_card) == [("245.90", "expense"), ("45.00", "income")]
    stored = session.scalar(
        select(func.count()).select_from(ImportKey).where(ImportKey.household_id == household.id)
    )
    assert stored == 1


def _signature(header: list[str]) -> str:
    from domain.rules.import_mapping import header_signature

    return header_signature(tuple(header))
