"""The household in the UI, driven with AppTest against the real database.

A partner is invited and shares the ledger; a viewer's grid is read-only; the Activity
page names who changed what.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from domain.db.models import Membership, User
from domain.rules.dates import local_today
from tests.builders import make_transaction
from tests.conftest import home_of
from tests.test_ui_ledger import _logged_in, db

__all__ = ["db"]  # the committed-data session, as a fixture of this module


def _button(at: AppTest, label: str) -> AppTest:
    found = [b for b in at.button if b.label == label]
    assert found, [b.label for b in at.button]
    return found[0].click().run()


def test_a_partner_is_invited_accepts_and_shares_the_ledger(
    committed_people: Callable[[], User], db: Session
) -> None:
    owner, partner = committed_people(), committed_people()
    home = home_of(db, owner)
    today = local_today(datetime.now(UTC), home.timezone)
    make_transaction(db, home, amount="80.00", on=today, description="Shuk")
    db.commit()
    at = _logged_in(owner, "household")
    at.text_input(key="household_invitee").input(partner.username)
    at = _button(at, "Invite")
    assert not at.exception, at.exception
    assert any("Invitation sent" in s.value for s in at.success)
    theirs = _logged_in(partner, "household")
    assert any(home.name in m.value for m in theirs.markdown)
    theirs = _button(theirs, "Accept")
    assert not theirs.exception, theirs.exception
    theirs.switch_page("page_scripts/transactions.py").run()
    assert list(theirs.data_editor[0].value["description"]) == ["Shuk"]
    assert theirs.selectbox(key="household_picker").value == home.id


def test_a_viewers_grid_is_read_only_and_the_owner_sees_who_changed_what(
    committed_people: Callable[[], User], db: Session
) -> None:
    owner, viewer, member = committed_people(), committed_people(), committed_people()
    home = home_of(db, owner)
    db.add(Membership(household_id=home.id, user_id=viewer.id, role="viewer"))
    db.add(Membership(household_id=home.id, user_id=member.id, role="member"))
    owner_row = db.get(User, owner.id)
    assert owner_row is not None
    for person in (viewer, member):
        row = db.get(User, person.id)
        assert row is not None
        row.default_household_id = home.id
    today = local_today(datetime.now(UTC), home.timezone)
    make_transaction(db, home, amount="80.00", on=today, description="Shuk")
    db.commit()
    looking = _logged_in(viewer, "transactions")
    grid = looking.data_editor[0]
    assert grid.proto.disabled
    assert any("viewer" in i.value for i in looking.info)
    key = looking.session_state["ledger_editor_key"]
    looking.session_state[key] = {
        "edited_rows": {"0": {"amount": "1.00"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    looking.run()
    db.expire_all()
    editing = _logged_in(member, "transactions")
    key = editing.session_state["ledger_editor_key"]
    editing.session_state[key] = {
        "edited_rows": {"0": {"amount": "95.50"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    editing.run()
    assert not editing.exception, editing.exception
    activity = _logged_in(owner, "activity")
    table = activity.dataframe[0].value
    changed = table[table["action"] == "changed"]
    assert list(changed["who"]) == [member.display_name]
    assert "amount: 80.00 → 95.50" in changed["changes"].iloc[0]
