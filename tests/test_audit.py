"""The audit log: every change has an author, in the change's own transaction, and stays."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from domain.config import Settings
from domain.db.models import AuditEntry, Membership, User
from domain.rules.ledger import TransactionDraft
from domain.services import audit, fixed, households, transactions
from domain.services.booking import run_booking_pass
from domain.services.demo import seed_demo_history, seed_demo_sources
from tests.conftest import PASSWORD, bearer, home_of, make_user
from tests.io_support import csv_file, io_client, post_file
from tests.test_route_matrix import _victim

API = "/api/v1"


def entries(session: Session, household_id: int, entity: str | None = None) -> list[AuditEntry]:
    """The household's log (or one entity's part of it), oldest first."""
    session.expire_all()
    query = select(AuditEntry).where(AuditEntry.household_id == household_id)
    if entity is not None:
        query = query.where(AuditEntry.entity == entity)
    return list(session.scalars(query.order_by(AuditEntry.id)))


@pytest.fixture
def io(settings: Settings, session_factory: sessionmaker[Session]) -> Iterator[TestClient]:
    """The API client of the import tests (multipart uploads inside the test transaction)."""
    yield from io_client(settings, session_factory)


def test_every_kind_of_write_has_an_author_and_its_fields(
    client: TestClient, session: Session, settings: Settings, user: User
) -> None:
    home = home_of(session, user).id
    owned = _victim(client, settings, user)
    headers = bearer(settings, user)
    changed = client.put(
        f"{API}/transactions/{owned.transaction_id}", headers=headers, json={"amount": "11.50"}
    )
    assert changed.status_code == 200, changed.text
    partner = make_user(session, settings)
    session.commit()
    for method, path, body in (
        ("POST", "/categories", {"name": "Audited", "type": "expense"}),
        ("POST", f"/fixed/{owned.fixed_id}/pause", None),
        ("DELETE", f"/fixed/{owned.fixed_id}", None),
        ("POST", f"/loans/{owned.loan_id}/prepayment", {"amount": "10.00", "mode": "shorten_term"}),
        ("PUT", f"/installments/{owned.plan_id}", {"name": "Renamed plan"}),
        ("POST", "/balance", {"amount": "100.00"}),
        ("PUT", f"/budgets/settings/{owned.expense_category_id}", {"rollover": True}),
        ("PUT", f"/forecast/scenarios/{owned.scenario_id}", {"name": "Renamed"}),
        ("DELETE", f"/rates/{owned.rate_id}", None),
        ("PUT", "/households/current", {"name": "Renamed home"}),
        ("POST", "/households/current/invitations", {"username": partner.username}),
    ):
        answer = client.request(method, f"{API}{path}", headers=headers, json=body)
        assert answer.status_code < 300, (path, answer.text)
    waiting = client.get(f"{API}/invitations", headers=bearer(settings, partner)).json()
    joined = client.post(
        f"{API}/invitations/{waiting[0]['id']}/accept", headers=bearer(settings, partner)
    )
    assert joined.status_code == 200, joined.text
    log = entries(session, home)
    made = {(e.entity, e.action) for e in log}
    expected = {
        ("category", "create"),
        ("transaction", "create"),
        ("transaction", "update"),
        ("fixed", "create"),
        ("fixed_pause", "create"),
        ("fixed", "delete"),
        ("installment", "create"),
        ("installment", "update"),
        ("loan", "create"),
        ("loan_prepayment", "create"),
        ("balance", "create"),
        ("scenario", "create"),
        ("scenario", "update"),
        ("settings", "update"),
        ("budget", "create"),
        ("budget_settings", "create"),
        ("rate", "create"),
        ("rate", "delete"),
        ("household", "update"),
        ("invitation", "create"),
        ("invitation", "update"),
        ("membership", "create"),
    }
    assert expected <= made, expected - made
    assert {(e.actor_kind, e.actor_id) for e in log} == {("user", user.id), ("user", partner.id)}
    joins = {e.actor_id for e in log if e.entity == "membership" and e.entity_id == partner.id}
    assert joins == {partner.id}  # the partner joined, by their own hand
    update = next(e for e in log if (e.entity, e.action) == ("transaction", "update"))
    assert update.entity_id == owned.transaction_id
    assert (update.before, update.after) == ({"amount": "10.00"}, {"amount": "11.50"})
    created = next(e for e in log if (e.entity, e.action) == ("transaction", "create"))
    assert created.before is None
    assert created.after is not None
    assert created.after["amount"] == "10.00"  # money as exact text, never a float
    invitation = next(e for e in log if e.entity == "invitation")
    assert invitation.after is not None
    assert "code_hash" not in invitation.after


def test_nothing_about_passwords_or_tokens_is_recorded(
    client: TestClient, session: Session, settings: Settings, user: User
) -> None:
    home = home_of(session, user).id
    headers = bearer(settings, user)
    client.post(f"{API}/transactions", headers=headers, json=_tx("5.00"))
    changed = client.put(
        f"{API}/auth/password",
        headers=headers,
        json={"current_password": PASSWORD, "new_password": "another-password-1"},
    )
    assert changed.status_code == 200, changed.text
    session.refresh(user)
    logged = str([(e.before, e.after) for e in entries(session, home)])
    for secret in (PASSWORD, "another-password-1", user.password_hash, "token"):
        assert secret not in logged


def _tx(amount: str) -> dict[str, Any]:
    return {"date": "2026-03-01", "amount": amount, "type": "expense"}


def test_a_refused_bulk_call_leaves_no_entry(
    client: TestClient, session: Session, settings: Settings, user: User
) -> None:
    home = home_of(session, user).id
    before = len(entries(session, home))
    bad = {"items": [_tx("1.00"), {**_tx("2.00"), "category_id": 999999999}]}
    response = client.post(f"{API}/transactions/bulk", headers=bearer(settings, user), json=bad)
    assert response.status_code == 422
    assert len(entries(session, home)) == before


def test_a_rolled_back_change_leaves_no_entry_and_a_committed_one_has_one(
    session: Session, settings: Settings, user: User
) -> None:
    household = home_of(session, user)
    audit.act_as_person(session, user.id)
    with session.begin_nested() as attempt:
        transactions.record_transaction(session, household, _draft("7.00"))
        session.flush()
        assert len(entries(session, household.id, "transaction")) == 1
        attempt.rollback()
    assert entries(session, household.id, "transaction") == []
    transactions.record_transaction(session, household, _draft("8.00"))
    session.flush()
    [entry] = entries(session, household.id, "transaction")
    assert (entry.actor_id, entry.action, entry.after and entry.after["amount"]) == (
        user.id,
        "create",
        "8.00",
    )


def _draft(amount: str) -> TransactionDraft:
    return TransactionDraft(date=date(2026, 3, 1), amount=Decimal(amount), type="expense")


def test_scheduler_bookings_are_one_entry_of_the_schedulers(session: Session, user: User) -> None:
    household = home_of(session, user)
    audit.act_as_person(session, user.id)
    fixed.create_fixed(
        session,
        household,
        name="Rent",
        amount=Decimal("5200.00"),
        type="expense",
        frequency="monthly",
        day_of_month=1,
        start_date=date(2026, 1, 1),
    )
    session.commit()
    audit.act_as_scheduler(session)
    now = datetime(2026, 3, 2, 8, tzinfo=UTC)
    run_booking_pass(session, now=now, as_of=date(2026, 3, 1))
    session.flush()
    assert entries(session, household.id, "transaction") == []  # not one entry per row
    [booked] = entries(session, household.id, "booking")
    assert (booked.actor_kind, booked.actor_id, booked.action) == ("scheduler", None, "create")
    assert booked.after == {"transactions": "3", "from": "2026-01-01", "to": "2026-03-01"}
    assert entries(session, household.id, "fixed")[-1].action == "create"  # no watermark entry


def test_an_import_is_one_entry_with_its_batch_and_count(
    io: TestClient, session: Session, settings: Settings, user: User
) -> None:
    home = home_of(session, user).id
    rows = [["date", "description", "amount"]] + [
        [f"0{day}/03/2026", f"Shop {day}", f"-{day}0.00"] for day in range(1, 6)
    ]
    response = post_file(io, bearer(settings, user), csv_file(rows), dry_run=False)
    assert response.status_code == 200, response.text
    log = entries(session, home)
    imports = [e for e in log if e.entity == "import"]
    assert [e.action for e in imports] == ["import"]
    assert imports[0].after is not None
    assert imports[0].after["imported_count"] == "5"
    assert not [e for e in log if e.entity == "transaction"]


def test_the_log_is_append_only_but_for_the_prune(
    session: Session, settings: Settings, user: User
) -> None:
    household = home_of(session, user)
    audit.act_as_person(session, user.id)
    transactions.record_transaction(session, household, _draft("9.00"))
    session.flush()
    for statement in (
        "UPDATE audit_log SET entity = 'forged' WHERE household_id = :h",
        "DELETE FROM audit_log WHERE household_id = :h",
        "TRUNCATE audit_log",
    ):
        with pytest.raises(DBAPIError, match="append-only"), session.begin_nested():
            session.execute(text(statement), {"h": household.id})
    assert len(entries(session, household.id, "transaction")) == 1
    assert audit.prune_audit(session, before=datetime.now(UTC) - timedelta(days=1)) == 0
    assert audit.prune_audit(session, before=datetime.now(UTC) + timedelta(minutes=1)) >= 1
    assert entries(session, household.id) == []
    transactions.record_transaction(session, household, _draft("9.50"))
    session.flush()
    with pytest.raises(DBAPIError, match="append-only"), session.begin_nested():
        session.execute(text("DELETE FROM audit_log"))  # the prune's switch is off again


def test_owners_see_everyones_entries_members_their_own(
    client: TestClient, session: Session, settings: Settings, user: User
) -> None:
    partner = make_user(session, settings)
    home = home_of(session, user)
    session.add(Membership(household_id=home.id, user_id=partner.id, role="member"))
    session.commit()
    mine, theirs = bearer(settings, user), bearer(settings, partner)
    at_home = {"X-Household-Id": str(home.id)}
    assert client.post(f"{API}/transactions", headers=mine, json=_tx("1.00")).status_code == 201
    made = client.post(f"{API}/transactions", headers={**theirs, **at_home}, json=_tx("2.00"))
    assert made.status_code == 201, made.text
    everyone = client.get(f"{API}/audit", headers=mine).json()
    assert {i["actor_name"] for i in everyone["items"]} >= {user.display_name, partner.display_name}
    own = client.get(f"{API}/audit", headers={**theirs, **at_home}).json()
    assert own["total"] == 1, own
    assert own["items"][0]["after"]["amount"] == "2.00"
    by_partner = client.get(
        f"{API}/audit", headers=mine, params={"actor_id": partner.id, "entity": "transaction"}
    ).json()
    assert [i["actor_id"] for i in by_partner["items"]] == [partner.id]
    today = datetime.now(UTC).date()
    past = client.get(
        f"{API}/audit",
        headers=mine,
        params={"date_from": "2020-01-01", "date_to": (today - timedelta(days=2)).isoformat()},
    ).json()
    assert past["total"] == 0


def test_a_deleted_household_takes_its_log(
    session: Session, settings: Settings, user: User
) -> None:
    extra = households.create_household(session, settings, user, name="Summer house")
    audit.act_as_person(session, user.id)
    transactions.record_transaction(session, extra, _draft("3.00"))
    session.flush()
    assert entries(session, extra.id)
    households.delete_household(session, settings, households.open_scope(session, user, extra.id))
    assert entries(session, extra.id) == []


def test_the_demo_data_is_a_starting_state_not_a_change(session: Session, user: User) -> None:
    household = home_of(session, user)
    audit.act_as_person(session, user.id)
    today = date(2026, 11, 15)
    assert seed_demo_history(session, household, today) > 100
    assert seed_demo_sources(session, household, today)
    session.flush()
    assert entries(session, household.id, "transaction") == []
    assert entries(session, household.id, "fixed") == []
    transactions.record_transaction(session, household, _draft("4.00"))  # and after it, again
    session.flush()
    assert len(entries(session, household.id, "transaction")) == 1
