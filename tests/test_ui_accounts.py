"""The accounts page, the ledger's account filter and the transfer form, driven with AppTest.

A household like the demo's (a bank account with a balance, savings, two credit cards
charged to the bank) against the real database.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from domain.db.models import (
    Account,
    FixedItem,
    Household,
    InstallmentPlan,
    Membership,
    Transfer,
    User,
)
from domain.rules.dates import local_today
from domain.rules.ledger import LedgerFilter, TransactionDraft
from domain.services import accounts, balance, fixed, transactions
from domain.services.accounts import AccountDraft
from domain.services.demo import seed_demo_history, seed_demo_sources
from domain.services.users import set_language
from tests.builders import category_named
from tests.conftest import home_of
from tests.test_ui_ledger import _logged_in, db

__all__ = ["db"]  # the committed-data session, as a fixture of this module


@dataclass(frozen=True)
class Places:
    """The household's accounts by role."""

    bank: int
    savings: int
    isracard: int
    max: int
    today: date


def _card(db: Session, home: Household, name: str, days: tuple[int, int], limit: str) -> int:
    bank = accounts.default_account(db, home)
    today = local_today(datetime.now(UTC), home.timezone)
    draft = AccountDraft(
        name=name,
        kind="credit_card",
        institution=name,
        charged_to_id=bank.id,
        close_day=days[0],
        charge_day=days[1],
        credit_limit=Decimal(limit),
    )
    return accounts.create_account(db, home, draft, today=today).id


def _spend(db: Session, home: Household, account_id: int, amount: str, on: date, what: str) -> None:
    draft = TransactionDraft(
        date=on,
        amount=Decimal(amount),
        type="expense",
        category_id=category_named(db, home, "Groceries").id,
        description=what,
        account_id=account_id,
    )
    transactions.record_transaction(db, home, draft)


def _demo_like(db: Session, user: User) -> Places:
    """Main account with 10,000.00 yesterday, Savings, Isracard and Max, two purchases on cards."""
    home = home_of(db, user)
    today = local_today(datetime.now(UTC), home.timezone)
    bank = accounts.default_account(db, home).id
    savings = accounts.create_account(
        db, home, AccountDraft(name="Savings", kind="savings", institution="Leumi"), today=today
    ).id
    isracard = _card(db, home, "Isracard", (31, 2), "15000.00")
    max_card = _card(db, home, "Max", (7, 10), "10000.00")
    yesterday = today - timedelta(days=1)
    balance.record_balance(db, home, amount=Decimal("10000.00"), as_of=yesterday, today=today)
    _spend(db, home, isracard, "500.00", today, "Shufersal")
    _spend(db, home, max_card, "120.00", today, "Paz fuel")
    db.commit()
    return Places(bank, savings, isracard, max_card, today)


def _table(at: AppTest, *columns: str) -> pd.DataFrame:
    """The first read-only table with these columns (the accounts, a statement's lines)."""
    for frame in at.dataframe:
        if set(columns) <= set(frame.value.columns):
            return frame.value
    raise AssertionError([list(f.value.columns) for f in at.dataframe])


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _page(user: User) -> AppTest:
    at = _logged_in(user, "accounts")
    assert at.title[0].value == "Accounts"
    return at


def test_the_accounts_page_lists_each_account_with_its_balance_and_each_cards_limit(
    committed_user: User, db: Session
) -> None:
    _demo_like(db, committed_user)
    at = _page(committed_user)
    table = _table(at, "institution")
    listed = dict(zip(table["name"], table["balance"], strict=True))
    assert listed == {
        "Main account": "₪10,000.00",
        "Savings": "₪0.00",
        "Isracard": "-₪500.00",
        "Max": "-₪120.00",
    }
    assert list(table["kind"]) == ["Bank account", "Savings", "Credit card", "Credit card"]
    metrics = _metrics(at)
    assert metrics["Your money"] == "₪10,000.00"
    assert metrics["Owed on cards"] == "₪620.00"
    bars = [p.proto.text for p in at.get("progress")]
    assert "Used ₪500.00 of ₪15,000.00 (3%)" in bars
    assert "Used ₪120.00 of ₪10,000.00 (1%)" in bars


def test_a_card_is_added_with_its_bank_close_and_charge_days_and_limit(
    committed_user: User, db: Session
) -> None:
    places = _demo_like(db, committed_user)
    at = _page(committed_user)
    at.selectbox(key="account_add_kind").set_value("credit_card").run()
    at.text_input(key="account_add_name").input("Cal")
    at.text_input(key="account_add_institution").input("Cal")
    at.number_input(key="account_add_close_day").set_value(14)
    at.number_input(key="account_add_charge_day").set_value(15)
    at.text_input(key="account_add_limit").input("8,000")
    at.button(key="FormSubmitter:account_add-Add").click().run()
    assert not at.exception, at.exception
    assert [s.value for s in at.success] == ["Account added."]
    db.expire_all()
    card = db.scalars(
        select(Account).where(
            Account.household_id == home_of(db, committed_user).id, Account.name == "Cal"
        )
    ).one()
    assert (card.kind, card.charged_to_id, card.close_day, card.charge_day) == (
        "credit_card",
        places.bank,
        14,
        15,
    )
    assert card.credit_limit == Decimal("8000.00")
    assert "Cal" in list(_table(at, "institution")["name"])
    at.text_input(key="account_add_name").input("No days")
    at.number_input(key="account_add_close_day").set_value(None)
    at.button(key="FormSubmitter:account_add-Add").click().run()
    assert any("close_day" in e.value for e in at.error)


def test_a_transfer_through_the_form_leaves_the_household_total_unchanged(
    committed_user: User, db: Session
) -> None:
    places = _demo_like(db, committed_user)
    at = _page(committed_user)
    before = _metrics(at)["Your money"]
    at.selectbox(key="transfer_from").set_value(places.bank)
    at.selectbox(key="transfer_to").set_value(places.savings)
    at.text_input(key="transfer_amount").input("2,500")
    at.text_input(key="transfer_description").input("To savings")
    at.button(key="FormSubmitter:transfer-Move").click().run()
    assert not at.exception, at.exception
    assert any("Moved ₪2,500.00" in s.value for s in at.success)
    assert _metrics(at)["Your money"] == before == "₪10,000.00"
    table = _table(at, "institution")
    listed = dict(zip(table["name"], table["balance"], strict=True))
    assert (listed["Main account"], listed["Savings"]) == ("₪7,500.00", "₪2,500.00")
    db.expire_all()
    moved = db.scalars(select(Transfer).where(Transfer.to_account_id == places.savings)).one()
    assert (moved.amount, moved.from_account_id) == (Decimal("2500.00"), places.bank)
    recent = at.data_editor[0].value
    assert list(recent["description"]) == ["To savings"]
    at.text_input(key="transfer_amount").input("10")
    at.selectbox(key="transfer_to").set_value(places.bank)
    at.button(key="FormSubmitter:transfer-Move").click().run()
    assert any("to_account_id" in e.value for e in at.error)


def test_the_statement_view_shows_a_cards_lines_and_total(
    committed_user: User, db: Session
) -> None:
    places = _demo_like(db, committed_user)
    home = home_of(db, committed_user)
    _spend(db, home, places.isracard, "80.50", places.today, "Super-Pharm")
    db.commit()
    at = _page(committed_user)
    at.selectbox(key="statement_card").set_value(places.isracard).run()
    assert not at.exception, at.exception
    lines = _table(at, "kind", "description")
    assert sorted(lines["description"]) == ["Shufersal", "Super-Pharm"]
    assert set(lines["kind"]) == {"purchase"}
    metrics = _metrics(at)
    assert metrics["Total"] == "₪580.50"
    assert metrics["Purchases"] == "₪580.50"
    picked = at.selectbox(key=f"statement_of_{places.isracard}")
    assert picked.value is not None
    assert "open" in picked.format_func(picked.value)
    picked.set_value(int(picked.value) - 1).run()
    assert _metrics(at)["Total"] == "₪0.00"
    assert any("Nothing on this statement." in i.value for i in at.info)


def test_the_ledger_filters_by_account_and_shows_each_rows_account(
    committed_user: User, db: Session
) -> None:
    _demo_like(db, committed_user)
    at = _logged_in(committed_user, "transactions")
    assert _metrics(at)["Transactions"] == "2"
    assert sorted(at.data_editor[0].value["account"]) == ["Isracard", "Max"]
    at.selectbox(key="f_account").set_value("Max").run()
    assert _metrics(at)["Transactions"] == "1"
    assert list(at.data_editor[0].value["description"]) == ["Paz fuel"]
    assert _metrics(at)["Expenses"] == "₪120.00"
    at.selectbox(key="f_account").set_value("Main account").run()
    assert _metrics(at)["Transactions"] == "0"


def test_the_ledgers_add_form_records_into_the_chosen_account(
    committed_user: User, db: Session
) -> None:
    places = _demo_like(db, committed_user)
    at = _logged_in(committed_user, "transactions")
    assert at.selectbox(key="add_account").value == places.bank
    at.selectbox(key="add_account").set_value(places.max)
    at.text_input(key="add_amount").input("42.10")
    at.text_input(key="add_description").input("Aroma")
    at.button(key="FormSubmitter:add_tx-Add").click().run()
    assert not at.exception, at.exception
    rows = transactions.list_transactions(
        db, home_of(db, committed_user), LedgerFilter(text="Aroma")
    ).rows
    assert [r.account_id for r in rows] == [places.max]


def test_a_viewer_sees_the_accounts_but_no_form_or_button(
    committed_people: Callable[[], User], db: Session
) -> None:
    owner, viewer = committed_people(), committed_people()
    _demo_like(db, owner)
    home = home_of(db, owner)
    db.add(Membership(household_id=home.id, user_id=viewer.id, role="viewer"))
    row = db.get(User, viewer.id)
    assert row is not None
    row.default_household_id = home.id
    db.add(
        Transfer(
            household_id=home.id,
            date=local_today(datetime.now(UTC), home.timezone),
            amount=Decimal("100.00"),
            from_account_id=accounts.default_account(db, home).id,
            to_account_id=db.scalars(
                select(Account.id).where(Account.household_id == home.id, Account.name == "Savings")
            ).one(),
        )
    )
    db.commit()
    at = _page(viewer)
    assert len(_table(at, "institution")) == 4
    assert not at.main.button
    assert not at.main.text_input
    assert at.data_editor[0].proto.disabled
    assert any("viewer" in i.value for i in at.info)


def test_the_forecast_follows_the_chosen_account(committed_user: User, db: Session) -> None:
    _demo_like(db, committed_user)
    at = _logged_in(committed_user, "forecast")
    household = _metrics(at)["Lowest balance"]
    assert household != "₪0.00"
    at.selectbox(key="forecast_account").set_value("Savings").run()
    assert not at.exception, at.exception
    assert _metrics(at)["Lowest balance"] == "₪0.00"
    at.selectbox(key="forecast_account").set_value("Max").run()
    assert any("what it owes" in c.value for c in at.caption)
    assert not at.success
    assert not [w for w in at.warning if "Safe to spend" in w.value]


def test_the_home_page_shows_one_accounts_month_and_expenses(
    committed_user: User, db: Session
) -> None:
    _demo_like(db, committed_user)
    at = _logged_in(committed_user, "home")
    assert _metrics(at)["Expenses this month"] == "₪620.00"
    at.selectbox(key="home_account").set_value("Max").run()
    assert not at.exception, at.exception
    assert _metrics(at)["Expenses this month"] == "₪120.00"
    assert _metrics(at)["Balance now"] == "-₪120.00"
    top = _table(at, "description", "category")
    assert list(top["description"]) == ["Paz fuel"]
    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    past = [t for chart in charts for t in chart["data"] if t.get("name") == "Past"]
    assert past  # the card's own past: what it owed, day by day
    assert past[0]["y"][-1] == -120.0


def test_an_installment_plan_is_added_on_a_card(committed_user: User, db: Session) -> None:
    places = _demo_like(db, committed_user)
    at = _logged_in(committed_user, "installments")
    at.text_input(key="plan_add_name").input("Fridge")
    at.text_input(key="plan_add_total").input("3600")
    at.selectbox(key="plan_add_account").set_value("Isracard")
    at.button(key="FormSubmitter:plan_add-Add").click().run()
    assert not at.exception, at.exception
    db.expire_all()
    plan = db.scalars(select(InstallmentPlan).where(InstallmentPlan.name == "Fridge")).one()
    assert plan.account_id == places.isracard
    assert any(c.value == "Account: Isracard" for c in at.caption)


def test_a_hebrew_reader_sees_the_accounts_page_in_hebrew_with_shekels(
    committed_user: User, db: Session
) -> None:
    _demo_like(db, committed_user)
    person = db.get(User, committed_user.id)
    assert person is not None
    set_language(db, person, "he")
    db.commit()
    at = _logged_in(committed_user, "accounts")
    assert at.title[0].value == "חשבונות"
    assert _metrics(at)["הכסף שלך"] == "\u200f10,000.00\xa0\u200f₪"
    kinds = list(_table(at, "institution")["kind"])
    assert kinds == ["חשבון בנק", "חיסכון", "כרטיס אשראי", "כרטיס אשראי"]
    assert at.selectbox(key="transfer_from").label == "מחשבון"


def test_the_demo_households_accounts_cards_and_statements(
    committed_user: User, db: Session
) -> None:
    home = home_of(db, committed_user)
    today = local_today(datetime.now(UTC), home.timezone)
    seed_demo_history(db, home, today)
    seed_demo_sources(db, home, today)
    db.commit()
    at = _page(committed_user)
    table = _table(at, "institution")
    assert list(table["name"]) == ["Main account", "Savings", "Isracard", "Max"]
    assert list(table["institution"]) == ["Bank Leumi", "Bank Leumi", "Isracard", "Max"]
    saved = Decimal(table["balance"].iloc[1].lstrip("₪").replace(",", ""))
    assert saved >= 12 * Decimal(500)  # 500.00 saved each month for two years
    assert saved % 500 == 0
    charge_days = {
        int(c.value.split("charged on day ")[1]) for c in at.caption if "charged on day" in c.value
    }
    assert charge_days == {2, 10}
    max_id = db.scalars(
        select(Account.id).where(Account.household_id == home.id, Account.name == "Max")
    ).one()
    at.selectbox(key="statement_card").set_value(max_id).run()
    assert not at.exception, at.exception
    picked = at.selectbox(key=f"statement_of_{max_id}")
    assert picked.value is not None
    picked.set_value(int(picked.value) - 1).run()  # the last closed statement
    lines = _table(at, "kind", "description")
    assert not lines.empty
    for page in ("transactions", "forecast", "home", "fixed", "installments", "loans"):
        at.switch_page(f"page_scripts/{page}.py").run()
        assert not at.exception, (page, at.exception)


def test_a_fixed_item_moves_to_another_account_in_the_grid(
    committed_user: User, db: Session
) -> None:
    places = _demo_like(db, committed_user)
    home = home_of(db, committed_user)
    item = fixed.create_fixed(
        db,
        home,
        name="Spotify",
        amount=Decimal("19.90"),
        type="expense",
        frequency="monthly",
        start_date=places.today,
    )
    db.commit()
    at = _logged_in(committed_user, "fixed")
    assert list(at.data_editor[0].value["account"]) == ["Main account"]
    key = at.session_state["fixed_editor_key"]
    at.session_state[key] = {
        "edited_rows": {"0": {"account": "Max"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    assert not at.exception, at.exception
    db.expire_all()
    moved = db.get(FixedItem, item.id)
    assert moved is not None
    assert moved.account_id == places.max
    assert list(at.data_editor[0].value["account"]) == ["Max"]


def test_an_account_is_moved_archived_and_restored(committed_user: User, db: Session) -> None:
    places = _demo_like(db, committed_user)
    at = _page(committed_user)
    at.selectbox(key="account_edit_pick").set_value(places.max).run()
    at.button(key=f"account_move_-1_{places.max}").click().run()
    assert not at.exception, at.exception
    assert list(_table(at, "institution")["name"]) == ["Main account", "Savings", "Max", "Isracard"]
    at.selectbox(key="account_edit_pick").set_value(places.savings).run()
    at.button(key=f"account_archive_{places.savings}").click().run()
    assert [s.value for s in at.success] == ["Archived."]
    notes = dict(zip(*(_table(at, "institution")[c] for c in ("name", "note")), strict=True))
    assert notes["Savings"] == "archived"
    assert "Savings" not in at.selectbox(key="transfer_to").options
    at.button(key=f"account_restore_{places.savings}").click().run()
    db.expire_all()
    assert db.get(Account, places.savings).archived_at is None  # type: ignore[union-attr]
    at.selectbox(key="account_edit_pick").set_value(places.bank).run()
    assert f"account_archive_{places.bank}" not in {b.key for b in at.button}  # the default
