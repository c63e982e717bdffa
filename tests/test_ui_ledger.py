"""The ledger and categories pages, driven with AppTest against the real database."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker
from streamlit.testing.v1 import AppTest

from domain.config import PROJECT_ROOT
from domain.db.models import Category, Transaction, User
from domain.rules.dates import local_today
from tests.builders import make_transaction
from tests.conftest import PASSWORD, home_of

APP = str(PROJECT_ROOT / "streamlit_app" / "app.py")


@pytest.fixture
def db(engine: Engine) -> Iterator[Session]:
    """A session on committed data (the app runs its own units of work)."""
    with sessionmaker(bind=engine, expire_on_commit=False)() as session:
        yield session


def _logged_in(user: User, page: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.text_input[0].input(user.username)
    at.text_input[1].input(PASSWORD)
    at.button[0].click().run()
    at.switch_page(f"page_scripts/{page}.py").run()
    assert not at.exception, at.exception
    return at


def _edit(at: AppTest, key_name: str, edits: dict[str, object]) -> AppTest:
    key = at.session_state[key_name]
    at.session_state[key] = {"edited_rows": edits, "added_rows": [], "deleted_rows": []}
    return at.run()


def test_ledger_shows_today_rows_with_totals_and_saves_a_cell_edit(
    committed_user: User, db: Session
) -> None:
    home = home_of(db, committed_user)
    today = local_today(datetime.now(UTC), home.timezone)
    tx = make_transaction(db, home, amount="80.00", on=today, description="Falafel")
    db.commit()
    at = _logged_in(committed_user, "transactions")
    assert at.title[0].value == "Transactions"
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Expenses"] == "₪80.00"
    assert metrics["Transactions"] == "1"
    at = _edit(at, "ledger_editor_key", {"0": {"amount": "95.50"}})
    assert not at.exception
    db.expire_all()
    assert db.get(Transaction, tx.id).amount == Decimal("95.50")  # type: ignore[union-attr]
    assert {m.label: m.value for m in at.metric}["Expenses"] == "₪95.50"


def test_ledger_refuses_an_invalid_edit_with_a_message_beside_the_row(
    committed_user: User, db: Session
) -> None:
    home = home_of(db, committed_user)
    today = local_today(datetime.now(UTC), home.timezone)
    tx = make_transaction(db, home, amount="80.00", on=today)
    db.commit()
    at = _logged_in(committed_user, "transactions")
    at = _edit(at, "ledger_editor_key", {"0": {"amount": "1.005"}})
    assert not at.exception
    assert any("refused" in e.value for e in at.error)
    frame = at.data_editor[0].value
    assert "amount" in str(frame.loc[0, "issue"])
    assert frame.loc[0, "amount"] == "80.00"
    db.expire_all()
    assert db.get(Transaction, tx.id).amount == Decimal("80.00")  # type: ignore[union-attr]


def test_ledger_add_form_records_a_transaction(committed_user: User, db: Session) -> None:
    at = _logged_in(committed_user, "transactions")
    at.text_input(key="add_amount").input("42.10")
    at.text_input(key="add_description").input("Bakery")
    at.button(key="FormSubmitter:add_tx-Add").click().run()
    assert not at.exception
    stored = db.scalars(
        select(Transaction).where(Transaction.household_id == home_of(db, committed_user).id)
    ).all()
    assert [(t.amount, t.description) for t in stored] == [(Decimal("42.10"), "Bakery")]
    at.text_input(key="add_amount").input("abc")
    at.button(key="FormSubmitter:add_tx-Add").click().run()
    assert any("amount" in e.value for e in at.error)


def test_categories_page_archives_and_renames(committed_user: User, db: Session) -> None:
    at = _logged_in(committed_user, "categories")
    first = at.data_editor[0].value.loc[0, "name"]
    at = _edit(at, "categories_editor_key", {"0": {"archived": True, "name": "Wages"}})
    assert not at.exception
    db.expire_all()
    category = db.scalars(
        select(Category).where(
            Category.household_id == home_of(db, committed_user).id, Category.name == "Wages"
        )
    ).one()
    assert first == "Salary"
    assert category.archived_at is not None
    assert category.name == "Wages"
    at = _edit(at, "categories_editor_key", {"1": {"name": ""}})
    assert any("name" in e.value for e in at.error)


def test_ledger_filters_uncategorised_rows(committed_user: User, db: Session) -> None:
    home = home_of(db, committed_user)
    today = local_today(datetime.now(UTC), home.timezone)
    make_transaction(db, home, amount="11.00", on=today, category=None, description="Mystery")
    make_transaction(db, home, amount="22.00", on=today, description="Groceries run")
    db.commit()
    at = _logged_in(committed_user, "transactions")
    assert {m.label: m.value for m in at.metric}["Transactions"] == "2"
    at.toggle(key="f_uncategorised").set_value(True).run()
    assert {m.label: m.value for m in at.metric}["Transactions"] == "1"
    assert list(at.data_editor[0].value["description"]) == ["Mystery"]
