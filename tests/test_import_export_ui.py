"""The import and export page, driven with AppTest against the real database."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker
from streamlit.testing.v1 import AppTest

from domain.db.card_bookings import CardCharge, book_charges
from domain.db.models import Account, Category, Household, Transaction, Transfer, User
from domain.rules.import_files import MAX_BYTES
from domain.services import accounts
from domain.services.accounts import AccountDraft
from tests.conftest import home_of
from tests.io_support import csv_file
from tests.test_ui_ledger import _logged_in

HEADER = ["תאריך", "תיאור", "חובה", "זכות"]
ROWS = [
    ["01/03/2026", "שופרסל דיל", "1,234.50", ""],
    ["02/03/2026", "משכורת", "", "12,600.00"],
    ["05/03/2026", "קפה גרג", "18.00", ""],
]


@pytest.fixture
def db(engine: Engine) -> Iterator[Session]:
    """A session on committed data (the page runs its own units of work)."""
    with sessionmaker(bind=engine, expire_on_commit=False)() as session:
        yield session


def _ledger(db: Session, user: User) -> list[tuple[str, Decimal, int | None]]:
    db.expire_all()
    rows = db.execute(
        select(Transaction.description, Transaction.amount, Transaction.category_id)
        .where(Transaction.household_id == home_of(db, user).id)
        .order_by(Transaction.date)
    )
    return [tuple(row) for row in rows]  # type: ignore[misc]


def _upload(at: AppTest, data: bytes, name: str = "leumi.csv") -> AppTest:
    at.file_uploader(key="io_file").set_value((name, data, "text/csv"))
    return at.run()


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_errors_first_then_commit_then_nothing_twice(committed_user: User, db: Session) -> None:
    at = _logged_in(committed_user, "import_export")
    assert at.title[0].value == "Import & export"
    bad = csv_file([HEADER, *ROWS, ["06/03/2026", "ארנונה", "689.905", ""]], encoding="cp1255")
    at = _upload(at, bad)
    assert not at.exception, at.exception
    assert _metrics(at)["Errors"] == "1"
    assert any("nothing can be imported" in e.value for e in at.error)
    assert at.button(key="io_commit").disabled
    at = _upload(at, csv_file([HEADER, *ROWS], encoding="cp1255"))
    assert (_metrics(at)["Rows"], _metrics(at)["New"]) == ("3", "3")
    at.button(key="io_commit").click().run()
    assert not at.exception, at.exception
    assert any("Imported 3 transactions" in s.value for s in at.success)
    assert [row[:2] for row in _ledger(db, committed_user)] == [
        ("שופרסל דיל", Decimal("1234.50")),
        ("משכורת", Decimal("12600.00")),
        ("קפה גרג", Decimal("18.00")),
    ]
    assert (_metrics(at)["New"], _metrics(at)["Already imported"]) == ("0", "3")
    assert at.button(key="io_commit").disabled


def test_columns_the_page_cannot_recognise_are_mapped_by_hand(
    committed_user: User, db: Session
) -> None:
    at = _logged_in(committed_user, "import_export")
    data = csv_file([["Wann", "Betrag", "Was"], ["02.03.2026", "-12,50", "Brot"]], sep=";")
    at = _upload(at, data)
    assert any("could not tell which columns" in e.value for e in at.error)
    at.selectbox(key="io_map_date").select("Wann")
    at.selectbox(key="io_map_amount").select("Betrag")
    at.selectbox(key="io_map_description").select("Was").run()
    assert not at.exception, at.exception
    assert (_metrics(at)["New"], _metrics(at)["Errors"]) == ("1", "0")
    at.button(key="io_commit").click().run()
    assert _ledger(db, committed_user) == [("Brot", Decimal("12.50"), None)]


def test_uncategorised_rows_are_sorted_out_and_remembered(
    committed_user: User, db: Session
) -> None:
    at = _logged_in(committed_user, "import_export")
    at = _upload(at, csv_file([HEADER, *ROWS], encoding="cp1255"))
    at.button(key="io_commit").click().run()
    frame = at.data_editor(key="io_uncategorised").value
    coffee = list(frame["description"]).index("קפה גרג")
    at.session_state["io_uncategorised"] = {
        "edited_rows": {coffee: {"category": "Dining out"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    at.button(key="io_apply_categories").click().run()
    assert not at.exception, at.exception
    assert any("Categorised 1 transactions" in s.value for s in at.success)
    dining = db.scalars(
        select(Category.id).where(
            Category.household_id == home_of(db, committed_user).id, Category.name == "Dining out"
        )
    ).one()
    assert _ledger(db, committed_user)[2] == ("קפה גרג", Decimal("18.00"), dining)
    labels = [getattr(b, "label", "") for b in at.get("download_button")]
    assert labels == ["Download CSV", "Download workbook", "Download report"]


def test_the_uploader_states_the_servers_10_mb_limit_and_a_statement_imports_in_one_go(
    committed_user: User, db: Session
) -> None:
    at = _logged_in(committed_user, "import_export")
    uploader = at.file_uploader(key="io_file")
    assert uploader.proto.max_upload_size_mb == MAX_BYTES // (1024 * 1024) == 10
    assert "10 MB" in uploader.proto.help
    statement = [
        ["תנועות בחשבון 12-345-678901"],
        HEADER,
        *ROWS,
        ['סה"כ', "", "1,252.50", "12,600.00"],
    ]
    at = _upload(at, csv_file(statement, encoding="cp1255"))
    assert not at.exception, at.exception
    assert (_metrics(at)["Errors"], _metrics(at)["Skipped lines"]) == ("0", "1")
    skipped = next(d.value for d in at.dataframe if "reason" in d.value.columns)
    assert list(skipped["line"]) == [6]
    assert list(skipped["reason"]) == ['a totals line ("סה"כ")']
    at.button(key="io_commit").click().run()
    assert any("1 lines that are not transactions were skipped" in s.value for s in at.success)
    assert len(_ledger(db, committed_user)) == 3


def _card(db: Session, home: Household, name: str, institution: str) -> Account:
    bank = accounts.default_account(db, home)
    draft = AccountDraft(
        name,
        kind="credit_card",
        institution=institution,
        charged_to_id=bank.id,
        close_day=1,
        charge_day=10,
    )
    return accounts.create_account(db, home, draft, today=date(2026, 8, 15))


def _accounts_of(db: Session, user: User) -> list[tuple[int, Decimal, str]]:
    db.expire_all()
    rows = db.execute(
        select(Transaction.account_id, Transaction.amount, Transaction.type)
        .where(Transaction.household_id == home_of(db, user).id)
        .order_by(Transaction.date)
    )
    return [tuple(row) for row in rows]  # type: ignore[misc]


CARD_HEADER = ["Date", "Amount", "Description"]


def test_a_card_file_goes_into_the_card_chosen_and_the_next_one_remembers_it(
    committed_user: User, db: Session
) -> None:
    home = home_of(db, committed_user)
    main = accounts.default_account(db, home)
    card = _card(db, home, "Isracard Gold", "Isracard")
    db.commit()
    at = _logged_in(committed_user, "import_export")
    rows = [CARD_HEADER, ["03/07/2026", "245.90", "Shufersal"], ["09/07/2026", "-45.00", "Refund"]]
    at = _upload(at, csv_file(rows), "card.csv")
    assert at.selectbox(key="io_account").value == main.id
    at.selectbox(key="io_account").set_value(card.id).run()
    assert not at.exception, at.exception
    table = next(d.value for d in at.dataframe if "amount" in d.value.columns)
    assert list(table["type"]) == ["expense", "income"]
    at.button(key="io_commit").click().run()
    assert _accounts_of(db, committed_user) == [
        (card.id, Decimal("245.90"), "expense"),
        (card.id, Decimal("45.00"), "income"),
    ]
    at = _upload(at, csv_file([CARD_HEADER, ["12/07/2026", "80.00", "Paz"]]), "card2.csv")
    assert at.selectbox(key="io_account").value == card.id


def test_card_debits_of_a_bank_file_are_matched_or_booked_as_transfers(
    committed_user: User, db: Session
) -> None:
    home = home_of(db, committed_user)
    main = accounts.default_account(db, home)
    isracard = _card(db, home, "Isracard Gold", "Isracard")
    max_card = _card(db, home, "Max", "Max")
    charge = CardCharge(
        home.id, isracard.id, main.id, date(2026, 7, 1), date(2026, 7, 10),
        Decimal("599.27"), None, "Isracard Gold statement",
    )  # fmt: skip
    book_charges(db, [charge])
    db.commit()
    at = _logged_in(committed_user, "import_export")
    bank = [
        HEADER,
        ["01/07/2026", "שכר דירה", "5,200.00", ""],
        ["09/07/2026", "ישראכרט", "599.27", ""],
        ["10/07/2026", "מקס איט פיננסים", "812.40", ""],
    ]
    at = _upload(at, csv_file(bank, encoding="cp1255"))
    assert not at.exception, at.exception
    assert any("card charge already booked" in i.value for i in at.info)
    assert _metrics(at)["New"] == "2"
    pick = at.selectbox(key="io_transfer_4")
    assert pick.value == 0
    assert pick.options[:2] == ["Keep as an expense", "Transfer to Max (credit card)"]
    pick.set_value(max_card.id).run()
    # Into a card the file pays no card: the choice is not sent, nothing is refused.
    at.selectbox(key="io_account").set_value(isracard.id).run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert not [s for s in at.selectbox if str(s.key).startswith("io_transfer_")]
    at.selectbox(key="io_account").set_value(main.id).run()
    at.selectbox(key="io_transfer_4").set_value(max_card.id).run()
    assert not at.exception, at.exception
    table = next(d.value for d in at.dataframe if "card" in d.value.columns)
    assert list(table["card"]) == [
        "",
        "charge of Isracard Gold on 10/07/2026",
        "transfer to Max (credit card)",
    ]
    at.button(key="io_commit").click().run()
    assert not at.exception, at.exception
    assert any("1 card charges were matched" in s.value for s in at.success)
    assert _accounts_of(db, committed_user) == [(main.id, Decimal("5200.00"), "expense")]
    moved = db.execute(
        select(Transfer.to_account_id, Transfer.amount, Transfer.source).where(
            Transfer.household_id == home.id, Transfer.to_account_id == max_card.id
        )
    ).all()
    # Paid on about Max's charge day: that statement's charge, keyed so it is never charged again.
    assert [tuple(m) for m in moved] == [(max_card.id, Decimal("812.40"), "card_statement")]
