"""The ledger grid's new rows, filter notes, confirmed deletes with Undo, and the add form."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from domain.db.models import Transaction, User
from domain.rules.dates import local_today
from tests.builders import make_transaction
from tests.conftest import home_of
from tests.test_ui_ledger import _logged_in, db

__all__ = ["db"]  # the committed-data session, as a fixture of this module


def _stored(db: Session, user: User) -> list[tuple[Any, ...]]:
    db.expire_all()
    rows = db.scalars(
        select(Transaction)
        .where(Transaction.household_id == home_of(db, user).id)
        .order_by(Transaction.id)
    ).all()
    return [
        (t.date, t.type, t.amount, t.description, t.notes, t.category_id, t.source) for t in rows
    ]


def _change(at: AppTest, **parts: Any) -> AppTest:
    key = at.session_state["ledger_editor_key"]
    at.session_state[key] = {"edited_rows": {}, "added_rows": [], "deleted_rows": []} | parts
    return at.run()


def test_a_new_row_is_saved_only_once_date_type_amount_and_description_are_filled(
    committed_user: User, db: Session
) -> None:
    today = local_today(datetime.now(UTC), home_of(db, committed_user).timezone)
    at = _logged_in(committed_user, "transactions")
    first = at.session_state["ledger_editor_key"]
    at = _change(at, added_rows=[{"date": today.isoformat(), "type": "expense", "amount": "12"}])
    assert not at.exception, at.exception
    assert _stored(db, committed_user) == []
    assert any("saved once it has a date, type, amount" in i.value for i in at.info)
    assert at.session_state["ledger_editor_key"] == first  # the editor keeps the typing
    row = {"date": today.isoformat(), "type": "expense", "amount": "12", "description": "Bread"}
    at = _change(at, added_rows=[row])
    assert not at.exception, at.exception
    assert [(r[2], r[3]) for r in _stored(db, committed_user)] == [(Decimal("12.00"), "Bread")]
    assert list(at.data_editor[0].value["description"]) == ["Bread"]


def test_a_new_row_the_filter_hides_stays_with_a_note_until_the_next_search(
    committed_user: User, db: Session
) -> None:
    home = home_of(db, committed_user)
    today = local_today(datetime.now(UTC), home.timezone)
    make_transaction(db, home, amount="30.00", on=today, description="Falafel")
    db.commit()
    at = _logged_in(committed_user, "transactions")
    at.text_input(key="f_text").input("Falafel").run()
    row = {"date": today.isoformat(), "type": "expense", "amount": "5", "description": "Bread"}
    at = _change(at, added_rows=[row])
    assert not at.exception, at.exception
    frame = at.data_editor[0].value
    assert list(frame["description"]) == ["Falafel", "Bread"]
    assert str(frame.loc[1, "issue"]).startswith("Saved. It does not match the current filter")
    assert {m.label: m.value for m in at.metric}["Transactions"] == "1"
    at.text_input(key="f_text").input("Fala").run()
    assert list(at.data_editor[0].value["description"]) == ["Falafel"]


def test_deleting_rows_asks_first_and_undo_restores_them_as_they_were(
    committed_user: User, db: Session
) -> None:
    home = home_of(db, committed_user)
    today = local_today(datetime.now(UTC), home.timezone)
    make_transaction(db, home, amount="30.00", on=today, description="Falafel", notes="lunch")
    make_transaction(db, home, amount="9.90", on=today - timedelta(days=1), category=None)
    db.commit()
    before = _stored(db, committed_user)
    at = _logged_in(committed_user, "transactions")
    at = _change(at, deleted_rows=[0, 1])
    assert any("Delete 2 rows?" in w.value for w in at.warning)
    assert _stored(db, committed_user) == before
    at.button(key="ledger_delete_no").click().run()
    assert not any("Delete" in w.value for w in at.warning), [w.value for w in at.warning]
    assert _stored(db, committed_user) == before
    at = _change(at, deleted_rows=[0, 1])
    at.button(key="ledger_delete_yes").click().run()
    assert not at.exception, at.exception
    assert _stored(db, committed_user) == []
    assert any("Deleted 2 rows." in i.value for i in at.info)
    at.button(key="ledger_undo_button").click().run()
    assert not at.exception, at.exception
    assert sorted(_stored(db, committed_user), key=str) == sorted(before, key=str)
    assert any("Restored 2 rows." in s.value for s in at.success)
    assert len(at.data_editor[0].value) == 2
    assert "ledger_undo_button" not in [b.key for b in at.button]


def test_the_add_form_keeps_what_was_typed_when_it_refuses_a_value(
    committed_user: User, db: Session
) -> None:
    at = _logged_in(committed_user, "transactions")
    at.text_input(key="add_amount").input("12,3x")
    at.text_input(key="add_description").input("Bakery")
    at.text_input(key="add_notes").input("for Shabbat")
    at.button(key="FormSubmitter:add_tx-Add").click().run()
    assert any("amount" in e.value for e in at.error)
    assert at.text_input(key="add_amount").value == "12,3x"
    assert at.text_input(key="add_description").value == "Bakery"
    assert at.text_input(key="add_notes").value == "for Shabbat"
    assert _stored(db, committed_user) == []
    at.text_input(key="add_amount").input("12.30")
    at.button(key="FormSubmitter:add_tx-Add").click().run()
    assert any("Added" in s.value for s in at.success)
    assert [(r[2], r[3], r[4]) for r in _stored(db, committed_user)] == [
        (Decimal("12.30"), "Bakery", "for Shabbat")
    ]
    assert at.text_input(key="add_amount").value == ""
    assert at.text_input(key="add_description").value == ""
