"""Rates in Settings, the original amount in the ledger, and a missing rate, through AppTest."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker
from streamlit.testing.v1 import AppTest

from domain.db.models import ExchangeRate, Transaction, User
from domain.rules.dates import local_today
from domain.rules.ledger import TransactionDraft
from domain.services.transactions import record_transaction
from tests.conftest import home_of
from tests.test_ui_ledger import _logged_in


@pytest.fixture
def db(engine: Engine) -> Iterator[Session]:
    """A session on committed data (the app runs its own units of work)."""
    with sessionmaker(bind=engine, expire_on_commit=False)() as session:
        yield session


def _by_label(at: AppTest, label: str) -> object:
    return next(w for w in at.text_input if w.label == label)


def test_settings_saves_a_typed_rate_and_lists_it(committed_user: User, db: Session) -> None:
    at = _logged_in(committed_user, "settings")
    assert any(h.value == "Exchange rates" for h in at.subheader)
    _by_label(at, "Currency").input("usd")  # type: ignore[attr-defined]
    _by_label(at, "Rate").input("3.7215")  # type: ignore[attr-defined]
    next(b for b in at.button if b.label == "Save rate").click().run()
    assert not at.exception, at.exception
    assert any(s.value == "Rate saved." for s in at.success)
    stored = db.scalars(
        select(ExchangeRate).where(ExchangeRate.household_id == home_of(db, committed_user).id)
    )
    assert [(r.currency, r.rate) for r in stored] == [("USD", Decimal("3.721500"))]


def test_ledger_adds_and_shows_an_original_amount(committed_user: User, db: Session) -> None:
    at = _logged_in(committed_user, "transactions")
    _by_label(at, "Amount").input("372.15")  # type: ignore[attr-defined]
    _by_label(at, "Original amount").input("100.00")  # type: ignore[attr-defined]
    _by_label(at, "Original currency").input("usd")  # type: ignore[attr-defined]
    next(b for b in at.button if b.label == "Add").click().run()
    assert not at.exception, at.exception
    row = db.scalars(
        select(Transaction).where(Transaction.household_id == home_of(db, committed_user).id)
    ).one()
    assert (row.amount, row.original_amount, row.original_currency) == (
        Decimal("372.15"),
        Decimal("100.00"),
        "USD",
    )
    at.run()
    [grid] = at.dataframe
    assert list(grid.value["original"]) == [
        "US$100.00"
    ]  # Babel, en_IL: the dollar sign names its country


def test_a_missing_rate_shows_an_error_naming_it(committed_user: User, db: Session) -> None:
    home = home_of(db, committed_user)
    today = local_today(datetime.now(UTC), home.timezone)
    draft = TransactionDraft(today, Decimal("10.00"), "expense", currency="USD")
    record_transaction(db, home, draft)
    db.commit()
    at = _logged_in_allowing_errors(committed_user)
    assert any("No USD exchange rate" in e.value for e in at.error), [e.value for e in at.error]


def _logged_in_allowing_errors(user: User) -> AppTest:
    from tests.conftest import PASSWORD
    from tests.test_ui_ledger import APP

    at = AppTest.from_file(APP, default_timeout=60).run()
    at.text_input[0].input(user.username)
    at.text_input[1].input(PASSWORD)
    at.button[0].click().run()
    return at
